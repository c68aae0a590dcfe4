"""comité de pilotage packs frozen for a comité

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 14:00:00.000000

One row per frozen pack: its label, who froze it and when, its scope and period, its
figures as JSON and its map picture.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "comite_fige",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("libelle", sa.String(length=200), nullable=False),
        sa.Column("fige_le", sa.DateTime(timezone=True), nullable=False),
        sa.Column("utilisateur", sa.String(length=200), nullable=False),
        sa.Column("perimetre", sa.String(length=300), nullable=False),
        sa.Column("association", sa.String(length=200), nullable=True),
        sa.Column("du", sa.Date(), nullable=False),
        sa.Column("au", sa.Date(), nullable=False),
        sa.Column("contenu", sa.Text(), nullable=False),
        sa.Column("carte", sa.LargeBinary(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_comite_fige_perimetre", "comite_fige", ["perimetre"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_comite_fige_perimetre", table_name="comite_fige")
    op.drop_table("comite_fige")
