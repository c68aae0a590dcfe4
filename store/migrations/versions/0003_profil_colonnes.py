"""column mappings saved from the import page

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 21:40:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "profil_colonnes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nom", sa.String(length=100), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("association", sa.String(length=200), nullable=True),
        sa.Column("colonnes", sa.Text(), nullable=False),
        sa.Column("valeurs", sa.Text(), nullable=True),
        sa.Column("cree_le", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cree_par", sa.String(length=100), nullable=False),
        sa.Column("modifie_le", sa.DateTime(timezone=True), nullable=False),
        sa.Column("modifie_par", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("nom"),
    )


def downgrade() -> None:
    op.drop_table("profil_colonnes")
