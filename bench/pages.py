"""Page benchmark (`make bench`): every page of the dashboard rendered under AppTest on a
database of about 100,000 parcours, built by generating the demo département at that size
and ingesting its files through the pipeline (never by direct inserts).

First, the same run's references, each in a fresh process: loading the libraries and our
modules (paid once when the server starts), reading the whole dataset from the database
(`store.queries.dataset_frames`, what every cold page paid before the snapshot), writing
the columnar snapshot (store/snapshot.py, paid after each import or undo) and reading it
back (what a cold page pays now).

Then each page, in fresh processes:
- cold: the first render in a new server process, the dataset read from the snapshot on
  disk by the page, every indicator computed;
- loaded at start: the same, with the dataset loading started when `dashboard.data` is
  imported (`load_in_background`, as in the server), while the other modules load;
- in memory: the first render once the dataset is in the shared cache (right after an
  import or an undo made in the app, or once the start-up load has finished);
- warm: a rerun with the same filters (median of 3).
Beside the cold render's wall time, its CPU time; and the machine's load average at the
start and the end of the run (other work on a shared machine lengthens the wall times).
Targets: every page under 3 s cold and under 1 s warm.

Last, a fresh browser session on the demo database (Chromium, when installed): seconds to
the first figure drawn, for the first session of a new server and nine next ones, beside a
one-figure Streamlit page served the same way at the same time (the floor), visits
alternating between the two. Targets: under 3 s, and the next sessions' median at most
1.5× the floor's.

A measurement, not a test: exit code 0.

    python -m bench.pages [--parcours 100000] [--reconstruire] [--seulement PAGE…]
                          [--sans-navigateur | --navigateur-seulement]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import settings
from dashboard import registry

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
KEY = "cle-de-banc-d-essai-uniquement-0123456789abcdef"  # fictional data only
PAGES = [page.stem for page in registry.PAGES]
VIEWER = "banc-d-essai@exemple.fr"  # an admin account of the benchmark database
WARM_TARGET, COLD_TARGET = 1.0, 3.0
FLOOR_RATIO_TARGET = 1.5  # a new tab's first figure against the one-figure page's


def build_database(n_parcours: int, rebuild: bool) -> tuple[Path, int]:
    """The benchmark database: demo files of `n_parcours` ingested through the pipeline."""
    from sqlalchemy import func, select

    from demo.database import build_demo_database
    from store.db import make_engine
    from store.models import Parcours

    path = OUT / f"pages-{n_parcours}.db"
    url = f"sqlite:///{path}"
    if rebuild or not path.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        for old in OUT.glob(f"pages-{n_parcours}.db*"):  # the snapshot folder too
            shutil.rmtree(old) if old.is_dir() else old.unlink()
        start = time.perf_counter()
        engine = make_engine(url)
        reports = build_demo_database(
            engine, OUT / f"fichiers-{n_parcours}", KEY.encode(), n_parcours=n_parcours
        )
        rejected = [r.fichier for r in reports if r.statut != "charge"]
        if rejected:
            sys.exit(f"Fichiers refusés : {rejected}")
        print(f"Base construite par le pipeline en {time.perf_counter() - start:.0f} s")
    engine = make_engine(url)
    with engine.connect() as conn:
        count = conn.execute(select(func.count()).select_from(Parcours)).scalar_one()
    _admin_account(engine)
    return path, count


def _admin_account(engine) -> None:
    """The pages check who is signed in: the benchmark views them as an administrator."""
    from sqlalchemy import select

    from auth.accounts import create_account
    from store.db import init_db
    from store.models import Compte

    init_db(engine)
    with engine.connect() as conn:
        known = conn.execute(select(Compte.id).where(Compte.identifiant == VIEWER)).first()
    if known is None:
        create_account(engine, VIEWER, "admin")


MODES = ("froid", "demarrage", "memoire")


def _import_modules(mode: str) -> float:
    """Import what a page needs; returns the seconds. `demarrage`: start loading the dataset
    as soon as `dashboard.data` is imported, as the server does."""
    start = time.perf_counter()
    import streamlit  # noqa: F401

    import dashboard.data

    if mode == "demarrage":
        dashboard.data.load_in_background()
    from streamlit.testing.v1 import AppTest  # noqa: F401

    import dashboard.maps
    import dashboard.page
    import indicators.coverage
    import indicators.dispatch
    import indicators.durations
    import indicators.funnel
    import indicators.honorabilite
    import indicators.workload  # noqa: F401

    return time.perf_counter() - start


def _child(page: str, mode: str) -> None:
    """Runs in its own process: prints the page's figures as JSON."""
    imports = _import_modules(mode)
    from streamlit.testing.v1 import AppTest

    import dashboard.data
    from auth.roles import Identity, Role
    from dashboard.access import IDENTITY

    if mode == "memoire":
        dashboard.data.prewarm()
    at = AppTest.from_file(str(ROOT / "pages" / f"{page}.py"), default_timeout=300)
    at.session_state[IDENTITY] = Identity(VIEWER, Role.ADMIN, None, "local")
    start, cpu = time.perf_counter(), time.process_time()
    at.run()
    cold, cold_cpu = time.perf_counter() - start, time.process_time() - cpu
    if at.exception:
        sys.exit(f"{page}: {at.exception[0].message}")
    if at.title and at.title[0].value == "Connexion":
        sys.exit(f"{page}: la page demande une connexion (compte du banc d'essai absent ?)")
    warm = []
    for _ in range(3):
        start = time.perf_counter()
        at.run()
        warm.append(time.perf_counter() - start)
    figures = {"imports": imports, "cold": cold, "cold_cpu": cold_cpu, "warm": sorted(warm)[1]}
    print(json.dumps(figures))


