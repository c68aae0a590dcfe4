"""A real Streamlit server on the demo database, and Debian's Chromium driven by Playwright.

Skipped, with the reason printed by `pytest -ra`, when Chromium is not installed: the
browser is never downloaded by a tool (`apt-get install chromium` brings it)."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

import settings
from auth.accounts import create_account
from demo import generate_demo_files
from demo.database import build_demo_database
from pipelines.api import ingest
from store.db import init_db, make_engine
from tests.conftest import TEST_KEY

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# axe-core, pinned in package.json and installed by `npm ci` (make test) for the
# accessibility test; that test is skipped without it.
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(url: str, env: dict[str, str] | None = None, log: Path | None = None):
    """The dashboard (`python -m dashboard.server`) on the database `url`, on a free local
    port; yields its base address and stops it afterwards. With `log`, the server's error
    output (Streamlit's log) is written to that file."""
    port = _free_port()
    errors = log.open("wb") if log is not None else subprocess.PIPE
    env = (
        os.environ
        | {settings.DB_URL.env: url, settings.SECRET_KEY.env: TEST_KEY.decode()}
        | (env or {})
    )
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "dashboard.server",  # `streamlit run app.py`, as `make run` starts it
            "--server.address",
            "127.0.0.1",
            "--server.port",
            str(port),
            "--server.headless",
            "true",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=errors,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if time.monotonic() > deadline or server.poll() is not None:
            server.kill()
            said = log.read_bytes() if log is not None else server.stderr.read()
            pytest.fail("Le serveur Streamlit n'a pas démarré : " + said.decode())
        time.sleep(0.3)
    try:
        yield base
    finally:
        server.terminate()
        server.wait(timeout=20)
        if log is not None:
            errors.close()


def demo_database(directory: Path) -> str:
    """A demo database built through the pipeline in `directory`; returns its URL."""
    url = f"sqlite:///{directory / 'demo.db'}"
    engine = make_engine(url)
    reports = build_demo_database(engine, directory / "demo", TEST_KEY)
    assert all(r.statut == "charge" for r in reports)
    engine.dispose()
    return url


def imported_database(directory: Path, accounts: dict[str, tuple[str, str]]) -> str:
    """Real data, as a person imports it (sign-in required, no demo mode): the demo
    département's files (300 parcours) ingested into a database in `directory`, and the
    `accounts` (identifiant -> (role, password)); returns its URL."""
    url = f"sqlite:///{directory / 'reel.db'}"
    engine = make_engine(url)
    init_db(engine)
    for path in generate_demo_files(directory / "fichiers", n_parcours=300):
        report = ingest(engine, path.read_bytes(), path.name, TEST_KEY, user="claire")
        assert report.statut == "charge", report.erreurs
    for identifiant, (role, password) in accounts.items():
        create_account(engine, identifiant, role, password=password)
    engine.dispose()
    return url


def sign_in(page, identifiant: str, password: str) -> None:
    """Fill the sign-in form the page shows (« Connexion ») and send it, as a person does;
    the caller waits for what the sign-in leads to."""
    page.get_by_label("Identifiant").fill(identifiant)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory):
    if CHROMIUM is None:
        pytest.skip("Chromium absent : tests navigateur ignorés (apt-get install chromium)")
    with streamlit_server(demo_database(tmp_path_factory.mktemp("browser"))) as base:
        yield base


@pytest.fixture(scope="session")
def browser():
    if CHROMIUM is None:
        pytest.skip("Chromium absent : tests navigateur ignorés (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()
