"""the follow-up of running binômes: meetings, 3-month review, satisfaction, exit

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 02:30:00.000000

Six optional fields of an association's export, kept on each source record and on the
parcours: the number of meetings held, the last meeting, the 3-month review, the youth's
and the mentor's satisfaction, and the youth's situation when the binôme ended.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

COLUMNS = (
    ("nb_rencontres", sa.Integer),
    ("date_derniere_rencontre", sa.Date),
    ("date_bilan_3_mois", sa.Date),
    ("satisfaction_jeune", lambda: sa.String(length=20)),
    ("satisfaction_mentor", lambda: sa.String(length=20)),
    ("situation_sortie", lambda: sa.String(length=20)),
)


def upgrade() -> None:
    for table in ("enregistrement", "parcours"):
        with op.batch_alter_table(table) as batch_op:
            for name, kind in COLUMNS:
                batch_op.add_column(sa.Column(name, kind(), nullable=True))


def downgrade() -> None:
    for table in ("parcours", "enregistrement"):
        with op.batch_alter_table(table) as batch_op:
            for name, _ in reversed(COLUMNS):
                batch_op.drop_column(name)
