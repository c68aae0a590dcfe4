"""The *plan*: a file read and mapped, then validated row by row, with everything the user
confirms before anything is written (rows to load, rows to quarantine, labels no table
knows, whose export it is, the date its data describe).

A file whose columns the matcher cannot all place is not planned: `make_plan` raises
`NeedsAnswers` with the questions to answer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine, select

from domain.formatting import today_in_paris
from domain.schema import KIND_LABELS, Kind
from domain.schema import field as schema_field
from domain.text import normalise_key, one_line
from pipelines.answers import NO_ANSWERS, Answers, template_lines, toml_text
from pipelines.association_names import (
    COLUMN,
    FILE_NAME,
    TITLE,
    Evidence,
    evidence,
    settled,
)
from pipelines.data_date import data_date
from pipelines.errors import IngestError
from pipelines.extract import RawTable
from pipelines.limits import MAX_ASSOCIATION_NAME
from pipelines.mapping import ColumnMapping, require_complete, suggestions
from pipelines.prepare import Prepared, prepare
from pipelines.shape import Shaped
from store.models import Association

MAX_ROW_ERRORS_LISTED = 100
GIVEN = "donnee"  # named by the user (page, --association)
SAVED_LAYOUT = "profil"  # the association of the saved layout that recognised the file
ASSOCIATION_ORIGINS = {
    GIVEN: "choisie à l'import",
    SAVED_LAYOUT: "d'après la correspondance enregistrée",
}
IN_FILE = {COLUMN: "la colonne « Association »", TITLE: "le titre", FILE_NAME: "le nom"}


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
    association_origin: str | None = None  # how it is known (ASSOCIATION_ORIGINS)
    association_evidence: tuple[Evidence, ...] = ()  # what the file says of its association

    @property
    def association_said(self) -> str:
        """How the association is known, in French: « d'après le nom du fichier », « d'après
        le titre et le nom du fichier » when several places of the file agree."""
        if self.association_origin in (COLUMN, TITLE, FILE_NAME):
            places = [IN_FILE[e.origin] for e in self.association_evidence]
            listed = places[0] if len(places) == 1 else ", ".join(places[:-1]) + " et " + places[-1]
            return f"d'après {listed} du fichier"
        return ASSOCIATION_ORIGINS.get(self.association_origin or "", "")

    def names_another(self, association: str) -> Evidence | None:
        """A place of the file that names another association than `association`."""
        key = normalise_key(association)
        return next((e for e in self.association_evidence if normalise_key(e.name) != key), None)

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
        super().__init__(
            questions_message(mapping, filename, shaped),
            answers_template(mapping, shaped),
        )
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
    """One French message naming each step and column to answer, what it holds and the
    likeliest fields (how to answer on the command line: `answers_template`)."""
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
    return "\n".join(lines)


def answers_template(mapping: ColumnMapping, shaped: Shaped) -> str:
    """How to answer the questions with `pilotage ingest`: an answers file to fill in."""
    steps = [q for q in shaped.questions if "etape" in q]
    sheets = [q for q in shaped.questions if "feuille" in q]
    lines = [
        'Répondez dans un fichier de réponses (champ de chaque colonne ou étape, ou "" pour '
        "l'ignorer) puis relancez avec --profile FICHIER.toml :"
    ]
    template = template_lines(mapping) if mapping.questions else []
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


class NeedsAssociation(IngestError):
    """An association export whose association the file does not settle: nothing names
    it, or two places name two associations. The user names it (the list « Association »
    of the page, `--association` on the command line); `found` is what the file says."""

    def __init__(self, filename: str, found: list[Evidence]) -> None:
        if found:
            said = " ; ".join(f"{e.said} nomme « {e.name} »" for e in found)
            why = f"le fichier ne dit pas une seule association ({said})"
        else:
            why = "ni une colonne « Association », ni le titre, ni le nom du fichier ne la nomment"
        super().__init__(
            f"Impossible de savoir de quelle association vient « {filename} » : {why}. "
            "Indiquez-la.",
            "Donnez-la avec --association NOM.",
        )
        self.found = found


def _association_of(
    raw: RawTable, mapping: ColumnMapping, filename: str, known: dict[str, str], given: str | None
) -> tuple[str | None, str | None, list[Evidence]]:
    """Whose export it is, how that is known, and what the file says of it. The name given
    by the user wins; else the file's evidence when it names one association; else, when
    the file names none, the association of the saved layout that recognised it."""
    pos = mapping.field_positions().get("association")
    column = raw.frame[pos].dropna() if pos is not None else ()
    found = evidence(column, raw.title_lines, filename, known)
    if given:
        return given, GIVEN, found
    agreed = settled(found)
    if agreed is not None:
        return agreed.name, agreed.origin, found
    if not found and mapping.association:
        return _canonical(mapping.association, known), SAVED_LAYOUT, found
    raise NeedsAssociation(filename, found)


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
    given = _canonical(association, known)
    found: list[Evidence] = []
    origin = GIVEN if given else None
    if mapping.kind == Kind.ASSOCIATION:
        given, origin, found = _association_of(raw, mapping, filename, known, given)
    elif mapping.kind != Kind.HONORABILITE:
        # CD fiches and the referential carry their associations row by row, if at all: a
        # name given for a batch is never theirs. (The B2 follow-up takes a name given for
        # its rows that name none.)
        given, origin = None, None
    chosen = given
    prepared = prepare(raw, mapping, key, chosen)
    if "association" in prepared.rows and mapping.kind != Kind.ASSOCIATION:
        prepared.rows["association"] = prepared.rows["association"].map(
            lambda n: _canonical(n, known) if isinstance(n, str) else None
        )
    today = today or today_in_paris()
    day, day_origin = data_date(mapping.kind, raw.title_lines, prepared.rows, today)
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
        data_date_origin=day_origin,
        new_association=new,
        association_origin=origin,
        association_evidence=tuple(found),
    )
