"""French formats for figures and moments, shared by the pages, the exports and the command
line: "1 234,5", "12,5 %", "12/03/2025", "mars 2025", "26/11/2026 à 20:05"; and the
département's time zone (Europe/Paris), in which "today" and every shown moment are read."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from babel.dates import format_date
from babel.numbers import format_decimal

LOCALE = "fr_FR"
PARIS = ZoneInfo("Europe/Paris")


def number(value: float | int | None, decimals: int = 0) -> str:
    if value is None:
        return "–"
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=LOCALE)


def count(n: int, singular: str, plural: str | None = None) -> str:
    """A count and its noun agreed in French: "0 jeune", "1 jeune", "2 jeunes", "1 234
    lignes" (`plural` when the plural is not the singular plus « s »: "nouveaux")."""
    return f"{number(n)} {singular if abs(n) < 2 else (plural or singular + 's')}"


def percent(share: float | None, decimals: int = 1) -> str:
    """A share 0-1 as "12,5 %" (narrow no-break space before %, as French typography)."""
    if share is None:
        return "–"
    return f"{number(share * 100, decimals)}\u202f%"


def day(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return "–"
    return f"{value:%d/%m/%Y}"


def month(value: dt.date) -> str:
    """ "mars 2025"."""
    return format_date(value, "MMMM y", locale=LOCALE)


def short_month(value: dt.date) -> str:
    """ "mars 2025" abbreviated as Babel does: "janv. 2025"."""
    return format_date(value, "MMM y", locale=LOCALE)


def today_in_paris() -> dt.date:
    return dt.datetime.now(PARIS).date()


def in_paris(moment: dt.datetime) -> dt.datetime:
    """A stored moment in Paris time (SQLite gives back naive UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(PARIS)


def paris_time(moment: dt.datetime) -> str:
    """A stored UTC moment as French staff read it ("26/11/2026 à 20:05")."""
    return f"{in_paris(moment):%d/%m/%Y à %H:%M}"


_VOWELS = set("aeiouyhàâäéèêëîïôöùûüœæ")
_ARTICLES = {"le ": "du ", "les ": "des ", "la ": "de la ", "l'": "de l'", "l’": "de l’"}


def of_name(name: str) -> str:
    """« de » before a name, as French writes it: « d'Élan Jeunesse », « des Bâtisseurs »
    (Les Bâtisseurs), « du Tremplin » (Le Tremplin), « de la Boussole », « de l'Envol »,
    « d'Horizon » (an h is taken as mute: the usual form for association names)."""
    text = " ".join(str(name).split())
    lowered = text.lower()
    for article, contracted in _ARTICLES.items():
        if lowered.startswith(article) and len(text) > len(article):
            return contracted + text[len(article) :]
    if lowered[:1] in _VOWELS:
        return f"d'{text}"
    return f"de {text}"
