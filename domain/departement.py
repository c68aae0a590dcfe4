"""The département an instance serves, as INSEE writes its code.

A code is two characters for metropolitan France (`01`…`95`, Corsica `2A` and `2B`) and
three for the overseas départements (`971` Guadeloupe, `972` Martinique, `973` Guyane,
`974` La Réunion, `976` Mayotte). A code written `1`, `2a` or ` 59 ` is read as `01`, `2A`,
`59`; anything else is refused with a French message naming the setting.

Alsace-Moselle (`57`, `67`, `68`) and the overseas départements have public holidays of
their own: `ALSACE_MOSELLE` and `OVERSEAS` name them for the working-day count.
"""

from __future__ import annotations

import re

DEFAULT = "59"  # the Nord: the demo's département
ALSACE_MOSELLE = frozenset({"57", "67", "68"})
OVERSEAS = {
    "971": "Guadeloupe",
    "972": "Martinique",
    "973": "Guyane",
    "974": "La Réunion",
    "976": "Mayotte",
}
_METROPOLITAN = re.compile(r"^(0[1-9]|[1-8]\d|9[0-5]|2A|2B)$")


def normalise(code: str) -> str | None:
    """The INSEE form of a département code, or None when `code` is none."""
    text = str(code).strip().upper()
    if text.isdigit() and len(text) == 1:
        text = "0" + text
    if (_METROPOLITAN.match(text) and text != "20") or text in OVERSEAS:
        return text
    return None


def read(raw: str | None, name: str) -> str:
    """The département named by the setting `name` written `raw` (None: the demo's, 59);
    ValueError with a French message when it names none."""
    if raw is None or not str(raw).strip():
        return DEFAULT
    code = normalise(raw)
    if code is None:
        raise ValueError(
            f"Réglage {name} invalide (« {str(raw)[:20]} ») : attendu le code INSEE d'un "
            "département, par exemple 59, 2A ou 974."
        )
    return code
