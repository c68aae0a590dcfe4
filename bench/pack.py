"""Comité pack benchmark (`make bench`): the deck and the workbook of a 12-month period on the
page benchmark's database of about 100,000 parcours (bench/pages.py builds it through the
pipeline), in a fresh process, beside the same run's references.

Steps, each timed once in that process (the dataset read from its snapshot first):
- reference: the pages' own computations for the same period, what the Synthèse,
  Entonnoir, Honorabilité, Associations, Territoires, Durée and Qualité pages compute
  (headline figures and alerts, funnel, honorabilité per voie and per month, association
  load, rural coverage and EPCI table, distance bands, durations, compliance counts);
- the pack's figures (`reports.pack.build_pack`, the same functions, cached results not
  shared with the reference: a new dataset object), the map picture, the deck, the
  workbook, and the freeze (stored, then read back).
Target: the pack's figures + map + deck + workbook under 10 s on 2 cores.

A measurement, not a test: exit code 0.

    python -m bench.pack [--parcours 100000] [--reconstruire]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import time

import settings
from bench.pages import KEY, ROOT, build_database

TARGET = 10.0


def _fr(seconds: float) -> str:
    return f"{seconds:.2f}".replace(".", ",")


def _child() -> None:
    """Runs in its own process: prints the timings as JSON."""
    from indicators import compliance, coverage, durations, funnel, headline, honorabilite, workload
    from indicators.dataset import Dataset, Period
    from reports import frozen
    from reports.pack import Scope, build_pack, map_picture
    from reports.render import deck_bytes, workbook_bytes
    from store import snapshot
    from store.audit import Actor
    from store.db import make_engine

    engine = make_engine()
    times: dict[str, float] = {}
    start = time.perf_counter()
    frames = snapshot.load(engine).frames
    times["donnees"] = time.perf_counter() - start
    au = Dataset(**frames).parcours["date_inscription"].max().date()
    period = Period.last_months(au, 12)

    pages = Dataset(**frames)
    start = time.perf_counter()
    headline.figures(pages, period)
    headline.figures(pages, period.previous())
    headline.alerts(pages, period)
    funnel.funnel(pages, period)
    honorabilite.by_voie(pages, period)
    honorabilite.monthly(pages, period)
    workload.association_load(pages, period.au)
    coverage.rural_urban(pages, period)
    coverage.by_epci(pages, period)
    coverage.by_commune(pages, period)
    coverage.distance_bands(pages, period)
    durations.summary(pages, period)
    durations.end_reasons(pages, period)
    compliance.alert_counts(pages, period.au)
    times["pages"] = time.perf_counter() - start

    data = Dataset(**frames)  # a new dataset: its memo shares nothing with the reference
    start = time.perf_counter()
    pack = build_pack(engine, data, period, who="banc-d-essai")
    times["chiffres"] = time.perf_counter() - start
    start = time.perf_counter()
    picture = map_picture(data, pack, Scope())
    times["carte"] = time.perf_counter() - start
    start = time.perf_counter()
    deck = deck_bytes(pack, picture)
    times["diaporama"] = time.perf_counter() - start
    start = time.perf_counter()
    book = workbook_bytes(pack, picture)
    times["classeur"] = time.perf_counter() - start
    start = time.perf_counter()
    number = frozen.freeze(
        engine, pack, picture, "Banc d'essai", "departement", None, Actor("banc")
    )
    frozen.load(engine, number)
    frozen.remove(engine, number, Actor("banc"))
    times["figer"] = time.perf_counter() - start
    times["octets"] = [len(deck), len(book), len(picture)]
    times["periode"] = [period.du.isoformat(), period.au.isoformat()]
    print(json.dumps(times))


def main() -> None:
    parser = argparse.ArgumentParser(description="Banc d'essai du pack du comité.")
    parser.add_argument("--parcours", type=int, default=100_000, help="taille du département")
    parser.add_argument("--reconstruire", action="store_true", help="reconstruire la base")
    parser.add_argument("--enfant", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.enfant:
        _child()
        return
    path, count = build_database(args.parcours, args.reconstruire)
    env = os.environ | {settings.DB_URL.env: f"sqlite:///{path}", settings.SECRET_KEY.env: KEY}
    env.pop(settings.SNAPSHOT_DIR.env, None)
    run = subprocess.run(
        [sys.executable, "-m", "bench.pack", "--enfant"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if run.returncode != 0:
        print(f"Pack non mesuré : {run.stderr.strip().splitlines()[-1:]}")
        return
    t = json.loads(run.stdout.strip().splitlines()[-1])
    du, au = (dt.date.fromisoformat(d).strftime("%d/%m/%Y") for d in t["periode"])
    total = t["chiffres"] + t["carte"] + t["diaporama"] + t["classeur"]
    deck_kb, book_kb, map_kb = (n // 1024 for n in t["octets"])
    print(f"Banc d'essai du pack du comité — base de {count:,} parcours".replace(",", " "))
    print(f"Période : inscriptions du {du} au {au}, comparée à la période précédente.")
    print(
        f"Référence du même passage : lecture de l'instantané {_fr(t['donnees'])} s ; calculs "
        f"des pages pour la même période {_fr(t['pages'])} s."
    )
    print(
        f"Pack : chiffres {_fr(t['chiffres'])} s, carte {_fr(t['carte'])} s, diaporama "
        f"{_fr(t['diaporama'])} s ({deck_kb} Kio), classeur {_fr(t['classeur'])} s "
        f"({book_kb} Kio ; carte {map_kb} Kio) ; total {_fr(total)} s "
        f"{'✓' if total < TARGET else '✗'} objectif < 10 s. Figer, relire, supprimer : "
        f"{_fr(t['figer'])} s."
    )


if __name__ == "__main__":
    main()
