"""The page « Comptes » (administrator): the accounts listed, created and managed from the
browser, as `pilotage users` does from the command line.

The rules — what a valid account is, the last administrator, one's own account, the audit
entries — are auth/accounts.py's; this module asks and tells. Everything typed is in a form
(`st.form`), so typing reruns nothing; after a change the page runs again with the new
state, says what was done once (`DONE`), and its forms start empty (`ROUND`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

import pandas as pd
import streamlit as st

from auth import accounts
from auth.accounts import AccountError
from auth.passwords import MIN_LENGTH
from auth.roles import ROLE_LABELS, Identity, Role, parse_role
from dashboard.access import oidc_configured, origin
from dashboard.data import engine
from dashboard.markdown import message, plain
from dashboard.widgets import french_table
from domain.formatting import count, paris_time

DONE = "_comptes_fait"  # session state: what the last change did, shown once
ROUND = "_comptes_tour"  # session state: one more after each change, so forms start afresh
CHOSEN = "comptes_compte"  # the account chosen under « Modifier un compte »
NONE = "—"
T = TypeVar("T")

GENERATE, TYPE, PROVIDER = "generer", "saisir", "fournisseur"
PASSWORD_MODES = {
    GENERATE: "Générer un mot de passe provisoire (affiché une seule fois)",
    TYPE: "Le saisir ici",
    PROVIDER: "Aucun : connexion par le fournisseur d'identité",
}
COLUMNS = [
    "Identifiant",
    "Rôle",
    "Association",
    "Connexion",
    "État",
    "Bloqué jusqu'au",
    "Dernière connexion",
    "Sessions ouvertes",
]


@dataclass(frozen=True)
class Done:
    """What a change did, shown once where it was asked (`where`); a generated password
    is shown with it, that one time only."""

    where: str  # "creer" | "modifier"
    text: str
    password: str | None = None
    identifiant: str = ""


# --- the list ---------------------------------------------------------------------------------


def role_label(role: object) -> str:
    parsed = parse_role(role)
    return ROLE_LABELS[parsed] if parsed else f"rôle inconnu « {role} »"


def _text(value: object) -> str | None:
    """A stored text, or None for an empty one (None, NaN, blank)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return str(value).strip() or None


def _moment(value) -> str | None:
    """A stored moment in Paris time, or None when there is none."""
    if value is None or pd.isna(value):
        return None
    return paris_time(pd.Timestamp(value).to_pydatetime())


def _state(row: Mapping) -> str:
    if not row["actif"]:
        return "désactivé"
    return "bloqué" if row["bloque"] else "actif"


def accounts_table(frame: pd.DataFrame, sessions: Mapping[str, int]) -> pd.DataFrame:
    """The accounts as the page lists them (`accounts.list_accounts`, and the open sessions
    of each): French words in every cell, « — » where there is nothing, never a missing
    value."""
    rows = []
    for row in frame.to_dict("records"):
        rows.append(
            {
                "Identifiant": row["identifiant"],
                "Rôle": role_label(row["role"]),
                "Association": _text(row["association"]) or NONE,
                "Connexion": (
                    "mot de passe local" if row["mot_de_passe_local"] else "fournisseur d'identité"
                ),
                "État": _state(row),
                "Bloqué jusqu'au": (_moment(row["bloque_jusqua"]) if row["bloque"] else None)
                or NONE,
                "Dernière connexion": _moment(row["derniere_connexion"]) or "jamais",
                "Sessions ouvertes": int(sessions.get(row["identifiant"], 0)),
            }
        )
    return pd.DataFrame(rows, columns=COLUMNS).astype({"Sessions ouvertes": int})


def current() -> tuple[pd.DataFrame, dict[str, int]]:
    """The accounts as they are now, and how many sessions each has open."""
    return accounts.list_accounts(engine()), accounts.open_sessions(engine())


def listing(frame: pd.DataFrame, sessions: Mapping[str, int]) -> None:
    if frame.empty:
        st.info("Aucun compte pour l'instant : créez le premier ci-dessous.")
        return
    french_table(accounts_table(frame, sessions))
    disabled = int((~frame["actif"]).sum())
    locked = int((frame["actif"] & frame["bloque"]).sum())
    parts = [count(len(frame), "compte")]
    if disabled:
        parts.append(count(disabled, "désactivé"))
    if locked:
        parts.append(count(locked, "bloqué"))
    st.caption(" · ".join(parts) + ". Les mots de passe ne sont jamais affichés.")


