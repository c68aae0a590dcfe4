"""One file through every stage: extract → map → normalise → pseudonymise → validate →
consolidate → load. `plan_import` does everything but writing (the report the user confirms);
`apply_plan` writes it in one transaction (or rolls it back: a dry run). `ingest` does both.

A file whose columns the matcher cannot all place is not loaded: its plan raises
`NeedsAnswers`, and `ingest` reports it `a_completer` with the questions to answer.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection, Engine, insert, select

from domain.formatting import paris_time, today_in_paris
from domain.schema import KIND_LABELS, Kind
from domain.schema import field as schema_field
from domain.text import normalise_key, one_line
from pipelines import faults
from pipelines.answers import Answers, apply_answers, template_lines
from pipelines.audit_entries import import_entry
from pipelines.data_date import data_date
from pipelines.errors import IngestError
from pipelines.extract import RawTable, read_table
from pipelines.isolation import isolated
from pipelines.limits import MAX_ASSOCIATION_NAME
from pipelines.load import ImportMeta, load
from pipelines.mapping import (
    ColumnMapping,
    header_scorer,
    map_columns,
    profile_columns,
    require_complete,
)
from pipelines.prepare import Prepared, prepare
from pipelines.saved_profiles import all_profiles, save_profile, stored_headers
from store import snapshot
from store.audit import Actor, record
from store.db import Busy, writing
from store.models import Association, ImportLot

MAX_ROW_ERRORS_LISTED = 100


@dataclass
class FileReport:
    """What happened to one file; `as_json` gives the CLI's documented shape."""

    fichier: str
    statut: str  # charge | deja_importe | rejete
    type: str | None = None
    association: str | None = None
    lignes_lues: int = 0
    lignes_chargees: int = 0
    lignes_en_quarantaine: int = 0
    erreurs: list[str] = field(default_factory=list)
    profil: str | None = None
    colonnes_non_reconnues: list[str] = field(default_factory=list)
    nouveaux: int = 0
    mis_a_jour: int = 0
    absents: int = 0
    import_id: int | None = None
    message: str = ""
    etapes_atteintes: dict[str, int] = field(default_factory=dict)
    profil_enregistre: str | None = None
    colonnes: list[dict] = field(default_factory=list)  # every header: field and certainty
    questions: list[dict] = field(default_factory=list)  # columns to answer (a_completer)
    valeurs_non_reconnues: list[dict] = field(default_factory=list)
    date_donnees: str | None = None  # ISO date the data describe
    origine_date_donnees: str | None = None  # titre | contenu | import
    association_creee: bool = False  # added to the referential by this import
    essai: bool = False  # a dry run: nothing was written

    def as_json(self) -> dict:
        return {
            "fichier": self.fichier,
            "statut": self.statut,
            "type": self.type,
            "association": self.association,
            "lignes_lues": self.lignes_lues,
            "lignes_chargees": self.lignes_chargees,
            "lignes_en_quarantaine": self.lignes_en_quarantaine,
            "erreurs": self.erreurs,
            "profil": self.profil,
            "colonnes_non_reconnues": self.colonnes_non_reconnues,
            "nouveaux": self.nouveaux,
            "mis_a_jour": self.mis_a_jour,
            "absents": self.absents,
            "etapes_nouvellement_atteintes": self.etapes_atteintes,
            "colonnes": self.colonnes,
            "questions": self.questions,
            "valeurs_non_reconnues": self.valeurs_non_reconnues,
            "date_donnees": self.date_donnees,
            "origine_date_donnees": self.origine_date_donnees,
            "association_creee": self.association_creee,
            "essai": self.essai,
            "message": self.message,
        }


@dataclass
class Plan:
    """A file analysed and validated, not yet written."""

    filename: str
    sha256: str
    raw: RawTable
    mapping: ColumnMapping
    association: str | None
    prepared: Prepared
    fixes: dict[int, str] = field(default_factory=dict)  # the user's corrections, by position
    data_date: dt.date | None = None  # what the data describe (pipelines.data_date)
    data_date_origin: str | None = None
    new_association: bool = False  # the association is not in the referential yet
    capacity: int | None = None  # its capacity, when it is created by this import
    value_answers: dict[str, dict[str, str]] = field(default_factory=dict)  # the user's labels

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
    """Columns the matcher could not place hold dates or known labels: nothing is loaded
    until someone answers (`mapping.questions`)."""

    def __init__(self, mapping: ColumnMapping, filename: str) -> None:
        super().__init__(questions_message(mapping, filename))
        self.mapping = mapping


