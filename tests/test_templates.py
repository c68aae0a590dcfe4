"""The templates handed out are generated from the schema and import with no mapping help."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pandas as pd
import pytest
from docx import Document
from sqlalchemy import select

from domain.schema import Kind, field
from domain.values import category_labels
from pipelines.api import ingest
from pipelines.pseudonyms import id_jeune
from reports.templates import (
    DATA_SHEET,
    FOLLOW_UP_COLUMNS,
    HELP_SHEET,
    LISTS_SHEET,
    OPTIONAL_NOTE,
    TEMPLATE_COLUMNS,
    association_template,
    fiche_docx_template,
    fiche_list_template,
    honorabilite_template,
)
from store.models import DemandeHonorabilite, Parcours

TEMPLATES = {
    Kind.ASSOCIATION: association_template,
    Kind.HONORABILITE: honorabilite_template,
    Kind.FICHE_CD: fiche_list_template,
}


def _open(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def _validation_of(ws, column: int):
    letter = openpyxl.utils.get_column_letter(column)
    for dv in ws.data_validations.dataValidation:
        if any(str(r).startswith(f"{letter}2:") for r in dv.sqref.ranges):
            return dv
    raise AssertionError(f"pas de validation en colonne {letter}")


@pytest.mark.parametrize("kind", list(TEMPLATES))
def test_template_layout(kind):
    wb = _open(TEMPLATES[kind]())
    assert wb.sheetnames == [DATA_SHEET, LISTS_SHEET, HELP_SHEET]
    ws, lists, aide = wb[DATA_SHEET], wb[LISTS_SHEET], wb[HELP_SHEET]
    assert lists.sheet_state == "hidden"
    assert ws.freeze_panes == "A2"
    assert not any(v is not None for row in ws.iter_rows(min_row=2, values_only=True) for v in row)
    fields = [field(kind, name) for name in TEMPLATE_COLUMNS[kind]]
    assert [c.value for c in ws[1]] == [f.label for f in fields]
    aide_labels = [r[0] for r in aide.iter_rows(min_row=5, values_only=True)]
    assert aide_labels == [f.label for f in fields]
    for col, f in enumerate(fields, start=1):
        dv = _validation_of(ws, col)
        assert dv.promptTitle and dv.prompt and dv.showInputMessage
        if f.table:
            assert dv.type == "list"
            sheet, _, cells = dv.formula1.partition("!")
            assert sheet.strip("'") == LISTS_SHEET
            first, last = (c.replace("$", "") for c in cells.split(":"))
            values = [c.value for row in lists[first:last] for c in row]
            assert values == list(category_labels(f.table).values())
        elif f.name.startswith("date"):
            assert dv.type == "date" and dv.operator == "between"
            assert ws.cell(row=2, column=col).number_format == "DD/MM/YYYY"
            if not f.name.startswith("date_naissance"):
                low, high = (dt.date(1899, 12, 30) + dt.timedelta(int(x)) for x in
                             (dv.formula1, dv.formula2))  # fmt: skip
                assert (low, high) == (dt.date(2000, 1, 1), dt.date(2100, 12, 31))


def test_follow_up_columns_are_optional_and_last_in_the_association_template():
    wb = _open(association_template())
    ws, aide = wb[DATA_SHEET], wb[HELP_SHEET]
    names = TEMPLATE_COLUMNS[Kind.ASSOCIATION]
    assert names[-len(FOLLOW_UP_COLUMNS) :] == FOLLOW_UP_COLUMNS
    assert "facultatives" in aide.cell(row=2, column=1).value
    rows = {r[0]: r for r in aide.iter_rows(min_row=5, values_only=True)}
    for name in FOLLOW_UP_COLUMNS:
        f = field(Kind.ASSOCIATION, name)
        assert rows[f.label][1].startswith(OPTIONAL_NOTE) and rows[f.label][4] == "non"
        dv = _validation_of(ws, names.index(name) + 1)
        assert dv.prompt.startswith(OPTIONAL_NOTE[:40])
    count = _validation_of(ws, names.index("nb_rencontres") + 1)
    assert count.type == "whole" and count.formula1 == "0"
    for kind in (Kind.FICHE_CD, Kind.HONORABILITE):
        assert not set(FOLLOW_UP_COLUMNS) & set(TEMPLATE_COLUMNS[kind])


def _fill(data: bytes, kind: Kind, rows: list[dict]) -> bytes:
    wb = _open(data)
    ws = wb[DATA_SHEET]
    names = TEMPLATE_COLUMNS[kind]
    for r, values in enumerate(rows, start=2):
        for name, value in values.items():
            ws.cell(row=r, column=names.index(name) + 1, value=value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _label(table: str, value: str) -> str:
    return category_labels(table)[value]


def _youth(i: int) -> dict:
    return {
        "id_source": f"D-00{i}",
        "nom": f"Martin{i}",
        "prenom": "Léa",
        "date_naissance": dt.datetime(2008, 3, i),
        "sexe": _label("sexe", "F"),
        "commune_insee": "69123",
        "type_accueil": _label("type_accueil", "famille_accueil"),
        "objectifs": _label("objectifs", "scolarite"),
        "modalite": _label("modalite", "mixte"),
        "initiateur": _label("initiateur", "referent_ase"),
        "date_inscription": dt.datetime(2025, 1, 10 + i),
    }


def test_association_template_round_trip(engine, key):
    rows = [_youth(i) for i in (1, 2, 3)]
    rows[2]["date_debut"] = dt.datetime(2025, 4, 2)
    rows[2]["statut"] = _label("statut", "en_cours")
    rows[2] |= {  # the optional follow-up, on one row only
        "nb_rencontres": 14,
        "date_derniere_rencontre": dt.datetime(2025, 9, 20),
        "date_bilan_3_mois": dt.datetime(2025, 7, 3),
        "satisfaction_jeune": _label("satisfaction", "tres_satisfait"),
        "satisfaction_mentor": _label("satisfaction", "peu_satisfait"),
    }
    data = _fill(association_template(), Kind.ASSOCIATION, rows)
    report = ingest(engine, data, "export.xlsx", key, association="Envol")
    assert report.statut == "charge", report.erreurs
    assert report.type == "association"
    assert (report.lignes_lues, report.lignes_chargees) == (3, 3)
    assert not report.colonnes_non_reconnues
    got = pd.read_sql(select(Parcours).order_by(Parcours.id_source), engine)
    assert got["id_source"].tolist() == ["D-001", "D-002", "D-003"]
    assert set(got["association"]) == {"Envol"}
    assert set(got["type_accueil"]) == {"famille_accueil"}
    assert set(got["objectifs"]) == {"scolarite"}
    assert pd.Timestamp(got["date_inscription"].iloc[0]).date() == dt.date(2025, 1, 11)
    assert pd.Timestamp(got["date_debut"].iloc[2]).date() == dt.date(2025, 4, 2)
    assert got["id_jeune"].iloc[0] == id_jeune(key, "Martin1", "Léa", dt.date(2008, 3, 1))
    follow = got.iloc[2]
    assert follow["nb_rencontres"] == 14
    assert pd.Timestamp(follow["date_derniere_rencontre"]).date() == dt.date(2025, 9, 20)
    assert pd.Timestamp(follow["date_bilan_3_mois"]).date() == dt.date(2025, 7, 3)
    assert (follow["satisfaction_jeune"], follow["satisfaction_mentor"]) == (
        "tres_satisfait",
        "peu_satisfait",
    )
    assert got["nb_rencontres"].iloc[:2].isna().all()


def test_fiche_list_template_round_trip(engine, key):
    rows = [_youth(i) for i in (1, 2, 3)]
    for row in rows:
        row["date_attribution"] = dt.datetime(2025, 2, 1)
        row.pop("id_source")
    rows[0]["id_source"], rows[1]["id_source"], rows[2]["id_source"] = "F1", "F2", "F3"
    rows[0]["association"] = "Envol"
    data = _fill(fiche_list_template(), Kind.FICHE_CD, rows)
    report = ingest(engine, data, "fiches.xlsx", key)
    assert report.statut == "charge", report.erreurs
    assert report.type == "fiche_cd"
    assert (report.lignes_lues, report.lignes_chargees) == (3, 3)
    got = pd.read_sql(select(Parcours).order_by(Parcours.id_fiche), engine)
    assert len(got) == 3
    assert set(got["modalite"]) == {"mixte"}
    assert pd.Timestamp(got["date_attribution"].iloc[0]).date() == dt.date(2025, 2, 1)


def test_honorabilite_template_round_trip(engine, key):
    rows = [
        {
            "id_source": f"H-{i}",
            "association": "Envol",
            "nom_mentor": f"Durand{i}",
            "prenom_mentor": "Paul",
            "date_naissance_mentor": dt.datetime(1980, 5, i),
            "voie": _label("voie", "cd_b2_fijais"),
            "date_transmission_cd": dt.datetime(2025, 3, i),
            "date_retour": dt.datetime(2025, 3, 20 + i),
            "resultat": _label("resultat", "favorable"),
        }
        for i in (1, 2, 3)
    ]
    data = _fill(honorabilite_template(), Kind.HONORABILITE, rows)
    report = ingest(engine, data, "b2.xlsx", key)
    assert report.statut == "charge", report.erreurs
    assert report.type == "honorabilite"
    assert (report.lignes_lues, report.lignes_chargees) == (3, 3)
    got = pd.read_sql(select(DemandeHonorabilite).order_by(DemandeHonorabilite.id_source), engine)
    assert set(got["voie"]) == {"cd_b2_fijais"}
    assert set(got["resultat"]) == {"favorable"}
    assert pd.Timestamp(got["date_retour"].iloc[1]).date() == dt.date(2025, 3, 22)


def test_docx_template_is_a_two_column_table():
    doc = Document(io.BytesIO(fiche_docx_template()))
    assert len(doc.tables) == 1
    table = doc.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["Champ", "Réponse"]
    labels = [r.cells[0].text for r in table.rows]
    for name in ("nom", "prenom", "date_naissance", "objectifs", "modalite", "initiateur"):
        assert field(Kind.FICHE_CD, name).label in labels
    objectives = next(r for r in table.rows if r.cells[0].text == "Objectifs").cells[1]
    lines = [p.text for p in objectives.paragraphs]
    assert lines == [f"☐ {v}" for v in category_labels("objectifs").values()]
