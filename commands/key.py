"""`key [--create]`: check (or create) the pseudonymisation key."""

from __future__ import annotations

import argparse
from pathlib import Path

import settings
from commands.common import CommandError
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
        help=f"créer le fichier de clé s'il n'existe pas et que {settings.SECRET_KEY.env} n'est "
        f"pas défini : celui que nomme {settings.SECRET_KEY_FILE.env}, sinon "
        f"{DEFAULT_KEY_FILE.parent.name}/{DEFAULT_KEY_FILE.name}",
    )


def key_file() -> Path:
    """The key file the application reads: the one the key-file setting names, else the
    local one."""
    configured = (settings.SECRET_KEY_FILE.value() or "").strip()
    return Path(configured) if configured else DEFAULT_KEY_FILE


def run(args: argparse.Namespace) -> int:
    path = key_file()
    if args.create and not settings.SECRET_KEY.value():
        try:
            created = create_key_file(path)
        except OSError as exc:
            raise CommandError(
                f"Création impossible du fichier de clé « {path} » ({exc.strerror})."
            ) from None
        if created:
            print(f"Clé de pseudonymisation créée : {path} (ne la partagez pas).")
    load_key()  # says in French what is wrong when no usable key is configured
    print("Clé de pseudonymisation disponible.")
    return 0
