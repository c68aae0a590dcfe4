"""The *write*: a validated plan loaded in one transaction under the write lock, with its
audit entry and, when asked, the user's answers saved as the layout's profile; or rolled
back whole (a dry run). The same bytes sent twice, even at the same moment, are loaded once.
"""

from __future__ import annotations

from sqlalchemy import Connection, Engine, insert, select

from domain.formatting import paris_time
from domain.schema import KIND_LABELS, Kind
from domain.text import normalise_key
from pipelines import faults
from pipelines.errors import IngestError
from pipelines.file_report import (
    FileReport,
    columns_report,
    set_aside_report,
    unknown_report,
)
from pipelines.load import ImportMeta, load
from pipelines.mapping import profile_columns
from pipelines.plan import Plan
from pipelines.saved_profiles import save_profile, shape_answers
from store import attempts
from store.audit import Actor, record
from store.db import Busy, writing
from store.models import Association, ImportLot


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
    actor: Actor,
    *,
    keep_mapping: bool = False,
    dry_run: bool = False,
    create_association: bool = False,
    capacity: int | None = None,
    demo: bool = False,
    audited: bool = True,
) -> FileReport:
    """Write a validated plan in one transaction (all or nothing), in the name of `actor`,
    with its audit entry (unless not `audited`: the demo builder, tests). With
    `keep_mapping` and answers in the plan, the answered mapping is saved as the
    association's profile in that same transaction. With `create_association`, an
    association not yet in the referential is added to it, with `capacity` (binômes funded). With
    `dry_run`, everything is done then rolled back: the report of a real import, nothing
    written."""
    kind = plan.mapping.kind
    user = actor.utilisateur
    saved = None
    created = create_association and plan.new_association and bool(plan.association)
    # A trace committed before the transaction, ended inside it: a process killed before
    # the commit leaves it, and the history says the import was interrupted.
    attempt = None
    try:
        if not dry_run:
            attempt = attempts.begin(
                engine, plan.filename, plan.sha256, kind.value, plan.association, actor
            )
        with writing(engine) as conn:
            if attempt is not None:
                attempts.finish(conn, attempt)  # committed with the import, or not at all
            # One writer at a time: the same file sent twice at once is loaded once.
            previous = already_imported(conn, plan.sha256)
            if previous is not None:
                return already_imported_report(plan.filename, previous)
            faults.point("verrou")
            if created:
                _create_association(conn, plan.association or "", capacity)
            if keep_mapping and plan.answered:
                columns = profile_columns(plan.mapping, plan.raw.header)
                remembered = shape_answers(plan.answers)  # the steps and sheets, next month too
                saved = save_profile(
                    conn, kind, plan.association, columns, plan.mapping.values | remembered, user
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
            report = _loaded_report(plan, result, saved, created, capacity, dry_run)
            if dry_run:
                conn.get_transaction().rollback()
            elif audited:
                record(conn, actor, *report.audit_entry(plan.sha256))
                if saved:
                    record(conn, actor, "correspondance", f"{saved} ({plan.filename})")
            faults.point("journal")
    except Busy:
        _forget(engine, attempt)
        raise IngestError(BUSY) from None
    except BaseException:
        _forget(engine, attempt)  # the failure is reported: not an interruption
        raise
    if not dry_run:
        faults.point("validation")
    return report


def _forget(engine: Engine, attempt: int | None) -> None:
    if attempt is not None:
        attempts.forget(engine, attempt)


def _loaded_report(
    plan: Plan, result, saved: str | None, created: bool, capacity: int | None, dry_run: bool
) -> FileReport:
    kind = plan.mapping.kind
    p = plan.prepared
    message = f"{KIND_LABELS[kind].capitalize()} importé."
    if created:
        message += f" Association « {plan.association} » ajoutée au référentiel"
        message += f" (capacité {capacity})." if capacity else " (capacité à renseigner)."
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
        lignes_ignorees=set_aside_report(p),
        forme=plan.shaped.form if plan.shaped else "tableau",
        etapes=plan.shaped.steps_report() if plan.shaped else [],
        feuilles=plan.shaped.sheets_report() if plan.shaped else [],
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
        colonnes=columns_report(plan.mapping, plan.raw.header, plan.raw.hidden),
        valeurs_non_reconnues=unknown_report(p),
        date_donnees=plan.data_date.isoformat() if plan.data_date else None,
        origine_date_donnees=plan.data_date_origin,
        association_creee=created,
        essai=dry_run,
    )
