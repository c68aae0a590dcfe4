"""What a setting is, and how its value is read: one record per environment variable.

A `Setting` says everything the code and the README need about one variable: its name,
its kind, its default, its bounds when it is a whole number, what it does (French, for the
README) and, for the three values that `.streamlit/secrets.toml` may hold instead, its key
in the `[pilotage]` section. `value()` reads it; there is one parser for every whole
number, so a typo in a deployment gets the same treatment whichever setting it hits.

This module imports nothing of the project: every layer may ask it.
"""

from __future__ import annotations

import enum
import os
from collections.abc import Mapping
from dataclasses import dataclass

QUOTED = 20  # characters of a wrong value quoted back in the message


class Kind(enum.Enum):
    """What a setting holds. Only `INTEGER` and `FLAG` are parsed; the other kinds are
    given back as written (the caller makes a path of a `PATH`), and say to a reader what
    to put there."""

    INTEGER = "nombre entier"
    TEXT = "texte"
    PATH = "chemin"
    URL = "adresse"
    SECRET = "secret"
    FLAG = "indicateur"


class SettingError(ValueError):
    """A setting whose value cannot be used; `message` is French and says what to set."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Setting:
    """One environment variable of the application (named `settings.PREFIX` + …).

    `help` is French Markdown (one cell of the README's table: what the setting does).
    `default` is what `value()` gives when the variable is unset or empty: a whole number
    for an `INTEGER`, False for a `FLAG`, None for the others, whose default depends on
    where the program runs and is computed by the module that reads them; `shown_default`
    then says it in French for the README. `minimum` and `maximum` bound an `INTEGER`;
    `unit` names what it counts in the standard message ("d'heures"), and `advice`, when
    given, replaces that message. `test_only`: read by the test suite alone, never set in
    production. `secrets_key`: the key of the `[pilotage]` section of
    `.streamlit/secrets.toml` that stands in for the variable when it is unset (the caller
    reads that file: this package never imports Streamlit nor opens a file).
    """

    env: str
    kind: Kind
    help: str
    default: int | bool | None = None
    shown_default: str | None = None
    minimum: int | None = None
    maximum: int | None = None
    unit: str = ""
    advice: str | None = None
    test_only: bool = False
    secrets_key: str | None = None

    def __post_init__(self) -> None:
        """A record that cannot be read as declared is a programming error: say so at once."""
        if self.kind is Kind.INTEGER:
            if not isinstance(self.default, int) or self.minimum is None:
                raise TypeError(f"{self.env}: a whole number needs a default and a minimum")
            if not self.accepts(self.default):
                raise TypeError(f"{self.env}: the default is out of its own bounds")
            return
        if self.minimum is not None or self.maximum is not None or self.unit or self.advice:
            raise TypeError(f"{self.env}: bounds, unit and advice are for whole numbers")
        if self.default is not (False if self.kind is Kind.FLAG else None):
            raise TypeError(f"{self.env}: a flag is off by default, a text has no default")

    def raw(self, env: Mapping[str, str] | None = None) -> str | None:
        """The variable as written in `env` (default: the process environment); None when
        unset or empty."""
        text = (os.environ if env is None else env).get(self.env)
        return text or None

    def value(self, env: Mapping[str, str] | None = None) -> int | bool | str | None:
        """The setting's value in `env` (default: the process environment).

        `INTEGER`: the whole number written (spaces around it ignored), `default` when unset
        or blank; anything else, or a number out of bounds, is a `SettingError`, so a typo
        stops the program instead of running under a rule nobody chose. `FLAG`: True when
        the variable is exactly "1". Other kinds: the text as written, None when unset or
        empty.
        """
        text = self.raw(env)
        if self.kind is Kind.INTEGER:
            return self._whole_number(text)
        if self.kind is Kind.FLAG:
            return text == "1"
        return text

    def _whole_number(self, text: str | None) -> int:
        """The one parser of whole-number settings."""
        if text is None or not text.strip():
            return self.default
        text = text.strip()
        try:
            number = int(text)
        except ValueError:
            number = None
        if number is None or not self.accepts(number):
            raise SettingError(
                f"Réglage {self.env} invalide (« {text[:QUOTED]} ») : {self.expected()}"
            )
        return number

    def accepts(self, number: int) -> bool:
        """Whether a whole number is within the bounds."""
        return self.minimum <= number and (self.maximum is None or number <= self.maximum)

    def expected(self) -> str:
        """What a whole-number setting accepts, said to whoever set it wrong (French)."""
        if self.advice is not None:
            return self.advice
        unit = f"{self.unit} " if self.unit else ""
        if self.maximum is None:
            return f"attendu un nombre entier {unit}d'au moins {self.minimum}."
        return f"attendu un nombre entier {unit}de {self.minimum} à {self.maximum}."
