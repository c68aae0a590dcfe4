"""`key [--create]`: check (or create) the pseudonymisation key."""

from __future__ import annotations

import argparse

import settings
from pipelines.pseudonyms import DEFAULT_KEY_FILE, create_key_file, load_key

NAME = "key"
HELP = "clé de pseudonymisation"
DESCRIPTION = (
    f"vérifie qu'une clé de pseudonymisation est disponible ({settings.SECRET_KEY.env}, "
    f"{settings.SECRET_KEY.secrets_key} dans .streamlit/secrets.toml, ou fichier de clé)."
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--create",
        action="store_true",
        help=f"créer la clé locale {DEFAULT_KEY_FILE.parent.name}/{DEFAULT_KEY_FILE.name} si "
        f"elle n'existe pas et que {settings.SECRET_KEY.env} n'est pas défini",
    )


def run(args: argparse.Namespace) -> int:
    if args.create and not settings.SECRET_KEY.value() and create_key_file():
        print(f"Clé de pseudonymisation créée : {DEFAULT_KEY_FILE} (ne la partagez pas).")
    load_key()  # says in French what is wrong when no usable key is configured
    print("Clé de pseudonymisation disponible.")
    return 0
