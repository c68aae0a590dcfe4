"""`ingest FICHIER…`: import association exports, CD fiches, the honorabilité follow-up or
the referential; a readable summary or a JSON report per file."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
from pathlib import Path

from commands.common import CommandError, read_file
from domain.schema import KIND_LABELS, ORIGIN_LABELS, Kind
from pipelines.api import (
    Answers,
    FileReport,
    Upload,
    ensure_database,
    ingest_upload,
    load_key,
    read_answers,
    record_outcome,
    set_aside_words,
    steps_words,
)
from store.audit import Actor, command_line_actor
from store.db import make_engine

NAME = "ingest"
HELP = "importer un ou plusieurs fichiers"
DESCRIPTION = (
    "importe les fichiers du mois (exports des associations, fiches candidature du CD, suivi "
    "d'honorabilité, référentiel des associations) : type, association et colonnes reconnus "
    "d'après le contenu ; un compte rendu par fichier."
)
log = logging.getLogger(__name__)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "files",
        nargs="+",
        metavar="FICHIER",
        type=Path,
        help="fichier à importer (xlsx, xls, ods, csv ou fiche candidature Word) ; plusieurs "
        "à la fois possibles",
    )
    p.add_argument(
        "--kind",
        choices=[k.value for k in Kind],
        help="type de fichier : association (export d'une association), fiche_cd (fiches "
        "candidature du CD), honorabilite (suivi d'honorabilité) ou associations (référentiel "
        "des associations) ; détecté d'après le contenu s'il est absent",
    )
    p.add_argument(
        "--association",
        metavar="NOM",
        help="association des exports d'association donnés ; sinon celle que le fichier nomme "
        "(colonne « Association » d'un seul nom, lignes de titre, nom du fichier : tous "
        "d'accord), sinon celle de la correspondance enregistrée. Jamais appliquée aux fiches "
        "du CD ni au référentiel ; pour le suivi d'honorabilité, seulement aux lignes qui "
        "n'en nomment pas. Une association donnée ici et absente du référentiel y est ajoutée "
        "(capacité à renseigner), et le compte rendu le dit",
    )
    p.add_argument(
        "--json",
        action="store_true",
        help="compte rendu au format JSON : un objet par fichier, dans « fichiers »",
    )
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="essai : tout est fait (lecture, reconnaissance, contrôles, écriture annulée à la "
        "fin de la transaction), le compte rendu est celui d'un vrai import (« essai » : "
        "true), rien n'est écrit ni inscrit au journal",
    )
    p.add_argument(
        "--profile",
        type=Path,
        metavar="FICHIER.toml",
        help="fichier de réponses (TOML, même format que pipelines/mappings/*.toml), appliqué "
        'par-dessus ce qui est reconnu : [colonnes] « En-tête » = "champ" ("" pour ignorer '
        'la colonne), [valeurs.<champ>] « Libellé » = "valeur" ; type et association '
        "facultatifs. Un champ ou une valeur inconnus sont refusés avec la liste des possibles",
    )
    p.add_argument(
        "--user",
        metavar="NOM",
        help="nom de la personne qui importe, gardé dans l'historique et le journal d'audit ; "
        "par défaut l'utilisateur du système",
    )


def summary(report: FileReport) -> str:
    if report.statut == "rejete":
        return f"✗ {report.fichier} : refusé. {report.erreurs[0] if report.erreurs else ''}"
    if report.statut == "a_completer":
        return f"? {report.message}"
    if report.statut == "deja_importe":
        return f"= {report.fichier} : {report.message}"
    kind = KIND_LABELS[Kind(report.type)]
    who = f" — {report.association}" if report.association else ""
    verb = "seraient chargées" if report.essai else "chargées"
    text = (
        f"{'Essai (rien n’a été écrit) : ' if report.essai else '✓ '}"
        f"{report.fichier} ({kind}{who}) : {report.lignes_lues} lignes lues, "
        f"{report.lignes_chargees} {verb}, {report.lignes_en_quarantaine} en quarantaine "
        f"({report.nouveaux} nouvelles, {report.mis_a_jour} mises à jour"
        f"{f', {report.absents} absentes de ce fichier' if report.absents else ''})."
    )
    if steps := steps_words(report.etapes):
        text += f"\n  {steps}"
    if aside := set_aside_words(report.lignes_ignorees):
        text += f"\n  {aside}"
    if report.association_creee:
        text += f"\n  Association « {report.association} » ajoutée au référentiel"
        text += " (capacité à renseigner dans le référentiel des associations)."
    if report.date_donnees:
        day = dt.date.fromisoformat(report.date_donnees)
        text += f"\n  Données au {day:%d/%m/%Y} ({ORIGIN_LABELS[report.origine_date_donnees]})."
    if report.colonnes_non_reconnues:
        cols = ", ".join(f"« {c} »" for c in report.colonnes_non_reconnues)
        text += f"\n  Colonnes non reconnues (ignorées) : {cols}"
    if report.valeurs_non_reconnues:
        labels = "; ".join(
            f"« {v['valeur']} » ({v['champ']}, {v['lignes']} ligne{'s' if v['lignes'] > 1 else ''})"
            for v in report.valeurs_non_reconnues[:10]
        )
        text += (
            f"\n  Libellés non reconnus (lignes chargées, champ laissé vide) : {labels}"
            "\n  Pour les faire reconnaître : [valeurs.<champ>] dans un fichier --profile."
        )
    for line in report.erreurs[:10]:
        text += f"\n  {line}"
    if len(report.erreurs) > 10:
        text += f"\n  … {len(report.erreurs) - 10} autres lignes dans le rapport JSON."
    return text


def ingest_files(
    engine,
    files: list[Path],
    key: bytes,
    kind: Kind | None,
    association: str | None,
    actor: Actor,
    answers: Answers | None = None,
    dry_run: bool = False,
) -> list[FileReport]:
    """Import each file in the name of `actor`, the Word fiches given together as one batch
    (as on the Importer page): each file loaded, refused or left to complete is written to
    the audit log (a dry run writes nothing)."""
    reports: list[FileReport] = []
    fiches: list[tuple[str, bytes]] = []
    for path in files:
        try:
            data = read_file(path)
        except CommandError as exc:
            reports.append(_refused(engine, actor, path.name, exc.message, None, dry_run))
            continue
        if path.suffix.lower() == ".docx":
            fiches.append((path.name, data))  # imported together, after the others
            continue
        reports.append(_one(engine, Upload.of(path.name, data), key, kind, association, actor,
                            answers, dry_run))  # fmt: skip
    if fiches:
        batch = Upload.fiches(fiches)
        reports.append(_one(engine, batch, key, kind, association, actor, answers, dry_run))
    return reports


def _one(
    engine,
    upload: Upload,
    key: bytes,
    kind: Kind | None,
    association: str | None,
    actor: Actor,
    answers: Answers | None,
    dry_run: bool,
) -> FileReport:
    try:
        return ingest_upload(
            engine, upload, key, kind, association, answers=answers, dry_run=dry_run, actor=actor
        )
    except Exception as exc:  # a user never sees a traceback
        # The traceback only when asked for: it could quote a cell of the file.
        log.debug("unexpected %s while importing", type(exc).__name__, exc_info=True)
        message = (
            f"Erreur inattendue pendant l'import de « {upload.name} » ({type(exc).__name__}) "
            ": rien n'a été modifié. Signalez-la à l'équipe technique."
        )
        return _refused(engine, actor, upload.name, message, upload.sha256, dry_run)


def _refused(
    engine, actor: Actor, name: str, message: str, sha256: str | None, dry_run: bool
) -> FileReport:
    """The report of a file that could not even be planned, written to the audit log."""
    report = FileReport(name, "rejete", erreurs=[message], message=message)
    if not dry_run:
        record_outcome(engine, actor, report, sha256)
    return report


def run(args: argparse.Namespace) -> int:
    key = load_key()
    answers = read_answers(read_file(args.profile), args.profile.name) if args.profile else None
    engine = make_engine()
    ensure_database(engine)
    kind = Kind(args.kind) if args.kind else None
    reports = ingest_files(
        engine,
        args.files,
        key,
        kind,
        args.association,
        command_line_actor(args.user),
        answers=answers,
        dry_run=args.dry_run,
    )
    if args.json:
        print(
            json.dumps({"fichiers": [r.as_json() for r in reports]}, ensure_ascii=False, indent=2)
        )
    else:
        for report in reports:
            print(summary(report))
    return 1 if any(r.statut in ("rejete", "a_completer") for r in reports) else 0