# --- shared pieces ----------------------------------------------------------------------------


def _round() -> int:
    return int(st.session_state.get(ROUND, 0))


def _finish(done: Done) -> None:
    """A change was made: say so once, start the forms afresh, run the page again."""
    st.session_state[DONE] = done
    st.session_state[ROUND] = _round() + 1
    st.rerun()


def _change(action: Callable[[], T], done: Callable[[T], Done], unchanged: str = "") -> None:
    """Make a change asked on the page: `action` does it (its AccountError is said as an
    error, and nothing more happens); when it reports nothing changed (a false result) and
    `unchanged` says how things already were, the page says so; otherwise `done` says
    what it did, once the page runs again (`_finish`)."""
    try:
        result = action()
    except AccountError as exc:
        st.error(message(exc.message))
        return
    if unchanged and not result:
        st.info(f"{unchanged} : rien n'a changé.")
        return
    _finish(done(result))


def _show_done(where: str) -> None:
    done = st.session_state.get(DONE)
    if not isinstance(done, Done) or done.where != where:
        return
    del st.session_state[DONE]
    st.success(message(done.text), icon=":material/check_circle:")
    if done.password:
        st.warning(
            f"Mot de passe provisoire de « {plain(done.identifiant)} », affiché cette fois "
            "seulement : transmettez-le à la personne par un moyen sûr (pas dans le même "
            "message que son identifiant).",
            icon=":material/key:",
        )
        st.code(done.password, language=None)


def _association_field(known: list[str], current: str | None, key: str) -> str | None:
    """The association of an association account: chosen among the referential's, or
    typed while the referential is not loaded. None when left empty."""
    label = "Association (compte d'association seulement)"
    if known:
        options = [NONE, *known]
        if current and current not in known:
            options.append(current)
        chosen = st.selectbox(
            label,
            options,
            index=options.index(current) if current else 0,
            format_func=lambda o: "— (aucune : administrateur ou direction)" if o == NONE else o,
            key=key,
        )
        return None if chosen == NONE else chosen
    typed = st.text_input(
        label,
        value=current or "",
        key=key,
        help="Le référentiel des associations n'est pas encore importé : écrivez le nom de "
        "l'association comme dans ses exports.",
    )
    return typed.strip() or None


def _password_fields(key: str) -> tuple[str, str]:
    password = st.text_input(
        f"Mot de passe, s'il est saisi ici ({MIN_LENGTH} caractères au moins)",
        type="password",
        autocomplete="new-password",
        key=f"{key}_1",
    )
    confirmation = st.text_input(
        "Le même mot de passe, une seconde fois",
        type="password",
        autocomplete="new-password",
        key=f"{key}_2",
    )
    return password, confirmation


def _chosen_password(mode: str, identifiant: str, typed: str, confirmation: str) -> str | None:
    """The new password for `mode` (None: the identity provider's account); AccountError
    when the two typed ones differ."""
    if mode == PROVIDER:
        return None
    if mode == GENERATE:
        return accounts.temporary_password(identifiant)
    if typed != confirmation:
        raise AccountError("Les deux mots de passe diffèrent : saisissez-les à nouveau.")
    return typed


def _who(role: Role, association: str | None) -> str:
    return ROLE_LABELS[role] + (f", association « {association} »" if association else "")


# --- creation ---------------------------------------------------------------------------------


