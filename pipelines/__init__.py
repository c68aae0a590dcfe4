"""The import library: from the bytes of a file to the consolidated parcours in the database.

Its door is `pipelines.api` (the `Conversation` of one upload, `ingest` in one go, `undo`),
with `pipelines.preview` for the French tables the Importer page shows before writing; the
command line, the demo builder and the web side go through them. Everything else is a
stage, called by the conversation: read (`extract`, `filecheck`, `bounds`, `isolation`,
`docx_fiches`, `hidden_columns`), shape (`shape`, `event_log`, `linked_sheets`), understand
(`mapping`, `matcher`, `vocabulary`, `labels`, `answers`, `saved_profiles`), prepare
(`non_data_rows`, `normalise`, `pseudonyms`, `communes`, `prepare`, `plan`, `data_date`),
write (`write`, `load`, `consolidate`, `steps_reached`, `undo`). It knows the
store and the vocabulary; it knows nothing of the accounts, the reports or the pages.
"""