def questions_message(mapping: ColumnMapping, filename: str) -> str:
    """One French message naming each column to answer, what it looks like, the likeliest
    fields, and how to answer on the command line."""
    questions = mapping.questions
    lines = [
        f"« {filename} » ({KIND_LABELS[mapping.kind]}) : {len(questions)} colonne(s) à préciser "
        "avant l'import ; rien n'a été écrit."
    ]
    for q in questions:
        choices = [schema_field(mapping.kind, n).label for n, _ in suggestions(q)]
        maybe = f" ; peut-être : {', '.join(choices)}" if choices else ""
        lines.append(f"  - « {q.header} » : {q.looks_like}{maybe}.")
    lines.append(
        'Répondez dans un fichier de réponses (champ de chaque colonne, ou "" pour '
        "l'ignorer) puis relancez avec --profile FICHIER.toml :"
    )
    lines += ["    " + line for line in template_lines(mapping)]
    return "\n".join(lines)


SUGGESTED = 0.3  # a field this likely is offered in a question


def suggestions(guess) -> list[tuple[str, float]]:
    """The likeliest fields of an asked column (at most three), if any is likely at all."""
    return [(n, c) for n, c in guess.candidates[:3] if c >= SUGGESTED]


def columns_report(mapping: ColumnMapping, header: list[str]) -> list[dict]:
    """Every non-empty header as written in the file, its field (None when not recognised)
    and the certainty (0-1)."""
    out = []
    for pos, text in enumerate(header):
        if not text:
            continue
        guess = mapping.guess(pos)
        name = mapping.columns.get(pos)
        entry: dict = {
            "en_tete": text,
            "champ": name,
            "certitude": round(mapping.certitude(pos) or 0.0, 2) if name else None,
        }
        if guess is not None and not name:
            entry["ressemble_a"] = guess.looks_like
            entry["a_preciser"] = guess.ask and not guess.fixed
            entry["suggestions"] = [n for n, _ in suggestions(guess)]
        out.append(entry)
    return out


def _questions(mapping: ColumnMapping) -> list[dict]:
    return [
        {
            "en_tete": q.header,
            "ressemble_a": q.looks_like,
            "suggestions": [n for n, _ in suggestions(q)],
        }
        for q in mapping.questions
    ]


def unknown_report(prepared: Prepared) -> list[dict]:
    """The labels no value table knew, most frequent first."""
    frame = prepared.unknown.sort_values(["lignes", "champ"], ascending=[False, True])
    return [
        {"champ": r.champ, "valeur": r.valeur, "lignes": int(r.lignes)} for r in frame.itertuples()
    ]


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _referential(engine: Engine) -> dict[str, str]:
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


def plan_import(
    engine: Engine,
    data: bytes,
    filename: str,
    key: bytes,
    kind: Kind | None = None,
    association: str | None = None,
    mapping: ColumnMapping | None = None,
    answers: Answers | None = None,
) -> Plan:
    """Read, map and validate a file; raises IngestError with a French message if it can't
    (NeedsAnswers when columns must be answered first)."""
    raw = read_upload(engine, data, filename)
    return plan_raw(
        engine, raw, filename, sha256_of(data), key, kind, association, mapping, answers
    )


def read_upload(engine: Engine, data: bytes, filename: str, isolate: bool = False) -> RawTable:
    """Extract the table of a file; the header row is found with the headers of the shipped
    and the saved profiles. With `isolate` (the web app), the reading runs in a child
    process with a memory and time limit (pipelines.isolation)."""
    extra = stored_headers(all_profiles(engine))
    if isolate:
        return isolated(read_known, data, filename, extra, filename=filename)
    return read_known(data, filename, extra)


def read_known(data: bytes, filename: str, extra: frozenset[str]) -> RawTable:
    """`read_table` knowing the headers of the saved profiles (`extra`, normalised)."""
    return read_table(data, filename, header_scorer(extra))


