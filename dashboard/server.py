"""Start the dashboard: `python -m dashboard.server [options of streamlit run]`.

`streamlit run app.py` with the options given, the dataset loading as the server starts, and
one setting Streamlit has no option for:
the menu is always the one app.py builds (st.navigation, by role). Left to itself, a fresh
server whose first visitor opens the address of a page (a bookmark, a shared link, a reload)
runs that file of pages/ on its own and lists the file names of pages/ as the menu ("app",
"donnees"…) until somebody opens the home page: a list of every page before sign-in.
"""

from __future__ import annotations

import sys
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app.py"


def main(arguments: list[str]) -> None:
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.web import cli

    # What st.navigation sets on its first call; set before the first session instead.
    PagesManager.uses_pages_directory = False
    # Importing the data module starts reading the dataset (its snapshot) in a thread, while
    # the server starts: the first visitor does not wait for it.
    import dashboard.data  # noqa: F401

    sys.argv = ["streamlit", "run", str(APP), *arguments]
    cli.main()


if __name__ == "__main__":
    main(sys.argv[1:])
