"""The territory an instance serves: its département, read from the settings.

The département decides which communes the map draws, where « communes non couvertes »
are looked for, and which public holidays the working-day count skips
(`indicators.workdays`). Its code is read and checked by `domain.departement`.
"""

from __future__ import annotations

import settings
from domain import departement
from settings import SettingError


def served_departement(env=None) -> str:
    """The INSEE code of the département served (`settings.DEPARTEMENT`, default 59); a
    `SettingError` with a French message when the setting names no département."""
    try:
        return departement.read(settings.DEPARTEMENT.value(env), settings.DEPARTEMENT.env)
    except ValueError as error:
        raise SettingError(str(error)) from None
