"""Roles and identities: what each role may do, and who the identity provider signs in
(role claim, or the e-mail in the accounts table)."""

from __future__ import annotations

import pytest

from auth.accounts import create_account, disable
from auth.roles import (
    ROLE_LABELS,
    Identity,
    Right,
    Role,
    highest_role,
    identity_from_oidc,
    parse_role,
)
from store.audit import Actor


def test_permissions_of_each_role():
    admin = Identity("chef", Role.ADMIN, None, "local")
    direction = Identity("dir", Role.DIRECTION, None, "oidc")
    association = Identity("envol", Role.ASSOCIATION, "Envol", "local")
    table = {who.role: {r for r in Right if who.may(r)} for who in (admin, direction, association)}
    assert table == {
        Role.ADMIN: {
            Right.SEE_EVERY_ASSOCIATION,
            Right.IMPORT_ANY_FILE,
            Right.SAVE_MAPPING,
            Right.ADD_ASSOCIATION,
            Right.UNDO_IMPORT,
            Right.READ_AUDIT_LOG,
            Right.MANAGE_ACCOUNTS,
            Right.FREEZE_COMITE_PACK,
            Right.DELETE_FROZEN_PACK,
            Right.UPLOAD_DECK_TEMPLATE,
        },
        Role.DIRECTION: {Right.SEE_EVERY_ASSOCIATION},
        Role.ASSOCIATION: {Right.IMPORT_OWN_EXPORTS},
    }
    assert [who.can_import for who in (admin, direction, association)] == [True, False, True]
    assert [who.sees_everything for who in (admin, direction, association)] == [True, True, False]
    assert association.actor("10.0.0.1") == Actor("envol", "association", "Envol", "10.0.0.1")
    assert admin.role_label == "Administrateur (chargé(e) de projet)"
    assert ROLE_LABELS[Role.DIRECTION] == "Direction (lecture seule)"
    assert set(ROLE_LABELS) == set(Role)


def test_parse_and_highest_role():
    assert parse_role(" Admin ") is Role.ADMIN
    assert parse_role("chef") is None and parse_role(3) is None
    assert highest_role("direction") is Role.DIRECTION
    assert highest_role(["association", "admin", "inconnu"]) is Role.ADMIN
    assert highest_role(["association", "direction"]) is Role.DIRECTION
    assert highest_role(["lecteur"]) is None
    assert highest_role(None) is None and highest_role({"role": "admin"}) is None


def test_role_from_a_string_claim(engine):
    info = {"email": "Dir@CD59.fr", "sub": "abc", "groupes": "direction"}
    assert identity_from_oidc(info, engine, "groupes", None) == Identity(
        "dir@cd59.fr", Role.DIRECTION, None, "oidc"
    )


def test_role_from_a_list_claim_takes_the_highest(engine):
    info = {"email": "chef@cd59.fr", "roles": ["association", "admin", "autre"]}
    identity = identity_from_oidc(info, engine, "roles", "asso")
    assert identity == Identity("chef@cd59.fr", Role.ADMIN, None, "oidc")


def test_association_claim(engine):
    info = {"email": "contact@envol.fr", "roles": ["association"], "asso": "Envol"}
    assert identity_from_oidc(info, engine, "roles", "asso") == Identity(
        "contact@envol.fr", Role.ASSOCIATION, "Envol", "oidc"
    )
    # An association role without its association is refused.
    assert identity_from_oidc({**info, "asso": ""}, engine, "roles", "asso") is None
    assert identity_from_oidc(info, engine, "roles", None) is None
    # Two associations are ambiguous; a one-element list is fine.
    assert identity_from_oidc({**info, "asso": ["A", "B"]}, engine, "roles", "asso") is None
    only = identity_from_oidc({**info, "asso": ["Envol"]}, engine, "roles", "asso")
    assert only is not None and only.association == "Envol"


def test_claim_without_email_uses_the_subject(engine):
    identity = identity_from_oidc({"sub": "u-42", "roles": "direction"}, engine, "roles", None)
    assert identity == Identity("u-42", Role.DIRECTION, None, "oidc")
    assert identity_from_oidc({"roles": "direction"}, engine, "roles", None) is None


@pytest.mark.parametrize("claim", [None, "roles"])
def test_accounts_table_by_email(engine, claim):
    create_account(engine, "dir@cd59.fr", "direction")
    create_account(engine, "contact@envol.fr", "association", "Envol")
    # No role claim configured, or a claim that holds no valid role: the table decides.
    info = {"email": " DIR@cd59.fr", "roles": ["lecteur"]}
    assert identity_from_oidc(info, engine, claim, None) == Identity(
        "dir@cd59.fr", Role.DIRECTION, None, "oidc"
    )
    assert identity_from_oidc({"email": "contact@envol.fr"}, engine, claim, None) == Identity(
        "contact@envol.fr", Role.ASSOCIATION, "Envol", "oidc"
    )
    assert identity_from_oidc({"email": "inconnu@cd59.fr"}, engine, claim, None) is None
    assert identity_from_oidc({"sub": "sans-email"}, engine, claim, None) is None


def test_unverified_email_is_not_matched_to_the_table(engine):
    create_account(engine, "dir@cd59.fr", "direction")
    info = {"email": "dir@cd59.fr", "email_verified": False}
    assert identity_from_oidc(info, engine, None, None) is None
    assert identity_from_oidc({**info, "email_verified": True}, engine, None, None) is not None


def test_disabled_account_is_refused_even_with_a_claim(engine):
    create_account(engine, "chef@cd59.fr", "admin")
    create_account(engine, "dir@cd59.fr", "direction")
    disable(engine, "dir@cd59.fr")
    assert identity_from_oidc({"email": "dir@cd59.fr"}, engine, None, None) is None
    info = {"email": "dir@cd59.fr", "roles": "direction"}
    assert identity_from_oidc(info, engine, "roles", None) is None
    assert identity_from_oidc({"email": "chef@cd59.fr"}, engine, None, None) is not None