def create_form(viewer: Identity) -> None:
    """Create an account: identifiant, role, association (for an association account), and
    a password typed twice or generated (none with the identity provider)."""
    _show_done("creer")
    n = _round()
    known = accounts.known_associations(engine())
    provider = oidc_configured()
    modes = [PROVIDER] if provider else [GENERATE, TYPE]
    with st.form(f"comptes_creation_{n}"):
        left, right = st.columns(2)
        with left:
            identifiant = st.text_input(
                "Identifiant" + (" (adresse e-mail de la personne)" if provider else ""),
                key=f"comptes_identifiant_{n}",
                help="Enregistré en minuscules ; par exemple prenom.nom ou une adresse e-mail.",
            )
            role = st.selectbox(
                "Rôle",
                list(Role),
                index=list(Role).index(Role.DIRECTION),  # the least rights, as a start
                format_func=ROLE_LABELS.get,
                key=f"comptes_role_{n}",
            )
            association = _association_field(known, None, f"comptes_association_{n}")
        with right:
            if provider:
                st.caption(
                    "Connexion par le fournisseur d'identité du département : pas de mot de "
                    "passe ici, la personne se connecte avec son compte habituel."
                )
                mode, typed, confirmation = PROVIDER, "", ""
            else:
                mode = st.radio(
                    "Mot de passe", modes, format_func=PASSWORD_MODES.get, key=f"comptes_mode_{n}"
                )
                typed, confirmation = _password_fields(f"comptes_mot_de_passe_{n}")
        submitted = st.form_submit_button(
            "Créer le compte", type="primary", icon=":material/person_add:"
        )
    if not submitted:
        return
    name = accounts.normalise_identifiant(identifiant)
    association = association if role is Role.ASSOCIATION else None

    def create() -> tuple[str | None, Identity]:
        password = _chosen_password(mode, name, typed, confirmation)
        return password, accounts.create_account(
            engine(), name, role, association, password, viewer.actor(origin())
        )

    def created(result: tuple[str | None, Identity]) -> Done:
        password, identity = result
        how = (
            "connexion par le fournisseur d'identité" if password is None else "mot de passe local"
        )
        st.session_state[CHOSEN] = identity.identifiant  # ready to manage below
        return Done(
            "creer",
            f"Compte « {identity.identifiant} » créé : "
            f"{_who(identity.role, identity.association)} ; {how}.",
            password if mode == GENERATE else None,
            identity.identifiant,
        )

    _change(create, created)


# --- changes to an account --------------------------------------------------------------------


def _summary(row: Mapping, open_sessions: int) -> str:
    parts = [role_label(row["role"])]
    if association := _text(row["association"]):
        parts.append(f"association « {association} »")
    parts.append(_state(row))
    if row["bloque"]:
        parts.append(f"bloqué jusqu'au {_moment(row['bloque_jusqua'])}")
    if row["echecs"]:
        parts.append(count(int(row["echecs"]), "échec de connexion", "échecs de connexion"))
    parts.append(count(open_sessions, "session ouverte", "sessions ouvertes"))
    last = _moment(row["derniere_connexion"])
    parts.append(f"dernière connexion le {last}" if last else "jamais connecté(e)")
    return " · ".join(parts)


def manage(viewer: Identity, frame: pd.DataFrame, sessions: Mapping[str, int]) -> None:
    """One account at a time: its role and association, its password, its access (disable
    or enable, unlock, end its sessions)."""
    _show_done("modifier")
    if frame.empty:
        st.caption("Aucun compte à modifier.")
        return
    rows = {row["identifiant"]: row for row in frame.to_dict("records")}
    if st.session_state.get(CHOSEN) not in rows:
        st.session_state.pop(CHOSEN, None)
    name = st.selectbox(
        "Compte",
        list(rows),
        format_func=lambda n: f"{n} — {role_label(rows[n]['role'])}",
        key=CHOSEN,
    )
    row = rows[name]
    open_sessions = int(sessions.get(name, 0))
    st.caption(plain(_summary(row, open_sessions)))
    oneself = accounts.normalise_identifiant(viewer.identifiant) == name
    if oneself:
        st.info(
            "C'est votre compte : vous ne pouvez ni le désactiver ni lui retirer le rôle "
            "d'administrateur (demandez-le à un autre administrateur). Changer son mot de passe "
            "ou mettre fin à ses sessions vous déconnecte.",
            icon=":material/person:",
        )
    n = _round()
    role_tab, password_tab, access_tab = st.tabs(
        ["Rôle et association", "Mot de passe", "Accès et sessions"]
    )
    with role_tab:
        _role_form(viewer, row, n)
    with password_tab:
        _password_form(viewer, row, n)
    with access_tab:
        _access(viewer, row, open_sessions)


