"""The *plan*: a file read and mapped, then validated row by row, with everything the user
confirms before anything is written (rows to load, rows to quarantine, labels no table
knows, whose export it is, the date its data describe).

A file whose columns the matcher cannot all place is not planned: `make_plan` raises
`NeedsAnswers` with the questions to answer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, select

from domain.formatting import today_in_paris
from domain.schema import KIND_LABELS, Kind
from domain.schema import field as schema_field
from domain.text import normalise_key, one_line
from pipelines.answers import NO_ANSWERS, Answers, template_lines, toml_text
from pipelines.data_date import data_date
from pipelines.errors import IngestError
from pipelines.extract import RawTable
from pipelines.limits import MAX_ASSOCIATION_NAME
from pipelines.mapping import ColumnMapping, require_complete, suggestions
from pipelines.prepare import Prepared, prepare
from pipelines.shape import Shaped
from store.models import Association

MAX_ROW_ERRORS_LISTED = 100


@dataclass
class Plan:
    """A file analysed and validated, not yet written."""

    filename: str
    sha256: str
    raw: RawTable
    mapping: ColumnMapping
    association: str | None
    prepared: Prepared
    answers: Answers = NO_ANSWERS  # what the user answered (columns and labels)
    shaped: Shaped | None = None  # how the file became one row per record
    data_date: dt.date | None = None  # what the data describe (pipelines.data_date)
    data_date_origin: str | None = None
    new_association: bool = False  # the association is not in the referential yet

    @property
    def answered(self) -> bool:
        """Whether the user answered anything a saved profile would keep."""
        a = self.answers
        return bool(a.columns or a.positions or a.values or a.steps or a.sheets)

    def row_errors(self, limit: int = MAX_ROW_ERRORS_LISTED) -> list[str]:
        q = self.prepared.quarantine
        lines = [
            f"Ligne {int(r.ligne)}, colonne « {r.colonne} » : {r.motif}"
            for r in q.head(limit).itertuples()
        ]
        if len(q) > limit:
            lines.append(
                f"… et {len(q) - limit} autres anomalies (voir le rapport de quarantaine)."
            )
        return lines


class NeedsAnswers(IngestError):
    """Steps of an event log or columns the matcher could not place hold dates or known
    labels: nothing is loaded until someone answers (`shaped.questions`,
    `mapping.questions`)."""

    def __init__(self, mapping: ColumnMapping, filename: str, shaped: Shaped) -> None:
        super().__init__(questions_message(mapping, filename, shaped))
        self.mapping, self.shaped = mapping, shaped

    @property
    def header(self) -> list[str]:
        return self.shaped.table.header

    @property
    def hidden(self) -> frozenset[int]:
        return self.shaped.table.hidden

    @property
    def form(self) -> str:
        return self.shaped.form

    @property
    def steps(self) -> list[dict]:
        return self.shaped.steps_report()

    @property
    def sheets(self) -> list[dict]:
        return self.shaped.sheets_report()


def questions_message(mapping: ColumnMapping, filename: str, shaped: Shaped) -> str:
    """One French message naming each step and column to answer, what it holds, the
    likeliest fields, and how to answer on the command line."""
    columns = mapping.questions
    steps = [q for q in shaped.questions if "etape" in q]
    sheets = [q for q in shaped.questions if "feuille" in q]
    count = ", ".join(
        part
        for part in (
            f"{len(sheets)} feuille(s)" if sheets else "",
            f"{len(steps)} étape(s)" if steps else "",
            f"{len(columns)} colonne(s)" if columns else "",
        )
        if part
    )
    lines = [
        f"« {filename} » ({KIND_LABELS[mapping.kind]}) : {count} à préciser avant l'import ; "
        "rien n'a été écrit."
    ]
    for s in sheets:
        lines.append(
            f"  - feuille « {s['feuille']} » ({s['lignes']} ligne(s)) : {s['ressemble_a']}, "
            "sans colonne en commun avec la feuille principale."
        )
    for s in steps:
        choices = [schema_field(mapping.kind, n).label for n in s["suggestions"]]
        maybe = f" ; peut-être : {', '.join(choices)}" if choices else ""
        lines.append(f"  - étape « {s['etape']} » ({s['lignes']} ligne(s)){maybe}.")
    for q in columns:
        choices = [schema_field(mapping.kind, n).label for n, _ in suggestions(q)]
        maybe = f" ; peut-être : {', '.join(choices)}" if choices else ""
        lines.append(f"  - « {q.header} » : {q.looks_like}{maybe}.")
    lines.append(
        'Répondez dans un fichier de réponses (champ de chaque colonne ou étape, ou "" pour '
        "l'ignorer) puis relancez avec --profile FICHIER.toml :"
    )
    template = template_lines(mapping) if columns else []
    if sheets:
        template += ["[feuilles]"] + [
            f'# "{toml_text(s["feuille"])}" = "ignorer"   # ou ajoutez-lui une colonne commune'
            for s in sheets
        ]
    if steps:
        template += ["[etapes]"] + [
            f'# "{toml_text(s["etape"])}" = ""   # '
            + (f"« {s['suggestions'][0]} », ou " if s["suggestions"] else "")
            + '"" si ce n\'est pas une étape'
            for s in steps
        ]
    lines += ["    " + line for line in template]
    return "\n".join(lines)


def known_associations(engine: Engine) -> dict[str, str]:
    """Known associations: normalised name → name as the referential spells it."""
    with engine.connect() as conn:
        return {cle: nom for cle, nom in conn.execute(select(Association.cle, Association.nom))}


def _canonical(name: str | None, known: dict[str, str]) -> str | None:
    if name is None:
        return None
    name = " ".join(str(name).split())
    return known.get(normalise_key(name), name) if name else None


def _detect_association(
    raw: RawTable, mapping: ColumnMapping, filename: str, known: dict[str, str]
) -> str | None:
    """The association of an export: a single value in its own column, else a known name in
    the title rows or the file name."""
    pos = mapping.field_positions().get("association")
    if pos is not None:
        values = {str(v).strip() for v in raw.frame[pos].dropna() if str(v).strip()}
        if len(values) == 1:
            return values.pop()
    haystack = " " + normalise_key(" ".join([*raw.title_lines, Path(filename).stem])) + " "
    found = [nom for cle, nom in known.items() if f" {cle} " in haystack]
    return found[0] if len(found) == 1 else None


def make_plan(
    engine: Engine,
    shaped: Shaped,
    mapping: ColumnMapping,
    filename: str,
    sha256: str,
    key: bytes,
    association: str | None = None,
    answers: Answers = NO_ANSWERS,
    today: dt.date | None = None,
) -> Plan:
    """Validate a table read and mapped: every row normalised, pseudonymised and checked,
    the association and the date of the data found; nothing written. Raises NeedsAnswers
    while columns are still to be answered, IngestError (French) when the file cannot be
    loaded as it is. `sha256` identifies the import's content."""
    raw = shaped.table
    association = one_line(association) if association else association
    if association and len(association) > MAX_ASSOCIATION_NAME:
        raise IngestError(
            f"Nom d'association de plus de {MAX_ASSOCIATION_NAME} caractères : "
            "donnez-le en entier mais plus court."
        )
    if mapping.questions or shaped.questions:
        raise NeedsAnswers(mapping, filename, shaped)
    require_complete(mapping, raw.header, filename)
    known = known_associations(engine)
    chosen = association or mapping.association
    if mapping.kind == Kind.ASSOCIATION:
        if not association and mapping.saved:
            # A saved layout may be shared by several associations: what the file says wins.
            chosen = _detect_association(raw, mapping, filename, known) or chosen
        chosen = _canonical(chosen, known) or _detect_association(raw, mapping, filename, known)
        if not chosen:
            raise IngestError(
                f"Impossible de savoir de quelle association vient « {filename} » : "
                "indiquez-la (option --association, ou liste « Association » à l'import)."
            )
    else:
        chosen = _canonical(chosen, known)
    prepared = prepare(raw, mapping, key, chosen)
    if "association" in prepared.rows and mapping.kind != Kind.ASSOCIATION:
        prepared.rows["association"] = prepared.rows["association"].map(
            lambda n: _canonical(n, known) if isinstance(n, str) else None
        )
    today = today or today_in_paris()
    day, origin = data_date(mapping.kind, raw.title_lines, prepared.rows, today)
    new = mapping.kind == Kind.ASSOCIATION and normalise_key(chosen or "") not in known
    return Plan(
        filename,
        sha256,
        raw,
        mapping,
        chosen,
        prepared,
        answers=answers,
        shaped=shaped,
        data_date=day,
        data_date_origin=origin,
        new_association=new,
    )
