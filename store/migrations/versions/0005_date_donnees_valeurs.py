"""data date of each import, the category labels an import did not recognise, demo imports

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 09:00:00.000000

`import_lot.date_donnees` is the date the file's data describe (an "extraction du …" title
row, else the latest date in the file, else the import day; `origine_date_donnees` says
which): "Données au" and freshness use it rather than the moment of the import.
`valeur_inconnue` keeps, per import, each label of a category field that no value table
knows and how many rows carry it: the row is loaded with the field unknown.
`import_lot.demo` marks the imports of the demo builder: the database is in demo mode (open
without sign-in on the local machine) only while every import carries it, whatever the user
name an import was made under.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("import_lot") as batch:
        batch.add_column(sa.Column("date_donnees", sa.Date(), nullable=True))
        batch.add_column(sa.Column("origine_date_donnees", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("demo", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        "valeur_inconnue",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("champ", sa.String(length=40), nullable=False),
        sa.Column("valeur", sa.String(length=200), nullable=False),
        sa.Column("lignes", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["import_id"], ["import_lot.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_valeur_inconnue_import_id", "valeur_inconnue", ["import_id"])


def downgrade() -> None:
    op.drop_index("ix_valeur_inconnue_import_id", table_name="valeur_inconnue")
    op.drop_table("valeur_inconnue")
    with op.batch_alter_table("import_lot") as batch:
        batch.drop_column("demo")
        batch.drop_column("origine_date_donnees")
        batch.drop_column("date_donnees")