def _reference(step: str) -> None:
    """Runs in its own process. `base`: the libraries' import, then the whole dataset read
    from the database and written as the snapshot; `instantane`: the snapshot read back
    (key query included), in a fresh process as a new server reads it."""
    imports = _import_modules("froid")
    from store import snapshot
    from store.db import make_engine

    engine = make_engine()
    with engine.connect() as conn:
        where = snapshot.directory(conn)
    if step == "base":
        start = time.perf_counter()
        key, frames = snapshot.read_database(engine)
        read = time.perf_counter() - start
        start = time.perf_counter()
        snapshot.write(where, key, frames)
        snapshot.remove_others(where, key)
        written = time.perf_counter() - start
        rows = len(frames["parcours"])
        print(json.dumps({"imports": imports, "read": read, "write": written, "rows": rows}))
        return
    loaded = snapshot.load(engine)
    if loaded.source != "snapshot":
        sys.exit(f"instantané non relu (source : {loaded.source})")
    print(json.dumps({"imports": imports, "read": loaded.seconds}))


def _load() -> str:
    """The machine's load average over a minute: on a shared 2-core machine, above 2 the
    wall times grow with other people's work (the CPU column does not)."""
    return f"{os.getloadavg()[0]:.1f}".replace(".", ",")


def _fr(seconds: float) -> str:
    return f"{seconds:.2f}".replace(".", ",")