def initial_mapping(
    engine: Engine,
    raw: RawTable,
    kind: Kind | None = None,
    association: str | None = None,
    answers: Answers | None = None,
) -> ColumnMapping:
    """The mapping before the page's corrections: saved profiles, shipped profiles, the
    matcher (headers and cells), then the answers given (`--profile`)."""
    if answers is not None:
        kind = kind or answers.kind
        association = association or answers.association
    mapping = map_columns(
        raw.header,
        kind=kind,
        association=association,
        profiles=all_profiles(engine),
        cells=raw.frame,
        groups=raw.groups or None,
    )
    return apply_answers(mapping, raw.header, answers) if answers else mapping


def plan_raw(
    engine: Engine,
    raw: RawTable,
    filename: str,
    sha256: str,
    key: bytes,
    kind: Kind | None = None,
    association: str | None = None,
    mapping: ColumnMapping | None = None,
    answers: Answers | None = None,
    today: dt.date | None = None,
) -> Plan:
    """`plan_import` for a table already read (e.g. a batch of Word fiches,
    `pipelines.docx_fiches.fiches_to_table`); `sha256` identifies the import's content."""
    if mapping is None:
        mapping = initial_mapping(engine, raw, kind, association, answers)
    if answers is not None:
        association = association or answers.association
    association = one_line(association) if association else association
    if association and len(association) > MAX_ASSOCIATION_NAME:
        raise IngestError(
            f"Nom d'association de plus de {MAX_ASSOCIATION_NAME} caractères : "
            "donnez-le en entier mais plus court."
        )
    if mapping.questions:
        raise NeedsAnswers(mapping, filename)
    require_complete(mapping, raw.header, filename)
    known = _referential(engine)
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
    return Plan(filename, sha256, raw, mapping, chosen, prepared, {}, day, origin, new)


def already_imported(engine_or_conn: Engine | Connection, sha256: str):
    """The earlier import of the same bytes (not undone), as a row, or None."""
    lot = ImportLot.__table__
    query = select(lot).where(lot.c.sha256 == sha256, lot.c.annule.is_(False)).order_by(lot.c.id)
    if isinstance(engine_or_conn, Connection):
        return engine_or_conn.execute(query).first()
    with engine_or_conn.connect() as conn:
        return conn.execute(query).first()


def already_imported_report(filename: str, previous) -> FileReport:
    return FileReport(
        fichier=filename,
        statut="deja_importe",
        type=previous.type,
        association=previous.association,
        message=(
            f"Fichier identique déjà importé le {paris_time(previous.importe_le)} "
            f"(import n° {previous.id}) : rien n'a été modifié."
        ),
    )


BUSY = (
    "Un autre import (ou une annulation) est en cours depuis plus d'une minute : réessayez "
    "dans un instant. Rien n'a été écrit."
)


def _create_association(conn: Connection, name: str, capacity: int | None) -> None:
    table = Association.__table__
    key = normalise_key(name)
    if conn.execute(select(table.c.id).where(table.c.cle == key)).first() is None:
        conn.execute(insert(table).values(nom=name, cle=key, capacite=capacity))


def apply_plan(
    engine: Engine,
    plan: Plan,
    user: str,
    keep_mapping: bool = False,
    dry_run: bool = False,
    create_association: bool = False,
    demo: bool = False,
    actor: Actor | None = None,
) -> FileReport:
    """Write a validated plan in one transaction (all or nothing), with its audit entry when
    an `actor` is given. With `keep_mapping` and
    corrections in the plan, the corrected mapping is saved as the association's profile in
    that same transaction. With `create_association`, an association not yet in the
    referential is added to it (capacity `plan.capacity`). With `dry_run`, everything is
    done then rolled back: the report of a real import, nothing written."""
    kind = plan.mapping.kind
    saved = None
    created = create_association and plan.new_association and bool(plan.association)
    try:
        with writing(engine) as conn:
            # One writer at a time: the same file sent twice at once is loaded once.
            previous = already_imported(conn, plan.sha256)
            if previous is not None:
                return already_imported_report(plan.filename, previous)
            faults.point("verrou")
            if created:
                _create_association(conn, plan.association or "", plan.capacity)
            if keep_mapping and (plan.fixes or plan.value_answers):
                columns = profile_columns(plan.mapping, plan.raw.header)
                saved = save_profile(
                    conn, kind, plan.association, columns, plan.mapping.values, user
                )
            meta = ImportMeta(
                fichier=plan.filename,
                sha256=plan.sha256,
                kind=kind,
                association=plan.association if kind == Kind.ASSOCIATION else None,
                profil=saved or plan.mapping.profile,
                utilisateur=user,
                colonnes_non_reconnues=plan.mapping.unmapped,
                colonnes_absentes=[],
                date_donnees=plan.data_date,
                origine_date_donnees=plan.data_date_origin,
                demo=demo,
                snapshot=plan.raw.format != "docx",  # Word fiches: some fiches, not the list
            )
            result = load(conn, plan.prepared, meta)
            report = _loaded_report(plan, result, saved, created, dry_run)
            if dry_run:
                conn.get_transaction().rollback()
            elif actor is not None:
                record(conn, actor, *import_entry(report, plan.sha256))
                if saved:
                    record(conn, actor, "correspondance", f"{saved} ({plan.filename})")
            faults.point("journal")
    except Busy:
        raise IngestError(BUSY) from None
    if not dry_run:
        faults.point("validation")
    return report


