"""What several commands share: their error, reading a file given on the command line, ISO
dates."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path


class CommandError(Exception):
    """A command cannot do what it was asked; `message` (French) is printed as is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"date invalide « {text} » : attendu AAAA-MM-JJ (ex. 2025-03-31)"
        ) from None


def read_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise CommandError(f"Fichier introuvable : {path}") from None
    except IsADirectoryError:
        raise CommandError(f"« {path} » est un dossier, pas un fichier.") from None
    except OSError as exc:
        raise CommandError(f"Lecture impossible de « {path} » ({exc.strerror}).") from None
