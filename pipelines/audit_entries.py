"""The audit entries of an import and of an undo, written the same way from the command
line and from the pages (store/audit.py holds the log itself)."""

from __future__ import annotations

from pipelines.ingest import FileReport
from pipelines.schema import KIND_LABELS, Kind
from pipelines.undo import UndoReport
from store.audit import Actor, record


def record_import(engine, actor: Actor, report: FileReport, sha256: str | None) -> None:
    """One entry for a file loaded, refused or left to complete ("referentiel" for the
    associations referential); a file already imported changed nothing and gets none. `sha256`: None
    when the file could not be read."""
    if report.statut not in ("charge", "rejete", "a_completer"):
        return
    action = "referentiel" if report.type == Kind.ASSOCIATIONS.value else "import"
    sha = f"sha256 {sha256[:12]}" if sha256 is not None else "fichier illisible"
    detail = f"« {report.fichier} » ({sha}) : statut {report.statut}"
    if report.statut == "rejete":
        detail += f" — {report.erreurs[0] if report.erreurs else report.message}"
    elif report.statut == "a_completer":
        asked = ", ".join(f"« {q['en_tete']} »" for q in report.questions)
        detail += f" — colonnes à préciser : {asked}"
    else:
        who = f", {report.association}" if report.association else ""
        detail += (
            f" — {KIND_LABELS[Kind(report.type)]}{who}, import n° {report.import_id} : "
            f"{report.lignes_lues} lignes lues, {report.lignes_chargees} chargées, "
            f"{report.lignes_en_quarantaine} en quarantaine ({report.nouveaux} nouvelles, "
            f"{report.mis_a_jour} mises à jour, {report.absents} absentes)"
        )
    record(engine, actor, action, detail)


def record_undo(engine, actor: Actor, undone: UndoReport) -> None:
    record(
        engine,
        actor,
        "annulation",
        f"import n° {undone.import_id} (« {undone.fichier} ») annulé : "
        f"{undone.supprimes} lignes supprimées, {undone.restaures} lignes rétablies",
    )
