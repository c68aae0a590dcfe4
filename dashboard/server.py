"""Start the dashboard: `python -m dashboard.server [options of streamlit run]`.

`streamlit run app.py` with the options given, and four settings Streamlit has no option
for:
- the menu is always the one app.py builds (st.navigation, by role). Left to itself, a fresh
  server whose first visitor opens the address of a page (a bookmark, a shared link, a
  reload) runs that file of pages/ on its own and lists the file names of pages/ as the menu
  ("app", "donnees"…) until somebody opens the home page: a list of every page before
  sign-in;
- Streamlit's own interface is in French (dashboard/streamlit_fr.py: its static files served
  from a translated copy, in which the tiles' scripts come with the page:
  dashboard/static_preload.py);
- the lasting sign-in's cookie is set and dropped by the server, HttpOnly, through two
  routes added to Streamlit's (dashboard/session_routes.py);
- the dataset starts loading as soon as the server has started, before the first visitor.
"""

from __future__ import annotations

import importlib
import sys
import threading
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app.py"


def load_data_once_started() -> None:
    """Import dashboard.data, which starts reading the dataset (its snapshot) in a thread,
    right after the server has started: the first visitor does not wait for it.

    Not before: the module's cached functions (`st.cache_data`) look for Streamlit's runtime
    when they are defined, and without one each logs « No runtime found, using
    MemoryCacheStorageManager »; the module also starts its loading only inside a server
    (`runtime.exists()`), which it would not yet see."""
    from streamlit.web.server import Server

    start = Server.start

    async def start_then_load(self: Server) -> None:
        await start(self)
        threading.Thread(
            target=importlib.import_module,
            args=("dashboard.data",),
            name="pilotage-start",
            daemon=True,
        ).start()

    Server.start = start_then_load


def main(arguments: list[str]) -> None:
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.web import cli

    from dashboard import session_routes, streamlit_fr

    # What st.navigation sets on its first call; set before the first session instead.
    PagesManager.uses_pages_directory = False
    streamlit_fr.install()
    session_routes.install()
    load_data_once_started()
    sys.argv = ["streamlit", "run", str(APP), *arguments]
    cli.main()


if __name__ == "__main__":
    main(sys.argv[1:])
