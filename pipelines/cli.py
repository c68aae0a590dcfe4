"""Command line: import files, rebuild the demo database, manage the pseudonymisation key
and the local accounts.

Every message is French and every failure exits with a code, never a traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import logging
import os
import sys
from pathlib import Path

import pandas as pd

from auth.accounts import AccountError
from auth.roles import ROLE_LABELS, Role
from domain.formatting import paris_time
from domain.schema import KIND_LABELS, Kind
from pipelines.answers import Answers, read_answers
from pipelines.audit_entries import record_import
from pipelines.data_date import ORIGIN_LABELS
from pipelines.errors import IngestError
from pipelines.ingest import FileReport, ingest, sha256_of
from pipelines.pseudonyms import DEFAULT_KEY_FILE, KEY_ENV, create_key_file, load_key
from store.audit import CLI_ORIGIN, Actor

log = logging.getLogger("pipelines")
DEMO_DIR = Path(__file__).resolve().parent.parent / "data" / "demo"
NEW_PASSWORD_ENV = "PILOTAGE_NOUVEAU_MOT_DE_PASSE"


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
    p.add_argument(
        "--association",
        help="association de l'export (détectée si absente) ; ajoutée au référentiel si elle "
        "n'y est pas encore",
    )
    p.add_argument("--json", action="store_true", help="compte rendu au format JSON")
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="essai : le compte rendu d'un vrai import, sans rien écrire",
    )
    p.add_argument(
        "--profile",
        type=Path,
        metavar="FICHIER.toml",
        help='réponses aux questions ([colonnes] « En-tête » = "champ", "" pour '
        'ignorer ; [valeurs.<champ>] « Libellé » = "valeur"), appliquées à ce qui est reconnu',
    )
    p.add_argument(
        "--user",
        help="nom de la personne qui importe (historique et journal ; "
        "par défaut l'utilisateur du système)",
    )

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

    sub.add_parser(
        "purge-journal",
        help="supprimer les entrées du journal d'audit de plus de 12 mois (tâche planifiée)",
    )

    p = sub.add_parser(
        "undo", help="annuler un import (ses lignes reviennent à leur état antérieur)"
    )
    p.add_argument("import_id", metavar="IMPORT_ID", type=int, help="numéro de l'import")
    p.add_argument(
        "--user",
        help="nom de la personne qui annule (historique et journal ; "
        "par défaut l'utilisateur du système)",
    )

    p = sub.add_parser("key", help="clé de pseudonymisation")
    p.add_argument(
        "--create", action="store_true", help=f"créer {DEFAULT_KEY_FILE.name} s'il n'existe pas"
    )

    p = sub.add_parser("users", help="comptes locaux (connexion au tableau de bord)")
    users = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    u = users.add_parser("add", help="créer un compte")
    u.add_argument("identifiant", metavar="IDENTIFIANT")
    u.add_argument("--role", required=True, choices=[r.value for r in Role], help="rôle du compte")
    u.add_argument("--association", help="association du compte (rôle association seulement)")
    u.add_argument(
        "--oidc",
        action="store_true",
        help="compte du fournisseur d'identité : l'identifiant est l'adresse e-mail, "
        "pas de mot de passe local",
    )
    for action, text in [
        ("password", "changer le mot de passe (efface aussi les échecs et le blocage)"),
        ("disable", "désactiver un compte"),
        ("enable", "réactiver un compte"),
        ("unlock", "débloquer un compte bloqué après trop d'échecs"),
    ]:
        u = users.add_parser(action, help=text)
        u.add_argument("identifiant", metavar="IDENTIFIANT")
    u = users.add_parser("list", help="lister les comptes (jamais les mots de passe)")
    u.add_argument("--json", action="store_true", help="sortie au format JSON")
    return parser


def os_user() -> str:
    """Who runs the command, for the history and the audit log."""
    try:
        return getpass.getuser() or "cli"
    except (OSError, KeyError):  # no login name in the environment nor the user database
        return "cli"


def cli_actor(user: str | None = None) -> Actor:
    return Actor(utilisateur=user or os_user(), origine=CLI_ORIGIN)


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
    engine,
    files: list[Path],
    key: bytes,
    kind: Kind | None,
    association: str | None,
    user: str,
    actor: Actor | None = None,
    answers: Answers | None = None,
    dry_run: bool = False,
) -> list[FileReport]:
    """Import each file; with `actor`, each file loaded, refused or left to complete is
    written to the audit log (a dry run writes nothing)."""
    reports = []
    for path in files:
        data = None
        try:
            data = _read(path)
            report = ingest(
                engine,
                data,
                path.name,
                key,
                kind,
                association,
                user,
                answers,
                dry_run,
                actor=None if dry_run else actor,
            )
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
        if actor is not None and not dry_run and report.statut != "charge":
            # A loaded file's entry is written with it, in the import's transaction.
            record_import(engine, actor, report, None if data is None else sha256_of(data))
        reports.append(report)
    return reports


def _cmd_ingest(args: argparse.Namespace) -> int:
    from pipelines.database_setup import ensure_database
    from store.db import make_engine

    key = load_key()
    answers = read_answers(_read(args.profile), args.profile.name) if args.profile else None
    engine = make_engine()
    ensure_database(engine)
    kind = Kind(args.kind) if args.kind else None
    actor = cli_actor(args.user)
    reports = ingest_files(
        engine,
        args.files,
        key,
        kind,
        args.association,
        actor.utilisateur,
        actor,
        answers=answers,
        dry_run=args.dry_run,
    )
    if args.json:
        print(
            json.dumps({"fichiers": [r.as_json() for r in reports]}, ensure_ascii=False, indent=2)
        )
    else:
        for report in reports:
            print(_summary(report))
    return 1 if any(r.statut in ("rejete", "a_completer") for r in reports) else 0


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
    from pipelines.database_setup import ensure_database
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
    from pipelines.database_setup import ensure_database
    from pipelines.undo import undo_import
    from store.db import make_engine

    engine = make_engine()
    ensure_database(engine)
    actor = cli_actor(args.user)
    report = undo_import(engine, args.import_id, actor.utilisateur, actor)
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


def _has_terminal() -> bool:
    """Whether a password can be typed without echo."""
    try:
        with open("/dev/tty", "rb"):
            return True
    except OSError:
        return sys.stdin is not None and sys.stdin.isatty()


def _new_password(identifiant: str) -> str:
    """The new password: from PILOTAGE_NOUVEAU_MOT_DE_PASSE when set (scripts), otherwise
    typed twice without echo."""
    from auth.accounts import password_problem

    given = os.environ.get(NEW_PASSWORD_ENV)
    if given:
        return given
    if not _has_terminal():  # getpass would read standard input with echo
        raise AccountError(
            "Aucun terminal pour saisir le mot de passe : donnez-le dans la variable "
            f"{NEW_PASSWORD_ENV} le temps de la commande. Rien n'a été modifié."
        )
    try:
        first = getpass.getpass(f"Mot de passe pour « {identifiant} » : ")
        problem = password_problem(identifiant, first)
        if problem:
            raise AccountError(f"{problem} Rien n'a été modifié.")
        second = getpass.getpass("Confirmez le mot de passe : ")
    except (EOFError, KeyboardInterrupt):
        raise AccountError(
            "Saisie du mot de passe interrompue : rien n'a été modifié "
            f"(sans terminal, donnez le mot de passe dans {NEW_PASSWORD_ENV})."
        ) from None
    if first != second:
        raise AccountError("Les deux saisies ne correspondent pas : rien n'a été modifié.")
    return first


def _account_line(row: dict) -> str:
    parts = [row["identifiant"], ROLE_LABELS[Role(row["role"])]]
    if row["association"]:
        parts.append(row["association"])
    parts.append("mot de passe local" if row["mot_de_passe_local"] else "fournisseur d'identité")
    if not row["actif"]:
        parts.append("désactivé")
    elif row["bloque"]:
        parts.append(f"bloqué jusqu'au {paris_time(row['bloque_jusqua'].to_pydatetime())}")
    else:
        parts.append("actif")
    last = row["derniere_connexion"]
    when = paris_time(last.to_pydatetime()) if not pd.isna(last) else "jamais"
    parts.append(f"dernière connexion : {when}")
    return " — ".join(parts)


def _accounts_json(frame) -> list[dict]:
    rows = []
    for row in frame.to_dict("records"):
        for column in ("bloque_jusqua", "cree_le", "modifie_le", "derniere_connexion"):
            value = row[column]
            row[column] = None if pd.isna(value) else value.isoformat()
        row["echecs"] = int(row["echecs"])
        rows.append(row)
    return rows


def _cmd_users(args: argparse.Namespace) -> int:
    from auth import accounts
    from pipelines.database_setup import ensure_database
    from store.db import make_engine

    engine = make_engine()
    ensure_database(engine, communes=False)
    actor = cli_actor()
    name = accounts.normalise_identifiant(getattr(args, "identifiant", "") or "")
    if args.action == "add":
        accounts.check_new_account(engine, name, args.role, args.association, args.oidc)
        password = None if args.oidc else _new_password(name)
        identity = accounts.create_account(
            engine, name, args.role, args.association, password, actor
        )
        how = "mot de passe local" if password else "connexion par le fournisseur d'identité"
        who = f", {identity.association}" if identity.association else ""
        print(f"✓ Compte « {identity.identifiant} » créé ({identity.role_label}{who} ; {how}).")
    elif args.action == "password":
        accounts.require_account(engine, name)  # before asking for a password
        accounts.set_password(engine, name, _new_password(name), actor)
        print(f"✓ Mot de passe de « {name} » changé (échecs et blocage effacés).")
    elif args.action in ("disable", "enable", "unlock"):
        change, verb, already = {
            "disable": (accounts.disable, "désactivé", "était déjà désactivé"),
            "enable": (accounts.enable, "réactivé", "était déjà actif"),
            "unlock": (accounts.unlock, "débloqué", "n'était pas bloqué"),
        }[args.action]
        if change(engine, name, actor):
            print(f"✓ Compte « {name} » {verb}.")
        else:
            print(f"= Le compte « {name} » {already} : rien n'a changé.")
    else:  # list
        frame = accounts.list_accounts(engine)
        if args.json:
            print(json.dumps({"comptes": _accounts_json(frame)}, ensure_ascii=False, indent=2))
        elif frame.empty:
            print("Aucun compte.")
        else:
            for row in frame.to_dict("records"):
                print(_account_line(row))
    return 0


def _cmd_purge_journal(_args: argparse.Namespace) -> int:
    from pipelines.database_setup import ensure_database
    from store.audit import purge
    from store.db import make_engine

    engine = make_engine()
    ensure_database(engine)
    print(f"{purge(engine)} entrée(s) du journal d'audit purgée(s) (plus de 12 mois).")
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
        "users": _cmd_users,
        "purge-journal": _cmd_purge_journal,
    }
    try:
        return commands[args.command](args)
    except (IngestError, AccountError) as exc:
        print(exc.message, file=sys.stderr)
        return 1
