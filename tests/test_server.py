"""The server entry point (`python -m dashboard.server`, what `make run` and the browser
tests start), without a browser: it serves the French copy of Streamlit's page and
scripts, and its log holds no « No runtime found, using MemoryCacheStorageManager » (a
cached function defined or called before Streamlit's runtime exists) and no warning of the
translation."""

from __future__ import annotations

import re
import time
import urllib.request

from store.db import init_db, make_engine
from tests.browser.conftest import streamlit_server


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode("utf-8")


def test_the_server_serves_french_and_logs_no_warning(tmp_path):
    url = f"sqlite:///{tmp_path / 'vide.db'}"
    engine = make_engine(url)
    init_db(engine)
    engine.dispose()
    log = tmp_path / "serveur.log"
    with streamlit_server(url, log=log) as base:
        page = _get(base)
        assert '<html lang="fr">' in page and "You need to enable JavaScript" not in page
        folder = re.search(r'src="\./static/(fr-[0-9a-f]{12})/(index\.[^"]+\.js)"', page)
        assert folder, page[:2000]
        assert "Aller au contenu principal" in _get(f"{base}/static/{folder[1]}/{folder[2]}")
        time.sleep(3)  # the dataset's loading, started with the server, has run
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    assert not [line for line in lines if "No runtime found" in line], lines
    unwanted = ("WARNING", "Traceback", "Streamlit interface", "not loaded at start")
    assert not [line for line in lines if any(word in line for word in unwanted)], lines
