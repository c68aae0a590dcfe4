"""What several commands share: their error, reading a file given on the command line, the
period of --du/--au."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from indicators.dataset import Dataset, Period


class CommandError(Exception):
    """A command cannot do what it was asked; `message` (French) is printed as is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def checked_period(
    du: str | None, au: str | None, data: Dataset, engine: Engine, option: str = ""
) -> Period:
    """The period of --du/--au (AAAA-MM-JJ), checked as the web checks an address
    (`indicators.dataset.checked_period`, against the data date of `data` and `engine`):
    a refused one is a CommandError with the web's words, after `option` when given (the
    option that gave the dates, when it is not --du/--au)."""
    from domain.formatting import today_in_paris
    from indicators.dataset import PeriodRefused, data_date
    from indicators.dataset import checked_period as check
    from store.queries import recorded_data_date

    with engine.connect() as conn:
        recorded = recorded_data_date(conn)
    day = data_date(data, recorded, today_in_paris()).day
    try:
        return check(du, au, day)
    except PeriodRefused as refused:
        raise CommandError(f"{option} : {refused.message}" if option else refused.message) from None


def read_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise CommandError(f"Fichier introuvable : {path}") from None
    except IsADirectoryError:
        raise CommandError(f"« {path} » est un dossier, pas un fichier.") from None
    except OSError as exc:
        raise CommandError(f"Lecture impossible de « {path} » ({exc.strerror}).") from None
