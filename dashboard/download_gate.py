"""Every download of the dashboard: one button, whose file is built only when it is
clicked, for the person who asked, and only if that person may still have it.

A page drawn in a tab may stay open for hours: an account disabled meanwhile (`pilotage
users disable`, the Comptes page), a session ended in another tab, a role or an association
changed. So no file is made when the page is drawn: `download_button` hands Streamlit a
builder, which Streamlit runs when the button is clicked, in a thread of its own, outside
the page's script. The builder checks the person against the database again
(`access.check_again`, from what `access.asker` took when the page was drawn) and then
either builds the file and writes the download in the audit log with that person
(identifiant, role, association, origin), or builds nothing, writes « acces_refuse », and
fails: the browser gets no file. The run the click starts says why on the page
(`access.refuse_on_click`), and signs an ended session out.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from dashboard.access import Asker, asker, check_again, refuse_on_click
from dashboard.data import engine
from store import audit

DOWNLOAD = ":material/download:"
Content = bytes | str


class DownloadRefused(PermissionError):
    """The person who clicked may no longer have the file (nothing was built)."""


def guarded(who: Asker, build: Callable[[], Content] | Content, action: str, what: str):
    """The builder Streamlit runs on a click: `build()` (or `build` itself, a file made
    already) for `who` if they may still have the file, written in the audit log as
    `action` (« telechargement » or « export ») with the detail `what`, in `who`'s name as
    the database says now; otherwise nothing built, « acces_refuse » in `who`'s name as the
    page knew them, and DownloadRefused."""
    if action not in ("telechargement", "export"):
        raise ValueError(f"not a download action: {action!r}")

    db = engine()  # taken with the page: the builder runs where Streamlit's caches warn

    def built() -> Content:
        now = check_again(who, db)
        if isinstance(now, str):
            audit.record(db, who.identity.actor(who.origin), "acces_refuse", f"{what} : {now}")
            raise DownloadRefused(now)
        content = build() if callable(build) else build
        audit.record(db, now.actor(who.origin), action, what)
        return content

    return built


def download_button(
    label: str,
    build: Callable[[], Content] | Content,
    file_name: str,
    mime: str,
    *,
    key: str,
    action: str,
    what: str,
    where=None,
    icon: str = DOWNLOAD,
    help: str | None = None,
) -> None:
    """A download button (in `where`, a column or container; the page by default) whose
    file is `build()` (or `build`), made or handed out when it is clicked, for the person
    the page was drawn for if they may still have it, and audited (`guarded`)."""
    who = asker()
    (where or st).download_button(
        label,
        guarded(who, build, action, what),
        file_name,
        mime,
        key=key,
        help=help,
        icon=icon,
        on_click=refuse_on_click,
        args=(who,),
    )
