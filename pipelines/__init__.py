"""Ingestion of association exports, CD fiches and the honorabilité follow-up.

Entry points (what the dashboard and the command line call): `ingest` (plan, apply, read an
upload), `undo`, `preview` (what a plan will do, in French), `mapping` and `answers` (the
user's corrections), `templates`, `quarantine_report`, `docx_fiches`, `extract.RawTable`,
`pseudonyms.load_key`, `data_date`, `cell_safety`, `database_setup`, `demo_database`,
`demo_exit`,
`errors`. The inner steps (`matcher`, `normalise`, `prepare`, `consolidate`, `load`,
`bounds`, `isolation`…) are called by `ingest` only; an import-linter contract in
pyproject.toml keeps the dashboard off them.
"""
