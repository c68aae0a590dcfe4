"""the audit log cannot be rewritten through REPLACE or TRUNCATE either

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 10:00:00.000000

Migration 0004 refuses UPDATE and early DELETE. On SQLite, `INSERT OR REPLACE` deletes the
entry it replaces without firing a DELETE trigger: an INSERT that reuses an existing id is
now refused. On PostgreSQL, `TRUNCATE` fires no row trigger: a statement trigger refuses it
(`INSERT … ON CONFLICT DO UPDATE` is an UPDATE, already refused).
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

SQLITE = [
    """CREATE TRIGGER journal_no_replace BEFORE INSERT ON journal
    WHEN EXISTS (SELECT 1 FROM journal WHERE id = NEW.id)
    BEGIN SELECT RAISE(ABORT, 'journal is append-only'); END""",
]
POSTGRES = [
    """CREATE OR REPLACE FUNCTION journal_no_truncate() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'journal is append-only';
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER journal_no_truncate BEFORE TRUNCATE ON journal
    FOR EACH STATEMENT EXECUTE FUNCTION journal_no_truncate()""",
]


def upgrade() -> None:
    for statement in SQLITE if op.get_bind().dialect.name == "sqlite" else POSTGRES:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS journal_no_replace")
    else:
        op.execute("DROP TRIGGER IF EXISTS journal_no_truncate ON journal")
        op.execute("DROP FUNCTION IF EXISTS journal_no_truncate()")
