"""local sign-ins that survive a reload

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 11:00:00.000000

One row per local sign-in: the SHA-256 of the random token the browser keeps in a cookie,
the account, when it expires and when it was ended (sign-out, new password).
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "session_connexion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("jeton_sha256", sa.String(length=64), nullable=False),
        sa.Column("identifiant", sa.String(length=200), nullable=False),
        sa.Column("cree_le", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expire_le", sa.DateTime(timezone=True), nullable=False),
        sa.Column("fin_le", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("jeton_sha256"),
    )
    op.create_index(
        "ix_session_connexion_identifiant", "session_connexion", ["identifiant"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_session_connexion_identifiant", table_name="session_connexion")
    op.drop_table("session_connexion")
