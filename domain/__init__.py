"""The project's vocabulary: the words every other package shares.

Canonical fields and file kinds (`schema`), funnel steps and their labels (`steps`), value
tables and their French labels (`values`), matching keys and text hygiene (`text`), the
Paris time zone and French number and date formats (`formatting`), spreadsheet cells that
never run as formulas (`spreadsheet_cells`). It imports nothing of ours, so pipelines,
reports, store, indicators, auth, dashboard and pages can all depend on it
(the layering is checked by import-linter in `make test`, contracts in pyproject.toml).
"""
