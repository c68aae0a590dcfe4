"""The two routes the server adds to Streamlit's for the lasting sign-in's cookie
(auth/sessions.py): the cookie is set and dropped by the server, `HttpOnly`, so no script of
the page can read it.

- `/_pilotage/session?ticket=…&retour=/chemin`: the browser comes here right after a
  sign-in, with the one-time ticket the page gave it (never the token). A ticket that is
  unknown, already used, expired, or brought from another site (`Sec-Fetch-Site`: a link
  that would sign a visitor into somebody else's account) gets a French page saying so
  (400 when malformed, 403 otherwise) and no cookie; a good one gets the session's token as
  a cookie (`HttpOnly; SameSite=Strict; Path=/`, `Secure` over HTTPS) and a 303 to
  `retour`.
- `/_pilotage/deconnexion?retour=/chemin`: after a sign-out or leaving demo mode; the
  cookie is expired and its session ended (the page has already ended every session of the
  account), then a 303 to `retour`.

`retour` is a path of this site only (`same_site_path`): anything else (an absolute
address, `//hôte`, a backslash) sends back to the home page, never elsewhere.

`Secure` when Streamlit serves HTTPS itself (`server.sslCertFile`), or behind a reverse
proxy when a setting says there is one (`settings.BEHIND_PROXY`) and its
`X-Forwarded-Proto` says `https` (the last value, the one the nearest proxy wrote); without
that setting the header is ignored, since a visitor could write it.

`install()` adds the routes to the server Streamlit builds (dashboard/server.py calls it
before starting Streamlit); pages address them with `address()`, under
`server.baseUrlPath`. Started by `streamlit run app.py` instead, the server has no such
routes (`INSTALLED` is False): a sign-in then lasts as long as the browser's session only.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from streamlit import config

import settings
from auth import sessions

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import BaseRoute

SESSION = "/_pilotage/session"
SIGN_OUT = "/_pilotage/deconnexion"
RETOUR = "retour"  # the query parameter: where the browser goes next
_TICKET = re.compile(r"^[A-Za-z0-9_-]{20,100}$")
# A path of this site: printable ASCII without space, starting with one slash (not two:
# `//hôte` is another site) and holding no backslash (browsers read it as a slash).
_PATH = re.compile(r"^/(?!/)[!-\[\]-~]{0,2000}$")
_SAME_ORIGIN = {None, "same-origin", "none"}  # Sec-Fetch-Site: absent, this site, typed
INSTALLED = False  # whether this process's server has the routes (`install`)


def _base() -> str:
    """`server.baseUrlPath`, as `/chemin` or empty."""
    base = (config.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}" if base else ""


def address(route: str, ticket: str | None = None) -> str:
    """Where the page sends the browser: `route` (SESSION or SIGN_OUT) under the base path,
    with its ticket, ending with `retour=` for the page to add its own path (encoded)."""
    query = f"ticket={ticket}&" if ticket is not None else ""
    return f"{_base()}{route}?{query}{RETOUR}="


def same_site_path(retour: object) -> str:
    """`retour` when it is a path of this site; else the home page."""
    if isinstance(retour, str) and _PATH.match(retour):
        return retour
    return f"{_base()}/"


def secure(headers: Mapping[str, str]) -> bool:
    """Whether the visitor's connection is HTTPS: Streamlit's own, or the reverse proxy's
    when a setting says there is one."""
    if config.get_option("server.sslCertFile"):
        return True
    if not settings.BEHIND_PROXY.value():
        return False
    proto = headers.get("x-forwarded-proto") or ""
    return proto.split(",")[-1].strip().lower() == "https"


def cookie(value: str, max_age: int, https: bool) -> str:
    """The Set-Cookie header of the session cookie (an empty value and 0: dropped)."""
    parts = [f"{sessions.COOKIE}={value}", f"Max-Age={int(max_age)}", "Path=/", "HttpOnly"]
    parts.append("SameSite=Strict")
    if https:
        parts.append("Secure")
    return "; ".join(parts)


_NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
_REFUSED = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Connexion impossible</title></head>
<body><h1>Connexion impossible</h1>
<p>Ce lien de connexion a déjà servi, a expiré ou ne vient pas de ce tableau de bord.</p>
<p><a href="{retour}">Revenir au tableau de bord</a> et reconnectez-vous.</p>
</body></html>
"""


def _from_this_site(request: Request) -> bool:
    return request.headers.get("sec-fetch-site") in _SAME_ORIGIN


def _redirect(retour: str, set_cookie: str | None = None) -> Response:
    from starlette.responses import Response

    headers = {"Location": retour, **_NO_STORE}
    if set_cookie is not None:
        headers["Set-Cookie"] = set_cookie
    return Response(status_code=303, headers=headers)


def _refused(retour: str, status: int) -> Response:
    from starlette.responses import HTMLResponse

    page = _REFUSED.format(retour=html.escape(retour, quote=True))
    return HTMLResponse(page, status_code=status, headers=_NO_STORE)


def _engine():
    # Imported here, when a request comes: the module's cached functions need Streamlit's
    # runtime, which does not exist yet when the routes are installed.
    from dashboard.data import engine

    return engine()


def open_session(request: Request) -> Response:
    """GET /_pilotage/session: a ticket for the session cookie (run in a worker thread:
    it reads and writes the database)."""
    retour = same_site_path(request.query_params.get(RETOUR))
    ticket = request.query_params.get("ticket")
    if not isinstance(ticket, str) or not _TICKET.match(ticket):
        return _refused(retour, 400)
    if not _from_this_site(request):
        return _refused(retour, 403)
    opened = sessions.redeem(_engine(), ticket)
    if opened is None:
        return _refused(retour, 403)
    token, max_age = opened
    return _redirect(retour, cookie(token, max_age, secure(request.headers)))


def sign_out(request: Request) -> Response:
    """GET /_pilotage/deconnexion: the session cookie dropped, its session ended. Not for a
    request from another site (which would sign a visitor out without asking)."""
    retour = same_site_path(request.query_params.get(RETOUR))
    if not _from_this_site(request):
        return _redirect(retour)
    token = request.cookies.get(sessions.COOKIE)
    if token:
        sessions.end(_engine(), token)
    return _redirect(retour, cookie("", 0, secure(request.headers)))


def routes() -> list[BaseRoute]:
    from starlette.routing import Route

    return [
        Route(f"{_base()}{SESSION}", open_session, methods=["GET"]),
        Route(f"{_base()}{SIGN_OUT}", sign_out, methods=["GET"]),
    ]


def install() -> None:
    """Add the routes to every Starlette app Streamlit builds in this process, before its
    own (whose static files would otherwise answer any path)."""
    from streamlit.web.server.starlette import starlette_app

    global INSTALLED
    INSTALLED = True
    streamlit_routes = starlette_app.create_streamlit_routes
    if getattr(streamlit_routes, "with_pilotage", False):
        return

    def with_ours(runtime):
        return [*routes(), *streamlit_routes(runtime)]

    with_ours.with_pilotage = True
    starlette_app.create_streamlit_routes = with_ours
