"""Who is looking, and what they may see: every page calls `require` first.

Pages never rely on the router: a file of pages/ can be run directly, so each one checks
access itself. Sign-in is the département's identity provider (`st.login`, when
`.streamlit/secrets.toml` has an `[auth]` section) or the local accounts (Argon2 passwords,
`pilotage users`). The demo database opens without sign-in only when the server
listens on this machine alone, as an administrator of fictitious data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import streamlit as st
from sqlalchemy import Engine, select

import settings
from auth import sessions
from auth.accounts import (
    AccountError,
    any_admin,
    authenticate,
    end_sessions,
    record_oidc_sign_in,
)
from auth.roles import Identity, Role, identity_from_oidc
from dashboard import session_cookie
from dashboard.data import SCOPE, engine, load_is_demo, set_scope
from dashboard.first_admin import first_admin_form
from dashboard.markdown import message, plain
from dashboard.registry import page
from domain.text import normalise_key
from store import audit
from store.models import Association

IDENTITY = "_pilotage_identity"  # session state: the signed-in Identity
TOKEN = "_pilotage_token"  # session state: the lasting sign-in's token (auth/sessions.py)
TICKET = "_pilotage_ticket"  # session state: the ticket of a sign-in made on this page
SIGNED_OUT = "_pilotage_signed_out"  # session state: the token this page was opened with ended
ALLOWED = "_pilotage_allowed"  # session state: the identity this run's page was allowed for
REFUSED = "_pilotage_refused"  # session state: why the download just clicked was refused
LOCAL_ADDRESSES = {"localhost", "127.0.0.1", "::1"}
DEMO_IDENTITY = Identity("démonstration", Role.ADMIN, None, "demo")
DEMO_BANNER = (
    "Base de démonstration : toutes les données sont fictives (département du Nord, "
    "associations inventées)."
)


def origin() -> str | None:
    """Where the request comes from: the first address of X-Forwarded-For behind the
    reverse proxy, else the client address; None when unknown (tests, scripts)."""
    try:
        forwarded = st.context.headers.get("X-Forwarded-For")
        address = forwarded.split(",")[0].strip() if isinstance(forwarded, str) else None
        address = address or st.context.ip_address
    except Exception:  # outside a browser session
        return None
    return address[:100] if isinstance(address, str) and address else None


PROXY_HEADERS = ("X-Forwarded-For", "Forwarded", "X-Real-IP")


def listens_locally() -> bool:
    """The server listens on this machine only, and this visitor is on it: not through a
    proxy (which would bring the outside in), from a loopback address (Streamlit gives
    None for localhost; AppTest gives a stand-in object, taken as local)."""
    if (st.get_option("server.address") or "") not in LOCAL_ADDRESSES:
        return False
    try:
        headers = st.context.headers
        if any(isinstance(headers.get(h), str) for h in PROXY_HEADERS):
            return False
        address = st.context.ip_address
    except Exception:
        return True  # no browser session at all (bare script)
    return not isinstance(address, str) or address in LOCAL_ADDRESSES


def oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets.toml at all
        return False


def _setting(setting: settings.Setting) -> str | None:
    """A sign-in setting: the environment first, then its key (`setting.secrets_key`) in
    the `[pilotage]` section of secrets.toml, which the registry does not read."""
    configured = setting.value()
    if configured:
        return configured
    try:
        return st.secrets.get("pilotage", {}).get(setting.secrets_key)
    except Exception:
        return None


SIGNED_IN_ONCE = "_pilotage_oidc_recorded"  # session state: the OIDC sign-in was audited
REFUSED_ONCE = "_pilotage_oidc_refused"  # session state: the refused OIDC sign-in was audited


def _from_identity_provider() -> Identity | None:
    """The person the identity provider signed in, resolved at every run (a role or an
    account changed meanwhile applies at once); the sign-in is audited once per session."""
    if not oidc_configured() or not st.user.is_logged_in:
        return None
    identity = identity_from_oidc(
        st.user.to_dict(),
        engine(),
        _setting(settings.OIDC_CLAIM_ROLE),
        _setting(settings.OIDC_CLAIM_ASSOCIATION),
    )
    if identity is not None and st.session_state.get(SIGNED_IN_ONCE) != identity:
        record_oidc_sign_in(engine(), identity, origin())
        st.session_state[SIGNED_IN_ONCE] = identity
    if identity is None and not st.session_state.get(REFUSED_ONCE):
        email = str(st.user.to_dict().get("email") or st.user.to_dict().get("sub") or "?")
        audit.record(
            engine(),
            audit.Actor(email, None, None, origin()),
            "echec_connexion",
            "Fournisseur d'identité : personne sans rôle ni compte actif ici",
        )
        st.session_state[REFUSED_ONCE] = True
    return identity


def _as_referential_spells(identity: Identity, db: Engine | None = None) -> Identity:
    """An association named as the referential spells it ("asso a" → "Asso A"): the data
    are stored under that spelling, and the scope compares names exactly."""
    if identity.association is None:
        return identity
    table = Association.__table__
    with (db or engine()).connect() as conn:
        name = conn.execute(
            select(table.c.nom).where(table.c.cle == normalise_key(identity.association))
        ).scalar_one_or_none()
    return identity if name is None else replace(identity, association=name)


def _local_session() -> Identity | None:
    """The local account signed in for this browser session, checked against the database
    at every run: an ended session (signed out in another tab), an expired one or a disabled
    account signs out at once. A page opened with a valid session cookie (a reload, a new
    tab, a shared link) signs in without asking again."""
    identity = st.session_state.get(IDENTITY)
    token = st.session_state.get(TOKEN)
    if isinstance(identity, Identity):
        # A page opened with the cookie holds its token. An identity without one has just
        # signed in (its browser is on its way to the session route, which sets the cookie)
        # or comes from a test harness: it is checked against the accounts table, and a
        # sign-in made here against its ticket (its sessions ended elsewhere: signed out).
        now = sessions.still_signed_in(engine(), identity, token, st.session_state.get(TICKET))
        if now is None:
            st.session_state.pop(IDENTITY, None)
            st.session_state.pop(TOKEN, None)
            st.session_state.pop(TICKET, None)
            st.session_state[SIGNED_OUT] = True
        else:
            st.session_state[IDENTITY] = now
        return now
    if st.session_state.get(SIGNED_OUT):
        return None  # the cookie this page was opened with is no longer valid
    token = session_cookie.sent_token()
    identity = sessions.resume(engine(), token) if token else None
    if identity is not None:
        st.session_state[IDENTITY] = identity
        st.session_state[TOKEN] = token
    return identity


def viewer() -> Identity | None:
    """The signed-in identity (a local session or the identity provider, as the accounts
    table says now); the demo identity on a local demo server; else None."""
    identity = _local_session()
    if identity is not None:
        return _as_referential_spells(identity)
    identity = _from_identity_provider()
    if identity is not None:
        return _as_referential_spells(identity)
    if listens_locally() and load_is_demo():
        return DEMO_IDENTITY
    return None


def first_admin_wanted() -> bool:
    """Whether this visitor may create the first administrator: none was ever created, and
    the visitor is on the machine the server listens on (dashboard/first_admin.py)."""
    return listens_locally() and not any_admin(engine())


def signed_in(identity: Identity) -> None:
    """Start a lasting session for a local account that has just signed in: the browser
    takes a one-time ticket to the server, which gives it the session's cookie
    (dashboard/session_cookie.py)."""
    ticket = sessions.open_ticket(engine(), identity)
    st.session_state[IDENTITY] = identity
    st.session_state[TICKET] = ticket
    st.session_state.pop(TOKEN, None)
    st.session_state.pop(SIGNED_OUT, None)
    session_cookie.hand_over(ticket)


def _sign_in_form(refused: str | None = None) -> None:
    st.title("Connexion")
    if refused:
        st.error(refused, icon=":material/block:")
    st.markdown(
        "Ce tableau de bord contient des données sur des mineurs protégés : "
        "connectez-vous avec le compte que le chargé(e) de projet mentorat vous a ouvert."
    )
    if oidc_configured():
        if st.user.is_logged_in:  # known to the provider, not allowed here
            st.error(
                "Votre compte n'a pas accès à ce tableau de bord : demandez au chargé(e) de "
                "projet mentorat de vous l'ouvrir."
            )
            st.button("Se déconnecter", on_click=st.logout)
        else:
            st.button("Se connecter", type="primary", on_click=st.login)
        return
    with st.form("connexion"):
        identifiant = st.text_input("Identifiant", autocomplete="username")
        password = st.text_input("Mot de passe", type="password", autocomplete="current-password")
        submitted = st.form_submit_button("Se connecter", type="primary")
    if submitted:
        try:
            result = authenticate(engine(), identifiant, password, origin())
        except AccountError as exc:
            st.error(message(exc.message))
            return
        if result.identity is None:
            st.error(message(result.message))
            return
        signed_in(result.identity)
        st.rerun()


def sign_out() -> None:
    """End the session here and everywhere: every open session of the account (other tabs,
    other browsers) is ended in the database, and the browser goes through the server's
    sign-out route, which drops its cookie."""
    identity = st.session_state.pop(IDENTITY, None) or st.session_state.pop(SIGNED_IN_ONCE, None)
    st.session_state.pop(TOKEN, None)
    st.session_state[SIGNED_OUT] = True
    session_cookie.start_afresh()
    if isinstance(identity, Identity):
        if identity.source == "local":
            end_sessions(engine(), identity.identifiant)
        audit.record(engine(), identity.actor(origin()), "deconnexion", "Déconnexion")
    if oidc_configured() and st.user.is_logged_in:
        st.logout()


def _sidebar(identity: Identity) -> None:
    if identity.source == "demo":
        st.sidebar.caption("Mode démonstration : sans connexion, sur ce poste seulement.")
        return
    who = identity.identifiant
    if identity.association:
        who += f" — {identity.association}"
    st.sidebar.caption(f"Connecté : {plain(who)} ({identity.role_label})")  # no e-mail link
    st.sidebar.button("Se déconnecter", on_click=sign_out, key="se_deconnecter")


def require(stem: str) -> Identity:
    """The first call of every page (pages/<stem>.py, declared in dashboard/registry.py):
    the viewer, allowed on this page, with the page title shown and the data scope set;
    otherwise the sign-in form (or why access is refused), and the page stops before
    anything is read."""
    declared = page(stem)
    title = declared.title
    st.session_state.pop(SCOPE, None)
    st.session_state.pop(ALLOWED, None)
    refused = st.session_state.pop(REFUSED, None)
    identity = viewer()
    if identity is None:
        session_cookie.sync()
        if first_admin_wanted():
            first_admin_form(engine(), origin(), oidc_configured(), signed_in)
        else:
            _sign_in_form(refused)
        st.stop()
    st.title(title)
    if refused:
        st.error(refused, icon=":material/block:")
    if identity.role not in declared.roles:
        audit.record(engine(), identity.actor(origin()), "acces_refuse", f"page « {title} »")
        st.error(f"Votre rôle ({identity.role_label}) ne donne pas accès à cette page.")
        st.stop()
    set_scope(identity.role.value, identity.association)
    st.session_state[ALLOWED] = identity
    if load_is_demo():
        st.info(DEMO_BANNER, icon=":material/science:")
    _sidebar(identity)
    session_cookie.sync()
    return identity


@dataclass(frozen=True)
class Asker:
    """Who a page was drawn for, with what checks them again later: a download is built
    when its button is clicked, outside the page's script (another thread, no session
    state), where neither the session nor the browser can be read. `identity` is the one
    `require` allowed; `token` the lasting sign-in's; `user_info` and the two claims the
    identity provider's; `local` whether the demo may open without sign-in here."""

    identity: Identity
    origin: str | None
    token: str | None = None
    ticket: str | None = None  # a sign-in made on the page, not yet taken back as a cookie
    user_info: Mapping | None = field(default=None, compare=False)
    role_claim: str | None = None
    association_claim: str | None = None
    local: bool = False


