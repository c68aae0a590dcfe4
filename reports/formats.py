"""Number formats of the deck's charts and the workbook's cells, by catalogue unit.

Office number formats are written with the English separators ("#,##0.0") and shown with
the reader's own: PowerPoint and Excel in French show "1 234,5" and "12,5 %".
"""

from __future__ import annotations

from indicators.catalogue import Unit

FORMATS = {
    Unit.COUNT: "#,##0",
    Unit.SHARE: "0.0%",
    Unit.DAYS: "#,##0.0",
    Unit.WORKING_DAYS: "#,##0.0",
    Unit.MONTHS: "#,##0.0",
    Unit.KM: "#,##0.0",
    Unit.POINTS: "0",
    Unit.DATE: "dd/mm/yyyy",
    Unit.TEXT: "@",
}


def number_format(unit: Unit | str) -> str:
    """The Office number format of a catalogue unit (or of its value, "nombre", "part"…)."""
    return FORMATS[Unit(unit)]
