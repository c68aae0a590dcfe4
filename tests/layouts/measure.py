"""`make layouts`: how the matcher does on the layout corpus, column by column and label by
label, for the tuning set and the hold-out set apart.

Per field: the share of columns recognised correctly, asked, left out without a question
(silent) and guessed wrong; for columns that feed no field, the share left out (correct)
and guessed as some field (wrong). Per value table: the share of the layouts' own labels
recognised, left unknown (asked) and read as another value (wrong). Then each layout is
imported for real, its questions answered from the layout's answers, and the values in the
database are compared with the simulated truth cell by cell.

Those tables cover the flat layouts (no `defis`). The layouts of issue 21's shapes (event
logs, linked workbooks, CRM extractions, pending dates, cell evidence) come after, per set,
one line each (tests/layouts/shapes.py): answers needed, wrong guesses, silent losses, rows
read / loaded / quarantined / reported skipped, share of exact values after the answers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

from domain.schema import FIELDS, FieldType, Kind
from pipelines.extract import read_table
from pipelines.labels import match_label
from pipelines.mapping import header_score, map_columns
from pipelines.normalise import split_labels
from store.db import init_db, make_engine
from tests.layouts.build import CORPUS, HOLDOUT, Built, build, layout_paths
from tests.layouts.roundtrip import roundtrip
from tests.layouts.shapes import KINDS, ShapeOutcome, measure_shape

OUTCOMES = ("reconnue", "posée", "muette", "fausse")


def _table(kind: str, name: str) -> str | None:
    for f in FIELDS[Kind(kind)]:
        if f.name == name:
            return f.table
    return None


def column_outcomes(built: Built) -> list[tuple[str, str, str]]:
    """(expected field or "", outcome, header) per column of the layout, as read by the
    matcher with no profile."""
    raw = read_table(built.data, built.filename, header_score)
    mapping = map_columns(raw.header, cells=raw.frame, groups=raw.groups, profiles=())
    answers = list(built.answers.items())
    out = []
    if mapping.kind.value != built.kind:
        return [(want, "fausse", header) for header, want in answers]
    by_header = {g.position: g for g in mapping.guesses}
    for pos, (header, want) in enumerate(answers):
        guess = by_header.get(pos)
        got = mapping.columns.get(pos)
        if got:
            outcome = "reconnue" if got == want else "fausse"
        elif guess is not None and guess.ask:
            outcome = "posée"
        else:
            outcome = "muette" if want else "reconnue"
        out.append((want, outcome, header))
    return out


def label_outcomes(built: Built) -> list[tuple[str, str, str]]:
    """(table, outcome, label) for every label the layout writes."""
    out = []
    for column in built.columns:
        name, labels = column["champ"], column.get("libelles")
        table = _table(built.kind, name) if name else None
        if not table or not isinstance(labels, dict):
            continue
        multi = any(
            f.name == name and f.type == FieldType.CATEGORIES for f in FIELDS[Kind(built.kind)]
        )
        for canonical, spellings in labels.items():
            for label in spellings if isinstance(spellings, list) else [spellings]:
                if multi:
                    found_set, unknown = split_labels(label, label, table)
                    found = found_set.pop() if len(found_set) == 1 and not unknown else None
                else:
                    found = match_label(label, table)
                outcome = (
                    "reconnue" if found == canonical else "posée" if found is None else "fausse"
                )
                out.append((table, outcome, label))
    return out


def _imported(built: Built) -> tuple[int, int, int, int]:
    """Import the layout into a fresh database, its questions answered as a user who knows
    the file would: (rows read, rows loaded, cells equal to the truth, cells compared)."""
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'mesure.db'}")
        init_db(engine)
        try:
            result = roundtrip(built, engine, KEY)
        finally:
            engine.dispose()
    final = result.final
    return final.lignes_lues, final.lignes_chargees, result.equal, result.compared


KEY = os.urandom(32)  # a key of this run only: nothing measured is kept


def _share(counter: Counter, key: str) -> str:
    total = sum(counter.values())
    return f"{100 * counter[key] / total:5.1f} %" if total else "    —"


def report(title: str, built: list[Built], verbose: bool) -> dict:
    fields: dict[str, Counter] = defaultdict(Counter)
    tables: dict[str, Counter] = defaultdict(Counter)
    per_layout = []
    for b in built:
        cols = column_outcomes(b)
        for want, outcome, header in cols:
            fields[want or "(aucun champ)"][outcome] += 1
            if verbose and outcome != "reconnue":
                print(f"  {b.name}: « {header} » attendu {want or '(aucun)'} → {outcome}")
        labels = label_outcomes(b)
        for table, outcome, label in labels:
            tables[table][outcome] += 1
            if verbose and outcome != "reconnue":
                print(f"  {b.name}: libellé « {label} » ({table}) → {outcome}")
        asked = sum(1 for _, o, _ in cols if o == "posée")
        wrong = sum(1 for _, o, _ in cols if o in ("fausse", "muette"))
        per_layout.append((b.name, len(cols), asked, wrong, _imported(b)))
    print(f"\n## {title} ({len(built)} présentations)\n")
    print(
        f"{'champ':30} {'colonnes':>8}  {'reconnue':>8}  {'posée':>8}  {'muette':>8}  {'fausse':>8}"
    )
    total: Counter = Counter()
    for name in sorted(fields, key=lambda n: (n == "(aucun champ)", n)):
        c = fields[name]
        total.update(c)
        cells = "  ".join(f"{_share(c, o):>8}" for o in OUTCOMES)
        print(f"{name:30} {sum(c.values()):>8}  {cells}")
    cells = "  ".join(f"{_share(total, o):>8}" for o in OUTCOMES)
    print(f"{'TOTAL':30} {sum(total.values()):>8}  {cells}")
    print(f"\n{'table de valeurs':30} {'libellés':>8}  {'reconnu':>8}  {'inconnu':>8}  {'faux':>8}")
    label_total: Counter = Counter()
    for table in sorted(tables):
        c = tables[table]
        label_total.update(c)
        cells = "  ".join(f"{_share(c, o):>8}" for o in ("reconnue", "posée", "fausse"))
        print(f"{table:30} {sum(c.values()):>8}  {cells}")
    cells = "  ".join(f"{_share(label_total, o):>8}" for o in ("reconnue", "posée", "fausse"))
    print(f"{'TOTAL':30} {sum(label_total.values()):>8}  {cells}")
    print(
        f"\n{'présentation':34} {'colonnes':>8} {'questions':>9} {'erreurs':>8}"
        f" {'lignes chargées':>16} {'valeurs exactes':>16}"
    )
    for name, n, asked, wrong, (read, loaded, equal, compared) in per_layout:
        print(
            f"{name:34} {n:>8} {asked:>9} {wrong:>8} {f'{loaded}/{read}':>16}"
            f" {f'{100 * equal / compared:.1f} %' if compared else '—':>16}"
        )
    return {"colonnes": total, "libelles": label_total}


def _shape_outcome(path: Path) -> ShapeOutcome:
    """One layout of issue 21 built and imported into a fresh database; never raises."""
    try:
        built = build(path)
    except Exception as exc:  # a broken description is a failure, not a crash
        out = ShapeOutcome(path.stem, "?")
        out.error = f"construction : {type(exc).__name__}: {exc}"[:300]
        return out
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'formes.db'}")
        init_db(engine)
        try:
            return measure_shape(built, engine, KEY)
        finally:
            engine.dispose()


def _percent(equal: int, compared: int) -> str:
    return f"{100 * equal / compared:.1f} %" if compared else "—"


def report_shapes(title: str, paths: list[Path], verbose: bool) -> list[ShapeOutcome]:
    outcomes = [_shape_outcome(p) for p in paths]
    print(f"\n## Formes du ticket 21 — {title} ({len(outcomes)} présentations)\n")
    print(
        f"{'présentation':34} {'forme':9} {'réponses':>8} {'col/étp/feu':>11} {'fausses':>7}"
        f" {'muettes':>7} {'lues':>9} {'chargées':>9} {'quar.':>5} {'ignorées':>8}"
        f" {'valeurs exactes':>15}  statut"
    )
    for o in outcomes:
        kinds = "/".join(str(o.questions[k]) for k in KINDS)
        print(
            f"{o.name:34} {o.forme:9} {o.asked:>8} {kinds:>11} {len(o.wrong):>7}"
            f" {len(o.silent):>7} {f'{o.read}/{o.rows_in_file}':>9}"
            f" {f'{o.loaded}/{o.records}':>9} {o.quarantined:>5}"
            f" {f'{o.skipped}/{o.skipped_in_file}':>8} {_percent(o.equal, o.compared):>15}"
            f"  {o.statut if not o.error else 'échec'}"
        )
        if verbose:
            if o.error:
                print(f"  {o.name}: échec — {o.error}")
            for line in o.wrong:
                print(f"  {o.name}: fausse — {line}")
            for line in o.silent:
                print(f"  {o.name}: muette — {line}")
            for line in o.differences[:5]:
                print(f"  {o.name}: écart — {line}")
    asked = sum(o.asked for o in outcomes)
    wrong = sum(len(o.wrong) for o in outcomes)
    silent = sum(len(o.silent) for o in outcomes)
    equal = sum(o.equal for o in outcomes)
    compared = sum(o.compared for o in outcomes)
    print(
        f"{'TOTAL':34} {'':9} {asked:>8} {'':>11} {wrong:>7} {silent:>7}"
        f" {'':>9} {'':>9} {'':>5} {'':>8} {_percent(equal, compared):>15}"
    )
    n = len(outcomes)
    balanced = sum(o.statut == "charge" and o.balanced for o in outcomes)
    exact = sum(o.statut == "charge" and o.compared and o.equal == o.compared for o in outcomes)
    print(
        f"\nFait quand : {asked} réponses pour {n} fichiers (au plus {2 * n}),"
        f" {wrong} erreurs, {silent} pertes muettes ; chargés et équilibrés (lues ="
        f" chargées + quarantaine + ignorées) : {balanced}/{n} ; exacts après réponses :"
        f" {exact}/{n}"
    )
    return outcomes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Mesure du moteur de reconnaissance")
    parser.add_argument("--detail", action="store_true", help="lister chaque écart")
    parser.add_argument("--sans-reserve", action="store_true", help="corpus d'ajustement seulement")
    args = parser.parse_args(argv)
    started = dt.datetime.now()
    tuned = [build(p) for p in layout_paths(CORPUS)]
    report("Corpus d'ajustement", tuned, args.detail)
    if not args.sans_reserve:
        held = [build(p) for p in layout_paths(HOLDOUT)]
        report("Corpus réservé (jamais utilisé pour l'ajustement)", held, args.detail)
    report_shapes("corpus d'ajustement", layout_paths(CORPUS, defis=True), args.detail)
    if not args.sans_reserve:
        report_shapes("corpus réservé", layout_paths(HOLDOUT, defis=True), args.detail)
    print(f"\n({(dt.datetime.now() - started).total_seconds():.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
