"""Roles and the identity of whoever is signed in, from a local account, the identity
provider (OIDC) or the demo mode.

admin: the CD's chargé(e) de projet — sees everything, imports, undoes, manages accounts.
direction: reads everything, changes nothing.
association: imports its own files and sees its own parcours only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import Engine, select

from store.audit import Actor
from store.models import Compte


class Role(StrEnum):
    ADMIN = "admin"
    DIRECTION = "direction"
    ASSOCIATION = "association"


ROLE_LABELS = {
    Role.ADMIN: "Administrateur (chargé(e) de projet)",
    Role.DIRECTION: "Direction (lecture seule)",
    Role.ASSOCIATION: "Association",
}
# When a claim holds several roles, the highest one wins.
ROLE_RANK = {Role.ADMIN: 3, Role.DIRECTION: 2, Role.ASSOCIATION: 1}
SOURCES = ("local", "oidc", "demo")


class Right(StrEnum):
    """What a role may do. `RIGHTS` below is the one place that grants them; pages, the
    router (dashboard/registry.py) and the import and undo paths ask `Identity.may`."""

    SEE_EVERY_ASSOCIATION = "voir_toutes_associations"  # every parcours, associations compared
    IMPORT_ANY_FILE = "importer_tout_fichier"  # any kind of file, for any association
    IMPORT_OWN_EXPORTS = "importer_ses_exports"  # its own association's exports only
    SAVE_MAPPING = "enregistrer_correspondance"  # save a layout as the association's profile
    ADD_ASSOCIATION = "ajouter_association"  # an unknown association named at import
    UNDO_IMPORT = "annuler_import"
    READ_AUDIT_LOG = "lire_journal"
    MANAGE_ACCOUNTS = "gerer_comptes"  # page « Comptes », and pilotage users
    FREEZE_COMITE_PACK = "figer_pack_comite"  # store a comité pack's figures for later
    DELETE_FROZEN_PACK = "supprimer_pack_fige"
    UPLOAD_DECK_TEMPLATE = "deposer_modele_diaporama"  # the comité deck's template (charter)


RIGHTS: dict[Role, frozenset[Right]] = {
    Role.ADMIN: frozenset(Right) - {Right.IMPORT_OWN_EXPORTS},
    Role.DIRECTION: frozenset({Right.SEE_EVERY_ASSOCIATION}),
    Role.ASSOCIATION: frozenset({Right.IMPORT_OWN_EXPORTS}),
}


def roles_with(*rights: Right) -> tuple[Role, ...]:
    """The roles holding at least one of `rights` (every role when none is given)."""
    return tuple(r for r in Role if not rights or RIGHTS[r] & set(rights))


@dataclass(frozen=True)
class Identity:
    """Who is signed in. `association` is set for the association role only."""

    identifiant: str
    role: Role
    association: str | None
    source: str  # local | oidc | demo

    def may(self, right: Right) -> bool:
        return right in RIGHTS[self.role]

    @property
    def sees_everything(self) -> bool:
        return self.may(Right.SEE_EVERY_ASSOCIATION)

    @property
    def can_import(self) -> bool:
        return self.may(Right.IMPORT_ANY_FILE) or self.may(Right.IMPORT_OWN_EXPORTS)

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]

    def actor(self, origine: str | None = None) -> Actor:
        """This identity as the audit log records it."""
        return Actor(self.identifiant, self.role.value, self.association, origine)


def parse_role(value: object) -> Role | None:
    """A role from a stored or claimed value ("Admin", " direction "); None if not one."""
    if not isinstance(value, str):
        return None
    try:
        return Role(value.strip().lower())
    except ValueError:
        return None


def highest_role(value: object) -> Role | None:
    """The highest valid role in a claim: a string, or a list of strings."""
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list | tuple | set | frozenset):
        return None
    roles = [r for r in (parse_role(v) for v in values) if r is not None]
    return max(roles, key=ROLE_RANK.__getitem__, default=None)


def _claim_text(value: object) -> str | None:
    """A single non-empty string from a claim (a list must hold exactly one)."""
    if isinstance(value, list | tuple):
        texts = {v.strip() for v in value if isinstance(v, str) and v.strip()}
        return texts.pop() if len(texts) == 1 else None
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def _email(user_info: Mapping) -> str | None:
    email = user_info.get("email")
    if not isinstance(email, str) or not email.strip():
        return None
    return email.strip().lower()


def identity_from_oidc(
    user_info: Mapping,
    engine: Engine,
    role_claim: str | None,
    association_claim: str | None,
) -> Identity | None:
    """The identity of a person the identity provider signed in, or None when not allowed.

    With `role_claim` set and holding a valid role (a string or a list: the highest of
    admin > direction > association wins), the provider decides; the association then comes
    from `association_claim`, and an association role without one is refused. Otherwise
    the e-mail must be an active account of the `compte` table, which gives the role.
    An account disabled in the table is refused either way, and an e-mail the provider
    says is not verified is never matched to the table."""
    email = _email(user_info)
    row = None
    if email is not None:
        with engine.connect() as conn:
            row = conn.execute(select(Compte.__table__).where(Compte.identifiant == email)).first()
    if row is not None and not row.actif:
        return None

    claimed = highest_role(user_info.get(role_claim)) if role_claim else None
    if claimed is not None:
        identifiant = email or _claim_text(user_info.get("sub"))
        if identifiant is None:
            return None
        association = None
        if claimed is Role.ASSOCIATION:
            association = (
                _claim_text(user_info.get(association_claim)) if association_claim else None
            )
            if association is None:
                return None
        return Identity(identifiant, claimed, association, "oidc")

    if row is None or user_info.get("email_verified") is False:
        return None
    role = parse_role(row.role)
    if role is None or (role is Role.ASSOCIATION) != bool(row.association):
        return None
    return Identity(
        row.identifiant, role, row.association if role is Role.ASSOCIATION else None, "oidc"
    )
