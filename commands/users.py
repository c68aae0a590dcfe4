"""`users add|password|disable|enable|unlock|first-admin|list`: the local accounts, from the command
line (`pilotage users …`). A password is typed twice without echo, or given in the setting
`settings.NEW_PASSWORD` for scripts; it is never printed nor logged."""

from __future__ import annotations

import argparse
import getpass
import json
import sys

import pandas as pd

import settings
from auth.accounts import AccountError
from auth.roles import ROLE_LABELS, Role
from domain.formatting import paris_time
from store.audit import command_line_actor

NAME = "users"
HELP = "comptes locaux (connexion au tableau de bord)"
DESCRIPTION = "gère les comptes de connexion au tableau de bord."
FIRST_ADMIN_HINT = (
    "Aucun compte administrateur pour l'instant. Ouvert depuis ce poste, le tableau de bord "
    "propose de le créer dès qu'il faut se connecter (base vide, ou sortie du mode "
    "démonstration depuis la page « Importer ») ; sinon : "
    "pilotage users add vous@departement.fr --role admin"
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    users = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    u = users.add_parser(
        "add",
        help="créer un compte",
        description="crée un compte ; le mot de passe est demandé deux fois, sans écho (au "
        "moins 12 caractères dont 4 différents, et pas l'identifiant lui-même), ou lu dans "
        f"{settings.NEW_PASSWORD.env} pour un script.",
    )
    u.add_argument(
        "identifiant",
        metavar="IDENTIFIANT",
        help="identifiant de connexion, enregistré en minuscules (avec --oidc : l'adresse "
        "e-mail de la personne)",
    )
    u.add_argument(
        "--role",
        required=True,
        choices=[r.value for r in Role],
        help="admin (chargé(e) de projet : tout voir, importer, annuler, gérer les comptes), "
        "direction (tout voir, lecture seule) ou association (ses propres fichiers et parcours)",
    )
    u.add_argument(
        "--association",
        metavar="NOM",
        help="association du compte, obligatoire pour le rôle association et refusée pour les "
        "autres ; si le référentiel des associations est importé, le nom doit y figurer (écrit "
        "comme dans le référentiel)",
    )
    u.add_argument(
        "--oidc",
        action="store_true",
        help="compte du fournisseur d'identité : l'identifiant est l'adresse e-mail de la "
        "personne, aucun mot de passe local n'est créé ni demandé",
    )
    for action, text, description in [
        (
            "password",
            "changer le mot de passe (efface aussi les échecs et le blocage)",
            "nouveau mot de passe, demandé deux fois (ou lu dans "
            f"{settings.NEW_PASSWORD.env}) ; efface aussi les échecs et le blocage.",
        ),
        (
            "disable",
            "désactiver un compte",
            "désactive un compte : plus aucune connexion possible, par aucun moyen ; le "
            "dernier administrateur actif ne peut pas l'être.",
        ),
        ("enable", "réactiver un compte", "réactive un compte désactivé."),
        (
            "unlock",
            "débloquer un compte bloqué après trop d'échecs",
            "débloque un compte bloqué après trop d'échecs de connexion consécutifs.",
        ),
    ]:
        u = users.add_parser(action, help=text, description=description)
        u.add_argument("identifiant", metavar="IDENTIFIANT", help="identifiant du compte")
    users.add_parser(
        "first-admin",
        help="dire s'il faut encore créer le premier administrateur (et comment)",
        description="dit s'il faut encore créer le premier administrateur, et comment.",
    )
    u = users.add_parser(
        "list",
        help="lister les comptes (jamais les mots de passe)",
        description="liste les comptes (rôle, association, mode de connexion, état, dernière "
        "connexion), jamais les mots de passe.",
    )
    u.add_argument(
        "--json", action="store_true", help="sortie au format JSON, dates en ISO 8601 (UTC)"
    )


def _has_terminal() -> bool:
    """Whether a password can be typed without echo."""
    try:
        with open("/dev/tty", "rb"):
            return True
    except OSError:
        return sys.stdin is not None and sys.stdin.isatty()


def _new_password(identifiant: str) -> str:
    """The new password: from `settings.NEW_PASSWORD` when set (scripts), otherwise typed
    twice without echo."""
    from auth.accounts import password_problem

    given = settings.NEW_PASSWORD.value()
    if given:
        return given
    if not _has_terminal():  # getpass would read standard input with echo
        raise AccountError(
            "Aucun terminal pour saisir le mot de passe : donnez-le dans la variable "
            f"{settings.NEW_PASSWORD.env} le temps de la commande. Rien n'a été modifié."
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
            f"(sans terminal, donnez le mot de passe dans {settings.NEW_PASSWORD.env})."
        ) from None
    if first != second:
        raise AccountError("Les deux saisies ne correspondent pas : rien n'a été modifié.")
    return first


def _account_line(row: dict) -> str:
    parts = [row["identifiant"], ROLE_LABELS[Role(row["role"])], row["association"] or "—"]
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


def run(args: argparse.Namespace) -> int:
    from auth import accounts
    from store.db import init_db, make_engine

    engine = make_engine()
    init_db(engine)
    actor = command_line_actor()
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
    elif args.action == "first-admin":
        if not accounts.any_admin(engine):
            print(FIRST_ADMIN_HINT)
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