def asker() -> Asker:
    """The person this run's page was allowed for (by `require`), with what checks them
    again. PermissionError when no page check ran: nothing may be handed out then."""
    identity = st.session_state.get(ALLOWED)
    if not isinstance(identity, Identity):
        raise PermissionError("no viewer: the page must call dashboard.access.require first")
    if identity.source == "oidc":
        return Asker(
            identity,
            origin(),
            user_info=dict(st.user.to_dict()),
            role_claim=_setting(settings.OIDC_CLAIM_ROLE),
            association_claim=_setting(settings.OIDC_CLAIM_ASSOCIATION),
        )
    if identity.source == "demo":
        return Asker(identity, origin(), local=listens_locally())
    token, ticket = st.session_state.get(TOKEN), st.session_state.get(TICKET)
    return Asker(identity, origin(), token=token, ticket=None if token else ticket)


ENDED = "session terminée ou compte désactivé"
CHANGED = "rôle ou association changés depuis l'affichage de la page"
REFUSALS = {
    ENDED: "Téléchargement refusé : votre session a pris fin ou votre compte a été "
    "désactivé. Reconnectez-vous pour télécharger.",
    CHANGED: "Téléchargement refusé : votre rôle ou votre association a changé depuis "
    "l'affichage de la page. La page suit maintenant vos droits : téléchargez de nouveau.",
}


def check_again(who: Asker, db: Engine) -> Identity | str:
    """`who` as the database says now, when it still has the rights the page was drawn
    with; else why not (ENDED or CHANGED). Safe outside the page's script: reads the
    database only, the same way `viewer` does at every run (the local session or account,
    the identity provider's claims and account, the demo database)."""
    before = who.identity
    if before.source == "local":
        now = sessions.still_signed_in(db, before, who.token, who.ticket)
    elif before.source == "oidc":
        now = None
        if who.user_info is not None:
            now = identity_from_oidc(who.user_info, db, who.role_claim, who.association_claim)
    else:
        now = before if who.local and load_is_demo() else None
    if now is None:
        return ENDED
    now = _as_referential_spells(now, db)
    if (now.identifiant, now.role, now.association) != (
        before.identifiant,
        before.role,
        before.association,
    ):
        return CHANGED
    return now


def refuse_on_click(who: Asker) -> None:
    """Download-button callback, at the start of the run its click starts: when `who` may
    no longer have the file (which its builder refuses, writing why in the audit log),
    the page says so; `require` then signs an ended session out."""
    result = check_again(who, engine())
    if isinstance(result, str):
        st.session_state[REFUSED] = REFUSALS[result]