def _loaded_report(plan: Plan, result, saved: str | None, created: bool, dry_run: bool):
    kind = plan.mapping.kind
    p = plan.prepared
    message = f"{KIND_LABELS[kind].capitalize()} importé."
    if created:
        message += f" Association « {plan.association} » ajoutée au référentiel"
        message += f" (capacité {plan.capacity})." if plan.capacity else " (capacité à renseigner)."
    if dry_run:
        message = "Essai : rien n'a été écrit. " + message.replace("importé.", "prêt à importer.")
    return FileReport(
        fichier=plan.filename,
        statut="charge",
        type=plan.mapping.kind.value,
        association=plan.association,
        lignes_lues=p.rows_read,
        lignes_chargees=len(p.rows),
        lignes_en_quarantaine=p.quarantined_lines,
        erreurs=plan.row_errors(),
        profil=saved or plan.mapping.profile,
        colonnes_non_reconnues=plan.mapping.unmapped,
        nouveaux=result.nouveaux,
        mis_a_jour=result.mis_a_jour,
        absents=result.absents,
        import_id=None if dry_run else result.import_id,
        message=message,
        etapes_atteintes=result.etapes_atteintes,
        profil_enregistre=saved,
        colonnes=columns_report(plan.mapping, plan.raw.header),
        valeurs_non_reconnues=unknown_report(p),
        date_donnees=plan.data_date.isoformat() if plan.data_date else None,
        origine_date_donnees=plan.data_date_origin,
        association_creee=created,
        essai=dry_run,
    )


def ingest(
    engine: Engine,
    data: bytes,
    filename: str,
    key: bytes,
    kind: Kind | None = None,
    association: str | None = None,
    user: str = "cli",
    answers: Answers | None = None,
    dry_run: bool = False,
    demo: bool = False,
    actor: Actor | None = None,
) -> FileReport:
    """Import one file; never raises for a bad file: the report says why it was refused or
    what must be answered. An `association` given and not yet in the referential is added to
    it (said in the report)."""
    previous = already_imported(engine, sha256_of(data))
    if previous is not None:
        return already_imported_report(filename, previous)
    try:
        plan = plan_import(
            engine, data, filename, key, kind=kind, association=association, answers=answers
        )
        faults.point("lecture")
        report = apply_plan(
            engine,
            plan,
            user,
            dry_run=dry_run,
            create_association=bool(association),
            demo=demo,
            actor=actor,
        )
        if report.statut == "charge" and not dry_run:
            # The command line's imports too: a server started later finds the snapshot.
            snapshot.refresh_kept(engine)
        return report
    except NeedsAnswers as exc:
        mapping = exc.mapping
        return FileReport(
            fichier=filename,
            statut="a_completer",
            type=mapping.kind.value,
            association=association or mapping.association,
            erreurs=[exc.message],
            message=exc.message,
            colonnes=columns_report(mapping, _header_of(mapping)),
            questions=_questions(mapping),
            essai=dry_run,
        )
    except IngestError as exc:
        return FileReport(
            fichier=filename,
            statut="rejete",
            erreurs=[exc.message],
            message=exc.message,
            essai=dry_run,
        )


def _header_of(mapping: ColumnMapping) -> list[str]:
    """The file's header as the matcher saw it (every column has a guess)."""
    width = max((g.position for g in mapping.guesses), default=-1) + 1
    header = [""] * width
    for g in mapping.guesses:
        header[g.position] = g.header
    return header
