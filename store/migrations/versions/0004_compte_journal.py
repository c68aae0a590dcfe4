"""accounts and the append-only audit log

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 21:45:00.000000

The audit log refuses any UPDATE, and any DELETE of an entry younger than 12 months (the
retention period, docs/domaine.md), from the database itself: no code path can rewrite history.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

SQLITE_TRIGGERS = [
    """CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal
    BEGIN SELECT RAISE(ABORT, 'journal is append-only'); END""",
    """CREATE TRIGGER journal_no_early_delete BEFORE DELETE ON journal
    WHEN OLD.horodatage >= datetime('now', '-12 months')
    BEGIN SELECT RAISE(ABORT, 'journal entries are kept 12 months'); END""",
]

POSTGRES_TRIGGERS = [
    """CREATE OR REPLACE FUNCTION journal_append_only() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'UPDATE' THEN
            RAISE EXCEPTION 'journal is append-only';
        END IF;
        IF OLD.horodatage >= now() - interval '12 months' THEN
            RAISE EXCEPTION 'journal entries are kept 12 months';
        END IF;
        RETURN OLD;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER journal_append_only BEFORE UPDATE OR DELETE ON journal
    FOR EACH ROW EXECUTE FUNCTION journal_append_only()""",
]


def upgrade() -> None:
    op.create_table(
        "compte",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("identifiant", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("association", sa.String(length=200), nullable=True),
        sa.Column("mot_de_passe", sa.String(length=255), nullable=True),
        sa.Column("actif", sa.Boolean(), nullable=False),
        sa.Column("echecs", sa.Integer(), nullable=False),
        sa.Column("bloque_jusqua", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cree_le", sa.DateTime(timezone=True), nullable=False),
        sa.Column("modifie_le", sa.DateTime(timezone=True), nullable=False),
        sa.Column("derniere_connexion", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("identifiant"),
    )
    op.create_table(
        "journal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("horodatage", sa.DateTime(timezone=True), nullable=False),
        sa.Column("utilisateur", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=True),
        sa.Column("association", sa.String(length=200), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("origine", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("journal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_journal_horodatage"), ["horodatage"], unique=False)
        batch_op.create_index(batch_op.f("ix_journal_action"), ["action"], unique=False)
    dialect = op.get_bind().dialect.name
    for statement in SQLITE_TRIGGERS if dialect == "sqlite" else POSTGRES_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS journal_no_update")
        op.execute("DROP TRIGGER IF EXISTS journal_no_early_delete")
    else:
        op.execute("DROP TRIGGER IF EXISTS journal_append_only ON journal")
        op.execute("DROP FUNCTION IF EXISTS journal_append_only()")
    with op.batch_alter_table("journal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_journal_action"))
        batch_op.drop_index(batch_op.f("ix_journal_horodatage"))
    op.drop_table("journal")
    op.drop_table("compte")
