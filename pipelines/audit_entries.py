"""The audit entries of an import and of an undo, written the same way from the command
line and from the pages (store/audit.py holds the log itself). A loaded import and an undo
write theirs inside their own transaction (pipelines.ingest.apply_plan,
pipelines.undo.undo_import): a process killed in between leaves both or neither."""

from __future__ import annotations

from typing import TYPE_CHECKING

from domain.schema import KIND_LABELS, Kind
from store.audit import Actor, record

if TYPE_CHECKING:
    from pipelines.ingest import FileReport
    from pipelines.undo import UndoReport


def import_entry(report: FileReport, sha256: str | None) -> tuple[str, str] | None:
    """(action, detail) for a file loaded, refused or left to complete ("referentiel" for
    the associations referential); None for a file already imported, which changed nothing.
    `sha256`: None when the file could not be read."""
    if report.statut not in ("charge", "rejete", "a_completer"):
        return None
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
    return action, detail


def record_import(engine, actor: Actor, report: FileReport, sha256: str | None) -> None:
    """The entry of a file refused or left to complete (a loaded one is written with it)."""
    entry = import_entry(report, sha256)
    if entry is not None:
        record(engine, actor, *entry)


def undo_entry(undone: UndoReport) -> tuple[str, str]:
    return (
        "annulation",
        f"import n° {undone.import_id} (« {undone.fichier} ») annulé : "
        f"{undone.supprimes} lignes supprimées, {undone.restaures} lignes rétablies",
    )
