"""Page benchmark (`make bench`): every page of the dashboard rendered under AppTest on a
database of about 100,000 parcours, built by generating the demo département at that size
and ingesting its files through the pipeline (never by direct inserts).

Each page runs in a fresh process. Three figures per page:
- imports: loading the libraries and our modules (paid once when the server starts);
- cold: the first render with empty caches, as after an import of new data in a running
  server (dataset read from the database, every indicator computed);
- after import: the first render once the dataset is in the shared cache, as right after
  an import or an undo made in the app (`dashboard.data.prewarm`);
- warm: a rerun with the same filters (median of 3).
Targets: warm under 1 s, cold under 3 s. A measurement, not a test: exit code 0.

    python -m bench.pages [--parcours 100000] [--reconstruire]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from dashboard import registry

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
KEY = "cle-de-banc-d-essai-uniquement-0123456789abcdef"  # fictional data only
PAGES = [page.stem for page in registry.PAGES]
VIEWER = "banc-d-essai@exemple.fr"  # an admin account of the benchmark database
WARM_TARGET, COLD_TARGET = 1.0, 3.0


def build_database(n_parcours: int, rebuild: bool) -> tuple[Path, int]:
    """The benchmark database: demo files of `n_parcours` ingested through the pipeline."""
    from sqlalchemy import func, select

    from pipelines.demo_database import build_demo_database
    from store.db import make_engine
    from store.models import Parcours

    path = OUT / f"pages-{n_parcours}.db"
    url = f"sqlite:///{path}"
    if rebuild or not path.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        for old in OUT.glob(f"pages-{n_parcours}.db*"):
            old.unlink()
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


def _child(page: str, prewarmed: bool = False) -> None:
    """Runs in its own process: prints the page's figures as JSON. With `prewarmed`, the
    dataset is read first, as `dashboard.data.prewarm` does right after an import made in
    the app: "cold" then measures the page's indicators only."""
    start = time.perf_counter()
    from streamlit.testing.v1 import AppTest

    import dashboard.data
    import dashboard.maps
    import dashboard.page
    import indicators.coverage
    import indicators.dispatch
    import indicators.durations
    import indicators.funnel
    import indicators.honorabilite
    import indicators.workload  # noqa: F401

    imports = time.perf_counter() - start
    from auth.roles import Identity, Role
    from dashboard.access import IDENTITY

    if prewarmed:
        from store.db import database_url, make_engine
        from store.queries import data_version

        with make_engine().connect() as conn:
            version = data_version(conn)
        dashboard.data._dataset(database_url(), version)
    at = AppTest.from_file(str(ROOT / "pages" / f"{page}.py"), default_timeout=300)
    at.session_state[IDENTITY] = Identity(VIEWER, Role.ADMIN, None, "local")
    start = time.perf_counter()
    at.run()
    cold = time.perf_counter() - start
    if at.exception:
        sys.exit(f"{page}: {at.exception[0].message}")
    if at.title and at.title[0].value == "Connexion":
        sys.exit(f"{page}: la page demande une connexion (compte du banc d'essai absent ?)")
    warm = []
    for _ in range(3):
        start = time.perf_counter()
        at.run()
        warm.append(time.perf_counter() - start)
    print(json.dumps({"imports": imports, "cold": cold, "warm": sorted(warm)[1]}))


def _reference() -> None:
    """Runs in its own process: the floor every cold page pays, measured on the same
    machine in the same run — importing pandas and reading the whole dataset from the
    database (store.queries.dataset_frames), with no page and no indicator."""
    start = time.perf_counter()
    import pandas  # noqa: F401

    from store.db import make_engine
    from store.queries import dataset_frames

    imports = time.perf_counter() - start
    engine = make_engine()
    start = time.perf_counter()
    with engine.connect() as conn:
        frames = dataset_frames(conn)
    read = time.perf_counter() - start
    print(json.dumps({"imports": imports, "read": read, "rows": len(frames["parcours"])}))


def _fr(seconds: float) -> str:
    return f"{seconds:.2f}".replace(".", ",")


def main() -> None:
    parser = argparse.ArgumentParser(description="Banc d'essai des pages.")
    parser.add_argument("--parcours", type=int, default=100_000, help="taille du département")
    parser.add_argument("--reconstruire", action="store_true", help="reconstruire la base")
    parser.add_argument("--page", help=argparse.SUPPRESS)  # child process
    parser.add_argument("--prewarmed", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--reference", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.page:
        _child(args.page, args.prewarmed)
        return
    if args.reference:
        _reference()
        return
    path, count = build_database(args.parcours, args.reconstruire)
    print(f"Banc d'essai des pages — base de {count:,} parcours ({path.name})".replace(",", " "))
    env = os.environ | {"PILOTAGE_DB_URL": f"sqlite:///{path}", "PILOTAGE_SECRET_KEY": KEY}
    ref = subprocess.run(
        [sys.executable, "-m", "bench.pages", "--reference"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    floor = json.loads(ref.stdout.strip().splitlines()[-1])
    print(
        f"Référence du même passage : import de pandas {_fr(floor['imports'])} s, lecture de "
        f"tout le jeu de données depuis la base {_fr(floor['read'])} s (payée par chaque "
        "page à froid)."
    )
    print(
        f"{'page':<14}{'imports (s)':>12}{'froid (s)':>11}{'après import (s)':>18}"
        f"{'chaud (s)':>11}  objectifs"
    )
    missed = 0
    for page in PAGES:
        results = []
        for flags in ([], ["--prewarmed"]):
            run = subprocess.run(
                [sys.executable, "-m", "bench.pages", "--page", page, *flags],
                cwd=ROOT, env=env, capture_output=True, text=True, check=False,
            )  # fmt: skip
            if run.returncode:
                break
            results.append(json.loads(run.stdout.strip().splitlines()[-1]))
        if len(results) < 2:
            print(f"{page:<14} échec : {run.stderr.strip().splitlines()[-1:]}")
            missed += 1
            continue
        r, after = results
        ok_cold, ok_warm = r["cold"] < COLD_TARGET, r["warm"] < WARM_TARGET
        missed += (not ok_cold) + (not ok_warm)
        marks = f"{'✓' if ok_cold else '✗'} froid < 3 s, {'✓' if ok_warm else '✗'} chaud < 1 s"
        print(
            f"{page:<14}{_fr(r['imports']):>12}{_fr(r['cold']):>11}{_fr(after['cold']):>18}"
            f"{_fr(r['warm']):>11}  {marks}"
        )
    print("Objectifs manqués : " + (str(missed) if missed else "aucun") + ".")


if __name__ == "__main__":
    main()
