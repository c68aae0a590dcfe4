"""communes: their level in INSEE's grille communale de densité

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 01:30:00.000000

The level (1-7) of each commune in INSEE's grid; `classe` becomes INSEE's (rural = levels 5
to 7). The values are written by `pipelines.database_setup.ensure_database`, which brings
the table in line with the committed referential after every migration.
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("commune") as batch_op:
        batch_op.add_column(sa.Column("niveau_densite", sa.SmallInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("commune") as batch_op:
        batch_op.drop_column("niveau_densite")