def _run(env: dict, *args: str) -> dict | None:
    run = subprocess.run(
        [sys.executable, "-m", "bench.pages", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if run.returncode:
        print(f"  échec de {' '.join(args)} : {run.stderr.strip().splitlines()[-1:]}")
        return None
    return json.loads(run.stdout.strip().splitlines()[-1])


FLOOR_APP = """import plotly.graph_objects as go
import streamlit as st

st.title("Plancher")
st.metric("Un chiffre", 12)
st.plotly_chart(go.Figure(go.Bar(x=["a"], y=[1])))
"""


@contextlib.contextmanager
def _server(command: list[str], env: dict):
    """A Streamlit server on a free local port; yields its address."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    options = ["--server.address", "127.0.0.1", "--server.port", str(port)]
    server = subprocess.Popen(
        [*command, *options, "--server.headless", "true"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    try:
        while True:
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("le serveur Streamlit n'a pas démarré") from None
                time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=20)


def _visits(browser, base: str, visits: int) -> list[float]:
    """Seconds from opening the address in a fresh browser session (nothing cached, no
    cookie) to the first figure drawn, for each visit."""
    seconds = []
    for _ in range(visits):
        context = browser.new_context()
        page = context.new_page()
        start = time.monotonic()
        page.goto(base)
        page.locator('[data-testid="stMetric"]').first.wait_for(timeout=120_000)
        seconds.append(time.monotonic() - start)
        context.close()
    return seconds


def browser_visits(visits: int = 9) -> int:
    """The demo database (≈ 1,500 parcours, open without sign-in on this machine) served by
    a new server, opened in fresh Chromium sessions: the first after the start, then
    `visits` more; beside the same run's floor, a Streamlit page of one figure served at
    the same time. Demo and floor visits alternate, so that other work on the machine
    weighs on both alike. Returns the targets missed."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print("Chromium absent : la visite dans le navigateur n'est pas mesurée.")
        return 0
    from playwright.sync_api import sync_playwright

    from demo.database import build_demo_database
    from store.db import make_engine

    demo = OUT / "demo.db"
    if not demo.exists():
        build_demo_database(make_engine(f"sqlite:///{demo}"), OUT / "fichiers-demo", KEY.encode())
    floor = OUT / "plancher.py"
    floor.write_text(FLOOR_APP, encoding="utf-8")
    env = os.environ | {settings.DB_URL.env: f"sqlite:///{demo}", settings.SECRET_KEY.env: KEY}
    # The demo served as `make run` serves it (dashboard.server: the dataset loads as the
    # server starts, the first screen's scripts come with the page); the floor is a bare
    # `streamlit run`.
    servers = {
        "demo": [sys.executable, "-m", "dashboard.server"],
        "plancher": [sys.executable, "-m", "streamlit", "run", str(floor)],
    }
    times: dict[str, list[float]] = {name: [] for name in servers}
    with contextlib.ExitStack() as stack, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        bases = {name: stack.enter_context(_server(cmd, env)) for name, cmd in servers.items()}
        first = {name: _visits(browser, base, 1)[0] for name, base in bases.items()}
        for _ in range(visits):
            for name, base in bases.items():
                times[name] += _visits(browser, base, 1)
        browser.close()
    later, floor_median = statistics.median(times["demo"]), statistics.median(times["plancher"])
    ok_first, ok_later = first["demo"] < COLD_TARGET, later < COLD_TARGET
    ratio = later / floor_median
    ok_ratio = ratio <= FLOOR_RATIO_TARGET
    print(
        "Visite dans Chromium, base de démonstration, premier chiffre affiché : première "
        f"session après le démarrage du serveur {_fr(first['demo'])} s "
        f"({'✓' if ok_first else '✗'} < 3 s) ; {visits} sessions suivantes, médiane "
        f"{_fr(later)} s (de {_fr(min(times['demo']))} à {_fr(max(times['demo']))} ; "
        f"{'✓' if ok_later else '✗'} < 3 s). Plancher du même passage (une page Streamlit "
        f"d'un chiffre, visites alternées avec la démonstration) : médiane {_fr(floor_median)} s "
        f"(de {_fr(min(times['plancher']))} à {_fr(max(times['plancher']))}). "
        f"Nouvel onglet : {_fr(ratio)}× le plancher ({'✓' if ok_ratio else '✗'} ≤ 1,5×)."
    )
    return (not ok_first) + (not ok_later) + (not ok_ratio)


def main() -> None:
    parser = argparse.ArgumentParser(description="Banc d'essai des pages.")
    parser.add_argument("--parcours", type=int, default=100_000, help="taille du département")
    parser.add_argument("--reconstruire", action="store_true", help="reconstruire la base")
    parser.add_argument("--seulement", nargs="+", choices=PAGES, metavar="PAGE", help="pages")
    parser.add_argument(
        "--sans-navigateur", action="store_true", help="ne pas mesurer la visite dans Chromium"
    )
    parser.add_argument(
        "--navigateur-seulement",
        action="store_true",
        help="ne mesurer que la visite dans Chromium (base de démonstration)",
    )
    parser.add_argument("--page", help=argparse.SUPPRESS)  # child process
    parser.add_argument("--mode", choices=MODES, default="froid", help=argparse.SUPPRESS)
    parser.add_argument("--reference", choices=("base", "instantane"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.page:
        _child(args.page, args.mode)
        return
    if args.reference:
        _reference(args.reference)
        return
    load_at_start = _load()
    if args.navigateur_seulement:
        missed = browser_visits()
        print("Objectifs manqués : " + (str(missed) if missed else "aucun") + ".")
        print(
            f"Charge de la machine (load average) : {load_at_start} au début, {_load()} à la fin."
        )
        return
    path, count = build_database(args.parcours, args.reconstruire)
    print(f"Banc d'essai des pages — base de {count:,} parcours ({path.name})".replace(",", " "))
    env = os.environ | {settings.DB_URL.env: f"sqlite:///{path}", settings.SECRET_KEY.env: KEY}
    env.pop(settings.SNAPSHOT_DIR.env, None)  # beside the benchmark database
    base = _run(env, "--reference", "base")
    again = _run(env, "--reference", "instantane")
    if base is None or again is None:
        sys.exit("Références non mesurées.")
    print(
        f"Références du même passage : bibliothèques et modules {_fr(base['imports'])} s ; "
        f"lecture de tout le jeu de données depuis la base {_fr(base['read'])} s ; écriture "
        f"de l'instantané {_fr(base['write'])} s ; lecture de l'instantané "
        f"{_fr(again['read'])} s (dans un processus neuf)."
    )
    print(
        f"{'page':<14}{'imports':>9}{'froid':>8}{'(CPU)':>8}{'démarrage':>11}{'en mémoire':>12}"
        f"{'chaud':>8}  objectifs (secondes)"
    )
    missed = 0
    for page in args.seulement or PAGES:
        results = [_run(env, "--page", page, "--mode", mode) for mode in MODES]
        if None in results:
            print(f"{page:<14} échec")
            missed += 2
            continue
        cold, start, memory = results
        ok_cold, ok_warm = cold["cold"] < COLD_TARGET, cold["warm"] < WARM_TARGET
        missed += (not ok_cold) + (not ok_warm)
        marks = f"{'✓' if ok_cold else '✗'} froid < 3 s, {'✓' if ok_warm else '✗'} chaud < 1 s"
        print(
            f"{page:<14}{_fr(cold['imports']):>9}{_fr(cold['cold']):>8}{_fr(cold['cold_cpu']):>8}"
            f"{_fr(start['cold']):>11}{_fr(memory['cold']):>12}{_fr(cold['warm']):>8}  {marks}"
        )
    if not args.sans_navigateur:
        missed += browser_visits()
    print("Objectifs manqués : " + (str(missed) if missed else "aucun") + ".")
    print(f"Charge de la machine (load average) : {load_at_start} au début, {_load()} à la fin.")


if __name__ == "__main__":
    main()
