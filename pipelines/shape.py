"""The *shape* stage, between reading and understanding: what was read becomes one table of
one row per record, whatever the file's shape.

- a table of one row per record (« tableau ») goes through as it is;
- an event log (« journal », `pipelines.event_log`) is pivoted to one row per dossier;
- a workbook of linked sheets (« classeur », `pipelines.linked_sheets`) is joined into one.

What the shaping decided is said (`Shaped.report`) and what it could not decide is asked
(`Shaped.questions`: a step label, a sheet), answered like the columns (`Answers.steps`,
`Answers.sheets`); nothing is loaded while a question remains.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from domain.schema import FIELDS, KIND_LABELS, FieldType
from domain.schema import field as schema_field
from pipelines.answers import Answers
from pipelines.errors import IngestError
from pipelines.event_log import EventLog, decide_steps, pivot, recognise
from pipelines.extract import RawTable
from pipelines.linked_sheets import ASKED, JOINED, Sheet, join
from pipelines.matcher.cells import CellShape

TABLE, LOG, WORKBOOK = "tableau", "journal", "classeur"


@dataclass
class Shaped:
    table: RawTable  # one row per record
    form: str = TABLE
    fixed: dict[int, str] = field(default_factory=dict)  # columns the shaping placed
    log: EventLog | None = None
    sheets: list[Sheet] = field(default_factory=list)  # a workbook's sheets, and their fate

    @property
    def questions(self) -> list[dict]:
        """What must be answered before anything loads: the uncertain step labels, the
        sheets that hold dates or labels and share no key."""
        steps = [
            {"etape": s.label, "lignes": s.rows, "suggestions": [n for n, _ in s.candidates]}
            for s in (self.log.questions if self.log else [])
        ]
        sheets = [
            {"feuille": s.name, "ressemble_a": s.looks_like, "lignes": s.rows}
            for s in self.sheets
            if s.decision == ASKED
        ]
        return steps + sheets

    def sheets_report(self) -> list[dict]:
        return [s.report() for s in self.sheets]

    def steps_report(self) -> list[dict]:
        """Each label of an event log: the date field it fills (None: not a step), rows."""
        if self.log is None:
            return []
        return [{"libelle": s.label, "champ": s.field, "lignes": s.rows} for s in self.log.steps]


def _check_steps(log: EventLog, answers: Answers) -> None:
    dates = {f.name for f in FIELDS[log.kind] if f.type == FieldType.DATE}
    wrong = [v for v in answers.steps.values() if v and v not in dates]
    if wrong:
        raise IngestError(
            f"[etapes] dans « {answers.source or 'vos réponses'} » : « {wrong[0]} » n'est pas "
            f"une date d'étape d'un fichier de type « {KIND_LABELS[log.kind]} » ; champs "
            f'possibles : {", ".join(sorted(dates))}, ou "" si ce n\'est pas une étape.'
        )


def shape(raw: RawTable, answers: Answers, shapes: list[CellShape] | None = None) -> Shaped:
    """One row per record, and what was decided to get there. `shapes`: the columns of
    `raw` described, when the caller has them (they are read once per file)."""
    table, form, fixed, sheets = raw, TABLE, {}, []
    if raw.others or raw.notes:
        joined = join(raw, answers.sheets)
        table, sheets = joined.table, joined.sheets
        linked = any(s.decision in (JOINED, ASKED) for s in sheets)
        form = WORKBOOK if linked else TABLE
        fixed = dict.fromkeys(joined.ignored_codes, "")
    log = recognise(table, shapes if table is raw else None) if form == TABLE else None
    if log is None:
        return Shaped(table, form, fixed, sheets=sheets)
    _check_steps(log, answers)
    decide_steps(log, table.frame[log.label_pos], answers.steps)
    wide = replace(pivot(table, log), row_problems=log.conflicts)
    return Shaped(wide, LOG, dict(log.fixed), log, sheets)


def label_of(shaped: Shaped, name: str) -> str:
    """A field's French label in the shaped file's kind (for the questions)."""
    kind = shaped.log.kind if shaped.log else None
    return schema_field(kind, name).label if kind else name
