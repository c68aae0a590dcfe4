"""Command line: import files, rebuild the demo database, manage the pseudonymisation key.

Every message is French and every failure exits with a code, never a traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import sys
from pathlib import Path

from pipelines.errors import IngestError
from pipelines.ingest import FileReport, ingest
from pipelines.pseudonyms import DEFAULT_KEY_FILE, KEY_ENV, create_key_file, load_key
from pipelines.schema import KIND_LABELS, Kind

log = logging.getLogger("pipelines")
DEMO_DIR = Path(__file__).resolve().parent.parent / "data" / "demo"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m pipelines",
        description="Pilotage du mentorat ASE : import des fichiers et base de démonstration.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", help="importer un ou plusieurs fichiers")
    p.add_argument("files", nargs="+", metavar="FICHIER", type=Path)
    p.add_argument(
        "--kind",
        choices=[k.value for k in Kind],
        help="type de fichier (détecté d'après le contenu si absent)",
    )
    p.add_argument("--association", help="association de l'export (détectée si absente)")
    p.add_argument("--json", action="store_true", help="compte rendu au format JSON")
    p.add_argument("--user", default="cli", help="nom de la personne qui importe (historique)")

    p = sub.add_parser("demo", help="reconstruire la base de démonstration")
    p.add_argument(
        "--if-missing",
        action="store_true",
        help="ne rien faire si la base contient déjà des imports",
    )
    p.add_argument("--dir", type=Path, default=DEMO_DIR, help="dossier des fichiers générés")

    p = sub.add_parser("indicators", help="indicateurs de pilotage sur une période")
    p.add_argument("--du", required=True, type=_iso_date, help="début de période (AAAA-MM-JJ)")
    p.add_argument(
        "--au", required=True, type=_iso_date, help="fin de période et date d'arrêté (AAAA-MM-JJ)"
    )
    p.add_argument("--association", help="limiter aux parcours d'une association")
    p.add_argument("--json", action="store_true", help="sortie au format JSON")

    p = sub.add_parser(
        "undo", help="annuler un import (ses lignes reviennent à leur état antérieur)"
    )
    p.add_argument("import_id", metavar="IMPORT_ID", type=int, help="numéro de l'import")
    p.add_argument("--user", default="cli", help="nom de la personne qui annule (historique)")

    p = sub.add_parser("key", help="clé de pseudonymisation")
    p.add_argument(
        "--create", action="store_true", help=f"créer {DEFAULT_KEY_FILE.name} s'il n'existe pas"
    )
    return parser


def _iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"date invalide « {text} » : attendu AAAA-MM-JJ (ex. 2025-03-31)"
        ) from None


def _summary(report: FileReport) -> str:
    if report.statut == "rejete":
        return f"✗ {report.fichier} : refusé. {report.erreurs[0] if report.erreurs else ''}"
    if report.statut == "deja_importe":
        return f"= {report.fichier} : {report.message}"
    kind = KIND_LABELS[Kind(report.type)]
    who = f" — {report.association}" if report.association else ""
    text = (
        f"✓ {report.fichier} ({kind}{who}) : {report.lignes_lues} lignes lues, "
        f"{report.lignes_chargees} chargées, {report.lignes_en_quarantaine} en quarantaine "
        f"({report.nouveaux} nouvelles, {report.mis_a_jour} mises à jour"
        f"{f', {report.absents} absentes de ce fichier' if report.absents else ''})."
    )
    if report.colonnes_non_reconnues:
        cols = ", ".join(f"« {c} »" for c in report.colonnes_non_reconnues)
        text += f"\n  Colonnes non reconnues (ignorées) : {cols}"
    for line in report.erreurs[:10]:
        text += f"\n  {line}"
    if len(report.erreurs) > 10:
        text += f"\n  … {len(report.erreurs) - 10} autres lignes dans le rapport JSON."
    return text


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise IngestError(f"Fichier introuvable : {path}") from None
    except IsADirectoryError:
        raise IngestError(f"« {path} » est un dossier, pas un fichier.") from None
    except OSError as exc:
        raise IngestError(f"Lecture impossible de « {path} » ({exc.strerror}).") from None


def ingest_files(
    engine, files: list[Path], key: bytes, kind: Kind | None, association: str | None, user: str
) -> list[FileReport]:
    reports = []
    for path in files:
        try:
            data = _read(path)
            report = ingest(engine, data, path.name, key, kind, association, user)
        except IngestError as exc:
            report = FileReport(path.name, "rejete", erreurs=[exc.message], message=exc.message)
        except Exception as exc:  # a user never sees a traceback
            # The traceback only when asked for: it could quote a cell of the file.
            log.debug("unexpected %s while importing", type(exc).__name__, exc_info=True)
            message = (
                f"Erreur inattendue pendant l'import de « {path.name} » ({type(exc).__name__}) : "
                "rien n'a été modifié. Signalez-la à l'équipe technique."
            )
            report = FileReport(path.name, "rejete", erreurs=[message], message=message)
        reports.append(report)
    return reports


def _cmd_ingest(args: argparse.Namespace) -> int:
    from pipelines.setup import ensure_database
    from store.db import make_engine

    key = load_key()
    engine = make_engine()
    ensure_database(engine)
    kind = Kind(args.kind) if args.kind else None
    reports = ingest_files(engine, args.files, key, kind, args.association, args.user)
    if args.json:
        print(
            json.dumps({"fichiers": [r.as_json() for r in reports]}, ensure_ascii=False, indent=2)
        )
    else:
        for report in reports:
            print(_summary(report))
    return 1 if any(r.statut == "rejete" for r in reports) else 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from pipelines.demo_database import build_demo_database, has_imports
    from store.db import make_engine

    engine = make_engine()
    if args.if_missing and has_imports(engine):
        print("La base contient déjà des données : base de démonstration non reconstruite.")
        return 0
    reports = build_demo_database(engine, args.dir, load_key())
    for report in reports:
        print(_summary(report))
    return 1 if any(r.statut == "rejete" for r in reports) else 0


def _cmd_indicators(args: argparse.Namespace) -> int:
    from indicators.dataset import Dataset, Filters, Period
    from indicators.report import indicators_report
    from indicators.summary_text import summary_text
    from pipelines.setup import ensure_database
    from store.db import make_engine
    from store.queries import dataset_frames

    if args.du > args.au:
        raise IngestError("La date de début (--du) doit précéder la date de fin (--au).")
    engine = make_engine()
    ensure_database(engine)
    with engine.connect() as conn:
        data = Dataset(**dataset_frames(conn))
    if args.association:
        data = data.scoped(Filters(association=args.association))
    report = indicators_report(data, Period(args.du, args.au))
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print(summary_text(report))
    return 0


def _cmd_undo(args: argparse.Namespace) -> int:
    from pipelines.setup import ensure_database
    from pipelines.undo import undo_import
    from store.db import make_engine

    engine = make_engine()
    ensure_database(engine)
    report = undo_import(engine, args.import_id, args.user)
    print(
        f"✓ Import n° {report.import_id} ({report.fichier}) annulé : "
        f"{report.supprimes} lignes supprimées, {report.restaures} lignes rétablies ; "
        "parcours recalculés."
    )
    return 0


def _cmd_key(args: argparse.Namespace) -> int:
    if args.create and not os.environ.get(KEY_ENV) and create_key_file():
        print(f"Clé de pseudonymisation créée : {DEFAULT_KEY_FILE} (ne la partagez pas).")
    load_key()  # says in French what is wrong when no usable key is configured
    print("Clé de pseudonymisation disponible.")
    return 0


def main(argv: list[str] | None = None) -> int:
    debug = os.environ.get("PILOTAGE_DEBUG") == "1"
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    args = _parser().parse_args(argv)
    commands = {
        "ingest": _cmd_ingest,
        "demo": _cmd_demo,
        "indicators": _cmd_indicators,
        "undo": _cmd_undo,
        "key": _cmd_key,
    }
    try:
        return commands[args.command](args)
    except IngestError as exc:
        print(exc.message, file=sys.stderr)
        return 1