def _role_form(viewer: Identity, row: Mapping, n: int) -> None:
    name = row["identifiant"]
    current = parse_role(row["role"])
    roles = list(Role)
    with st.form(f"comptes_changer_role_{n}"):
        role = st.selectbox(
            "Rôle",
            roles,
            index=roles.index(current) if current else 0,
            format_func=ROLE_LABELS.get,
            key=f"comptes_role_de_{name}_{n}",
        )
        association = _association_field(
            accounts.known_associations(engine()),
            _text(row["association"]),
            f"comptes_association_de_{name}_{n}",
        )
        st.caption(
            "Ses sessions ouvertes se terminent : la personne se reconnecte avec ses nouveaux "
            "droits."
        )
        submitted = st.form_submit_button("Enregistrer le rôle et l'association")
    if not submitted:
        return
    association = association if role is Role.ASSOCIATION else None
    _change(
        lambda: accounts.set_role(engine(), name, role, association, viewer.actor(origin())),
        lambda _: Done(
            "modifier",
            f"« {name} » : {_who(role, association)}. Ses sessions ouvertes sont terminées : "
            "ses nouveaux droits s'appliquent dès sa prochaine connexion.",
        ),
        unchanged=f"« {plain(name)} » a déjà ce rôle et cette association",
    )


def _password_form(viewer: Identity, row: Mapping, n: int) -> None:
    name = row["identifiant"]
    if oidc_configured():
        st.caption(
            "Connexion par le fournisseur d'identité du département : les mots de passe se "
            "gèrent chez lui, pas ici."
        )
        return
    if not row["mot_de_passe_local"]:
        st.caption(
            "Ce compte n'a pas de mot de passe local (fournisseur d'identité) : lui en donner "
            "un lui permet de se connecter ici avec son identifiant."
        )
    with st.form(f"comptes_changer_mot_de_passe_{n}"):
        mode = st.radio(
            "Nouveau mot de passe",
            [GENERATE, TYPE],
            format_func=PASSWORD_MODES.get,
            key=f"comptes_mode_de_{name}_{n}",
        )
        typed, confirmation = _password_fields(f"comptes_mot_de_passe_de_{name}_{n}")
        st.caption("Les échecs et le blocage sont effacés, ses sessions ouvertes terminées.")
        submitted = st.form_submit_button("Changer le mot de passe")
    if not submitted:
        return

    def change() -> str | None:
        password = _chosen_password(mode, name, typed, confirmation)
        accounts.set_password(
            engine(), name, password, viewer.actor(origin()), generated=mode == GENERATE
        )
        return password

    _change(
        change,
        lambda password: Done(
            "modifier",
            f"Mot de passe de « {name} » changé : échecs et blocage effacés, sessions ouvertes "
            "terminées.",
            password if mode == GENERATE else None,
            name,
        ),
    )


def _access(viewer: Identity, row: Mapping, open_sessions: int) -> None:
    name = row["identifiant"]
    actor = viewer.actor(origin())
    left, middle, right = st.columns(3)
    if row["actif"]:
        clicked = left.button(
            "Désactiver le compte",
            key="comptes_desactiver",
            icon=":material/person_off:",
            help="Plus aucune connexion possible, par aucun moyen ; ses sessions se terminent.",
        )
        action, done, already = accounts.disable, "désactivé", "était déjà désactivé"
    else:
        clicked = left.button(
            "Réactiver le compte", key="comptes_reactiver", icon=":material/person_check:"
        )
        action, done, already = accounts.enable, "réactivé", "était déjà actif"
    if middle.button(
        "Débloquer",
        key="comptes_debloquer",
        icon=":material/lock_open:",
        disabled=not (row["bloque"] or row["echecs"]),
        help="Efface les échecs de connexion et le blocage.",
    ):
        action, done, already, clicked = accounts.unlock, "débloqué", "n'était pas bloqué", True
    if right.button(
        "Mettre fin à ses sessions",
        key="comptes_fin_sessions",
        icon=":material/logout:",
        disabled=open_sessions == 0,
        help="La personne devra se reconnecter, dans chaque navigateur.",
    ):
        ended = accounts.end_account_sessions(engine(), name, actor)
        _finish(
            Done(
                "modifier",
                f"« {name} » : {count(ended, 'session terminée', 'sessions terminées')}.",
            )
        )
    if not clicked:
        return
    _change(
        lambda: action(engine(), name, actor),
        lambda _: Done("modifier", f"Compte « {name} » {done}."),
        unchanged=f"Le compte « {plain(name)} » {already}",
    )
