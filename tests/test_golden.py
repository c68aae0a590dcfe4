"""Golden files: one small input per demo layout, and the canonical rows it must give.

The inputs under tests/golden/ are committed (generated once by the demo generator with a
small size), so a change of the generator cannot hide a change of the pipeline. To accept a
deliberate change of output: `UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py`, then
review the diff of the CSV files like any other change.
"""

from __future__ import annotations

import io
import os
import shutil
import tempfile
from pathlib import Path

import pandas as pd
import pytest

from demo import generate_demo_files
from pipelines.extract import read_table
from pipelines.mapping import header_score, map_columns
from pipelines.prepare import prepare
from tests.conftest import TEST_KEY

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
LAYOUTS = [
    ("01_referentiel_associations", "referentiel_associations"),
    ("02_fiches_candidature_cd", "fiches_cd"),
    ("03_export_envol_mentorat_nord", "envol_csv"),
    ("04_export_les_ailes_du_possible", "ailes_xlsx"),
    ("05_export_tremplin_avenir_59", None),  # read by the matcher, no profile
    ("06_export_la_boussole_mentorat", None),
    ("07_suivi_honorabilite", "suivi_honorabilite"),
]
# The association each export belongs to, as the profile says or as given at import.
ASSOCIATION = {
    "05_export_tremplin_avenir_59": "Tremplin Avenir 59",
    "06_export_la_boussole_mentorat": "La Boussole Mentorat",
}


def _regenerate_inputs() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for path in generate_demo_files(Path(tmp), seed=7, n_parcours=60):
            stem = path.name.rsplit("_", 1)[0]
            shutil.copy(path, GOLDEN / f"{stem}{path.suffix}")


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = out[col].dt.strftime("%Y-%m-%d")
    return out.astype("string").reset_index(names="ligne")


def _reread(source: str | Path) -> pd.DataFrame:
    """Both sides through the same CSV reading, so only the values are compared."""
    if isinstance(source, str):
        source = io.StringIO(source)
    return pd.read_csv(source, dtype="string", keep_default_na=False, na_values=[""])


@pytest.mark.parametrize(("stem", "profile"), LAYOUTS)
def test_layout_gives_its_golden_rows(stem, profile):
    if UPDATE and stem == LAYOUTS[0][0]:
        GOLDEN.mkdir(exist_ok=True)
        _regenerate_inputs()
    (source,) = [p for p in GOLDEN.glob(f"{stem}.*") if len(p.suffixes) == 1]
    raw = read_table(source.read_bytes(), source.name, header_score)
    mapping = map_columns(raw.header, cells=raw.frame, groups=raw.groups or None)
    assert mapping.profile == profile
    assert not mapping.questions and not mapping.missing_required
    assert mapping.unmapped == ([] if profile else mapping.unmapped)
    association = mapping.association or ASSOCIATION.get(stem)
    prepared = prepare(raw, mapping, TEST_KEY, association)
    rows = _as_text(prepared.rows)
    quarantine = prepared.quarantine.astype("string").reset_index(drop=True)
    unknown = prepared.unknown.astype("string").reset_index(drop=True)
    expected_rows = GOLDEN / f"{stem}.attendu.csv"
    expected_q = GOLDEN / f"{stem}.quarantaine.csv"
    expected_unknown = GOLDEN / f"{stem}.inconnus.csv"
    if UPDATE:
        rows.to_csv(expected_rows, index=False)
        quarantine.to_csv(expected_q, index=False)
        unknown.to_csv(expected_unknown, index=False)
    pd.testing.assert_frame_equal(_reread(rows.to_csv(index=False)), _reread(expected_rows))
    pd.testing.assert_frame_equal(_reread(quarantine.to_csv(index=False)), _reread(expected_q))
    pd.testing.assert_frame_equal(
        _reread(unknown.to_csv(index=False)), _reread(expected_unknown), check_dtype=False
    )
    assert prepared.rows_read == (
        len(prepared.rows) + prepared.quarantined_lines + len(prepared.set_aside)
    )
