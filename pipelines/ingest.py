"""One file through every stage: extract → map → normalise → pseudonymise → validate →
consolidate → load. `plan_import` does everything but writing (the report the user confirms);
`apply_plan` writes it in one transaction. `ingest` does both.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select

from pipelines.errors import IngestError
from pipelines.extract import RawTable, read_table
from pipelines.load import ImportMeta, load
from pipelines.mapping import (
    ColumnMapping,
    header_scorer,
    map_columns,
    profile_columns,
    require_complete,
)
from pipelines.normalise import normalise_key
from pipelines.prepare import Prepared, prepare
from pipelines.saved_profiles import all_profiles, save_profile, stored_headers
from pipelines.schema import KIND_LABELS, Kind
from store.models import Association, ImportLot

PARIS = ZoneInfo("Europe/Paris")
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


def paris_time(moment: dt.datetime) -> str:
    """A stored UTC moment as French staff read it ("26/11/2026 à 20:05")."""
    if moment.tzinfo is None:  # SQLite gives back naive UTC
        moment = moment.replace(tzinfo=dt.UTC)
    return f"{moment.astimezone(PARIS):%d/%m/%Y à %H:%M}"


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
) -> Plan:
    """Read, map and validate a file; raises IngestError with a French message if it can't."""
    raw = read_upload(engine, data, filename)
    return plan_raw(engine, raw, filename, sha256_of(data), key, kind, association, mapping=mapping)


def read_upload(engine: Engine, data: bytes, filename: str) -> RawTable:
    """Extract the table of a file; the header row is found with the headers of the shipped
    and the saved profiles."""
    return read_table(data, filename, header_scorer(stored_headers(all_profiles(engine))))


def initial_mapping(
    engine: Engine, raw: RawTable, kind: Kind | None = None, association: str | None = None
) -> ColumnMapping:
    """The mapping before any correction: saved profiles, shipped profiles, synonyms."""
    return map_columns(
        raw.header, kind=kind, association=association, profiles=all_profiles(engine)
    )


def plan_raw(
    engine: Engine,
    raw: RawTable,
    filename: str,
    sha256: str,
    key: bytes,
    kind: Kind | None = None,
    association: str | None = None,
    mapping: ColumnMapping | None = None,
) -> Plan:
    """`plan_import` for a table already read (e.g. a batch of Word fiches,
    `pipelines.docx_fiches.fiches_to_table`); `sha256` identifies the import's content."""
    if mapping is None:
        mapping = initial_mapping(engine, raw, kind, association)
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
    return Plan(filename, sha256, raw, mapping, chosen, prepared)


def already_imported(engine: Engine, sha256: str):
    """The earlier import of the same bytes (not undone), as a row, or None."""
    lot = ImportLot.__table__
    with engine.connect() as conn:
        return conn.execute(
            select(lot).where(lot.c.sha256 == sha256, lot.c.annule.is_(False)).order_by(lot.c.id)
        ).first()


def apply_plan(engine: Engine, plan: Plan, user: str, keep_mapping: bool = False) -> FileReport:
    """Write a validated plan in one transaction (all or nothing). With `keep_mapping` and
    corrections in the plan, the corrected mapping is saved as the association's profile in
    that same transaction."""
    kind = plan.mapping.kind
    saved = None
    with engine.begin() as conn:
        if keep_mapping and plan.fixes:
            columns = profile_columns(plan.mapping, plan.raw.header)
            saved = save_profile(conn, kind, plan.association, columns, plan.mapping.values, user)
        meta = ImportMeta(
            fichier=plan.filename,
            sha256=plan.sha256,
            kind=kind,
            association=plan.association if kind == Kind.ASSOCIATION else None,
            profil=saved or plan.mapping.profile,
            utilisateur=user,
            colonnes_non_reconnues=plan.mapping.unmapped,
            colonnes_absentes=[],
        )
        result = load(conn, plan.prepared, meta)
    p = plan.prepared
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
        import_id=result.import_id,
        message=f"{KIND_LABELS[kind].capitalize()} importé.",
        etapes_atteintes=result.etapes_atteintes,
        profil_enregistre=saved,
    )


def ingest(
    engine: Engine,
    data: bytes,
    filename: str,
    key: bytes,
    kind: Kind | None = None,
    association: str | None = None,
    user: str = "cli",
) -> FileReport:
    """Import one file; never raises for a bad file: the report says why it was refused."""
    previous = already_imported(engine, sha256_of(data))
    if previous is not None:
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
    try:
        plan = plan_import(engine, data, filename, key, kind=kind, association=association)
        return apply_plan(engine, plan, user)
    except IngestError as exc:
        return FileReport(
            fichier=filename, statut="rejete", erreurs=[exc.message], message=exc.message
        )
