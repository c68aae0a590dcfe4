"""The shapes of issue 21 measured on one built layout: imported for real, every question
answered from the layout's truth round after round, then judged.

- questions: every answer the import needed (column, step label, sheet);
- wrong guesses: a column, a step label or a sheet decided wrong without asking (or against
  the answer given), a file or a shape read as another kind, rows that are no data loaded
  or quarantined (every record a layout writes is valid);
- silent losses: a column with dates or labels, a step label, a sheet with dates or labels,
  or rows dropped with neither a question nor a report line (a refused file loses nothing
  silently: the user is told);
- rows: read, loaded, quarantined, reported skipped (`lignes_ignorees`), against what the
  file holds;
- the share of the truth's values found in the database after the answers.

The import's report (`FileReport.as_json()`) is read for the keys issue 21 adds: "forme",
"feuilles", "etapes", "lignes_ignorees", and questions of three kinds ({"en_tete"},
{"etape"}, {"feuille"}). An import without them is measured all the same: what it does not
report is judged as not reported.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import Engine

from domain.schema import FIELDS, Kind
from domain.text import normalise_key
from pipelines.api import FileReport
from tests.layouts.build import Built
from tests.layouts.roundtrip import (
    answered_rounds,
    column_key,
    column_names,
    compare,
    question_key,
    question_kind,
)

# What the import should decide for a sheet of each role (a workbook).
DECISIONS = {
    "principale": "principale",
    "jointe": "jointe",
    "sans_cle": "ignoree",
    "notes": "ignoree",
}
KINDS = ("colonne", "etape", "feuille")


@dataclass
class ShapeOutcome:
    name: str
    forme: str
    statut: str = "échec"  # the final import's statut, or "échec" when the import raised
    questions: Counter = field(default_factory=Counter)  # kind -> questions asked
    wrong: list[str] = field(default_factory=list)
    silent: list[str] = field(default_factory=list)
    read: int = 0  # lignes_lues of the final import
    loaded: int = 0
    quarantined: int = 0
    skipped: int = 0  # rows the import reports skipped (lignes_ignorees)
    records: int = 0  # rows (youths, checks) the truth holds
    rows_in_file: int = 0  # rows under the header (journal: event rows)
    skipped_in_file: int = 0  # section, sub-total and total rows in the file
    equal: int = 0
    compared: int = 0
    error: str | None = None
    differences: list[str] = field(default_factory=list)

    @property
    def asked(self) -> int:
        return sum(self.questions.values())

    @property
    def balanced(self) -> bool:
        """Rows read = rows loaded + rows quarantined + rows reported skipped."""
        return self.read == self.loaded + self.quarantined + self.skipped

    @property
    def exact(self) -> float | None:
        return self.equal / self.compared if self.compared else None


def _json(report: FileReport) -> dict:
    try:
        return report.as_json()
    except Exception:  # a report that cannot say more is judged on less
        return {"colonnes": report.colonnes, "questions": report.questions}


def _judge_sheets(built: Built, rep: dict, asked: set, refused: bool, out: ShapeOutcome) -> set:
    """The sheets the import kept (principale or jointe); wrong and silent sheets noted."""
    if built.forme != "classeur":
        return set()
    lines = rep.get("feuilles")
    decisions = {normalise_key(str(f.get("feuille"))): f for f in lines or []}
    kept = set()
    for name, role in built.sheet_roles.items():
        key = normalise_key(name)
        was_asked = ("feuille", key) in asked
        holds = any(c.holds for c in built.cols if c.sheet == name)
        line = decisions.get(key)
        got = line.get("decision") if line else None
        if lines is None and role == "principale":
            got = "principale"  # an import that reads one sheet: suppose it read this one
        want = DECISIONS[role]
        if got in ("principale", "jointe"):
            kept.add(name)
        if got == want:
            if role == "sans_cle" and not was_asked and not refused:
                out.silent.append(f"feuille « {name} » (dates, libellés) ignorée sans question")
            expected_key = built.sheet_keys.get(name)
            cle = (line or {}).get("cle")
            if (
                got == "jointe"
                and expected_key
                and cle is not None
                and not normalise_key(str(cle)).endswith(normalise_key(expected_key))
            ):
                out.wrong.append(f"feuille « {name} » jointe par « {cle} », pas « {expected_key} »")
            continue
        if got in (None, "ignoree"):
            if was_asked and want != "ignoree":
                out.wrong.append(f"feuille « {name} » : {got or 'absente'} malgré la réponse")
            elif holds and not was_asked and not refused:
                out.silent.append(f"feuille « {name} » ({role}) laissée sans question")
            continue
        out.wrong.append(f"feuille « {name} » : {got}, attendu {want}")
    return kept


def _judge_columns(
    built: Built, rep: dict, asked: set, kept: set, refused: bool, out: ShapeOutcome
) -> None:
    pool: dict[str, list[dict]] = defaultdict(list)
    for entry in rep.get("colonnes") or []:
        pool[column_key(entry)].append(entry)
    fields = {f.name for f in FIELDS[Kind(built.kind)]}
    for column in built.cols:
        if column.sheet is not None and column.sheet not in kept:
            continue  # judged with its sheet
        names = [normalise_key(column.display), *sorted(column_names(column))]
        entry = next((pool[n].pop(0) for n in names if pool.get(n)), None)
        got = entry.get("champ") if entry else None
        was_asked = any(("colonne", n) in asked for n in names)
        if column.field.startswith("@"):
            if got in fields:
                out.wrong.append(f"« {column.display} » ({column.field}) lue comme {got}")
            continue
        if got and got != column.field:
            out.wrong.append(
                f"« {column.display} » lue comme {got}, est {column.field or '(aucun)'}"
            )
        elif not got and column.field and column.holds and not was_asked and not refused:
            out.silent.append(f"« {column.display} » ({column.field}) laissée sans question")


def _judge_steps(built: Built, rep: dict, asked: set, refused: bool, out: ShapeOutcome) -> None:
    if built.forme != "journal":
        return
    lines = rep.get("etapes")
    placed = {normalise_key(str(e.get("libelle"))): e for e in lines or []}
    for label, want in built.steps.items():
        key = normalise_key(label)
        was_asked = ("etape", key) in asked
        line = placed.get(key)
        if line is None:
            if want and not was_asked and not refused:
                out.silent.append(f"étape « {label} » ({want}) perdue sans question")
            continue
        got = line.get("champ") or ""
        if got != want:
            none = "(pas une étape)"
            out.wrong.append(f"libellé « {label} » lu comme {got or none}, est {want or none}")
    if lines is not None and out.statut == "charge":
        placed_rows = sum(int(e.get("lignes") or 0) for e in lines)
        if placed_rows < built.rows_read:
            out.silent.append(
                f"{built.rows_read - placed_rows} lignes du journal sans libellé reporté"
            )


def _judge_rows(built: Built, out: ShapeOutcome) -> None:
    if out.statut != "charge":
        return
    if out.loaded > len(built.truth):
        out.wrong.append(f"{out.loaded - len(built.truth)} lignes chargées en trop")
    if out.quarantined:  # every record of a layout is valid: a quarantined row is a misreading
        out.wrong.append(f"{out.quarantined} lignes en quarantaine (valides ou sans données)")
    if built.forme == "journal":
        missing = len(built.truth) - out.loaded - out.quarantined
        if missing > 0:
            out.silent.append(f"{missing} dossiers absents sans mention")
        return
    unaccounted = built.rows_read - out.loaded - out.quarantined - out.skipped
    if unaccounted > 0:
        out.silent.append(f"{unaccounted} lignes écartées sans mention")


def measure_shape(built: Built, engine: Engine, key: bytes) -> ShapeOutcome:
    """Import `built` into `engine` (an empty database), answering as a user who knows it,
    and judge what the import did. Never raises: an import that fails is an outcome."""
    out = ShapeOutcome(built.name, built.forme)
    out.records = len(built.truth)
    out.rows_in_file = built.rows_read
    out.skipped_in_file = len(built.skipped)
    try:
        rounds = answered_rounds(built, engine, key)
    except Exception as exc:  # the shapes are not read yet: count, go on
        out.error = f"{type(exc).__name__}: {exc}"[:300]
        return out
    final = rounds.final
    out.statut = final.statut
    out.questions = Counter(question_kind(q) for q in rounds.questions)
    asked = {question_key(q) for q in rounds.questions}
    refused = final.statut == "rejete"
    reports = [_json(r) for r in rounds.reports]
    rep = next((r for r in reversed(reports) if r.get("colonnes")), reports[-1])
    last = reports[-1]
    out.read = final.lignes_lues
    out.loaded = final.lignes_chargees
    out.quarantined = final.lignes_en_quarantaine
    out.skipped = len(last.get("lignes_ignorees") or [])
    kinds = {r.get("type") for r in reports if r.get("type")}
    if kinds - {built.kind}:
        out.wrong.append(
            f"type lu « {', '.join(sorted(kinds - {built.kind}))} », est « {built.kind} »"
        )
    if last.get("forme") and last["forme"] != built.forme:
        out.wrong.append(f"forme lue « {last['forme']} », est « {built.forme} »")
    kept = _judge_sheets(built, rep, asked, refused, out)
    _judge_columns(built, rep, asked, kept, refused, out)
    _judge_steps(built, rep, asked, refused, out)
    _judge_rows(built, out)
    if refused:
        out.differences.append(final.message or "; ".join(final.erreurs))
    try:
        result = compare(built, engine, key, built.layout.get("association"))
    except Exception as exc:
        out.error = f"comparaison : {type(exc).__name__}: {exc}"[:300]
        out.compared = len(built.truth)
        return out
    out.equal, out.compared = result.equal, result.compared
    out.differences += result.differences
    return out
