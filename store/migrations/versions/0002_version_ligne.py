"""row versions, so an import can be undone

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 21:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "version_ligne",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("table_name", sa.String(length=40), nullable=False),
        sa.Column("row_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("previous", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["import_id"], ["import_lot.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("version_ligne", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_version_ligne_import_id"), ["import_id"], unique=False)
    with op.batch_alter_table("import_lot", schema=None) as batch_op:
        batch_op.add_column(sa.Column("annule_le", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("annule_par", sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("import_lot", schema=None) as batch_op:
        batch_op.drop_column("annule_par")
        batch_op.drop_column("annule_le")
    with op.batch_alter_table("version_ligne", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_version_ligne_import_id"))
    op.drop_table("version_ligne")
