"""imports that started writing and never committed

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 04:40:00.000000

An import writes a row here, committed on its own, before its transaction; the transaction
deletes it as it commits. A row left behind is an interrupted import (store/attempts.py).
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "import_tentative",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("fichier", sa.String(length=255), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("association", sa.String(length=200), nullable=True),
        sa.Column("utilisateur", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=True),
        sa.Column("association_utilisateur", sa.String(length=200), nullable=True),
        sa.Column("origine", sa.String(length=100), nullable=True),
        sa.Column("commence_le", sa.DateTime(timezone=True), nullable=False),
        sa.Column("processus", sa.String(length=200), nullable=False),
        sa.Column("interrompu_le", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("import_tentative")
