"""The Suivi des binômes page under AppTest, on a database filled here through the import
(two associations, one sending every follow-up field, one sending none): what each
association's column says, the rhythm chart, the early breaks and the silent binômes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import plotly.io as pio
import pytest
from streamlit.testing.v1 import AppTest

import settings
from pipelines.api import ingest
from store.db import init_db, make_engine
from tests.conftest import TEST_KEY
from tests.helpers import as_viewer, csv_bytes

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date.today()
SENDS = "Asso Suivi"
SILENT = "Asso Muette"
HEADER = [
    "N° dossier", "Nom", "Prénom", "Né(e) le", "Commune", "Date d'inscription", "Nom du mentor",
    "Date de démarrage", "Date de fin", "Motif de fin", "Nombre de séances", "Dernier contact",
    "Point à 3 mois", "Satisfaction jeune", "Satisfaction mentor", "Situation à la sortie",
]  # fmt: skip


PEOPLE = {  # distinct youths (a same name and birth date is one youth)
    "S1": ("Lefebvre", "01/02/2010"),
    "S2": ("Moreau", "12/03/2009"),
    "S3": ("Garnier", "23/04/2011"),
    "M1": ("Roussel", "04/05/2008"),
}


def ago(days: int) -> str:
    return (TODAY - dt.timedelta(days=days)).strftime("%d/%m/%Y")


def youth(n: str, inscription: int, mentor: str, start: int, *follow: str) -> list[str]:
    name, born = PEOPLE[n]
    return [n, name, f"Prénom {name}", born, "Lille", ago(inscription), mentor,
            ago(start), *follow]  # fmt: skip


@pytest.fixture
def filled(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'suivi.db'}"
    monkeypatch.setenv(settings.DB_URL.env, url)
    monkeypatch.setenv(settings.SECRET_KEY.env, TEST_KEY.decode())
    engine = make_engine(url)
    init_db(engine)
    sends = [
        # S1 active 280 days, 20 meetings (20 / (280 / 30.4375) = 2.17), last one 45 days
        # ago: silent; review done; youth satisfied, mentor not
        youth("S1", 300, "Dupont", 280, "", "", "20", ago(45), ago(190), "satisfait",
              "peu satisfait", ""),
        # S2 ended 30 days after its start, the youth stopped: an early break, exit not told;
        # 1 meeting: 1 / (30 / 30.4375) = 1.01, under the norm
        youth("S2", 200, "Martin", 180, ago(150), "arrêt du jeune", "1", ago(151), "", "", "",
              ""),
        # S3 active 60 days, 4 meetings (2.03), last one today: the latest date of the
        # files, so today is their data date, the end of the default period
        youth("S3", 100, "Durand", 60, "", "", "4", ago(0), "", "très satisfait", "", ""),
    ]  # fmt: skip
    mute = [youth("M1", 200, "Petit", 150, *[""] * 8)]  # active, nothing followed
    for name, rows in ((SENDS, sends), (SILENT, mute)):
        report = ingest(
            engine, csv_bytes([HEADER, *rows]), f"{name}.csv", TEST_KEY, association=name
        )
        assert report.statut == "charge", report.message
    yield engine
    engine.dispose()


def run(role: str = "admin", association: str | None = None) -> AppTest:
    page = str(ROOT / "pages" / "suivi_binomes.py")
    at = as_viewer(AppTest.from_file(page, default_timeout=60), role, association)
    at.run()
    assert not at.exception, at.exception
    return at


NOT_PROVIDED = "non renseigné par l'association"


def test_each_association_side_by_side(filled):
    at = run()
    assert at.title[0].value == "Suivi des binômes"
    table = at.dataframe[0].value.set_index("Indicateur")
    assert list(table.columns) == [SILENT, SENDS]
    sends, mute = table[SENDS], table[SILENT]
    assert sends["Binômes actifs"] == "2"  # S1, S3
    assert sends["Sans rencontre depuis plus de 30 jours / actifs"] == "1 / 2"  # S1
    assert sends["Rythme dans la norme (2 à 4 par mois) / évalués"] == "2 / 3"  # S1, S3
    assert sends["Ruptures précoces / cohorte"] == "1 / 2"  # S2 of S1, S2
    assert sends["Bilans à 3 mois faits / attendus"] == "1 / 1"  # S1
    assert sends["Jeunes satisfaits / répondants"] == "2 / 2"
    assert sends["Mentors satisfaits / répondants"] == "0 / 1"
    assert sends["Sorties : non renseignée"] == "1"  # S2
    # an association that sends nothing: never 0
    assert mute["Binômes actifs"] == "1"
    assert mute["Ruptures précoces / cohorte"] == "0 / 1"
    for row in (
        "Sans rencontre depuis plus de 30 jours / actifs",
        "Rythme dans la norme (2 à 4 par mois) / évalués",
        "Bilans à 3 mois faits / attendus",
        "Jeunes satisfaits / répondants",
        "Mentors satisfaits / répondants",
        "Sorties : emploi",
    ):
        assert mute[row] == NOT_PROVIDED, row

    bars = pio.from_json(at.get("plotly_chart")[0].proto.spec).data[0]
    assert list(bars.y) == [SILENT, SENDS]
    assert bars.text[0] == NOT_PROVIDED
    assert bars.text[1] == "2,0 (2 / 3 dans la norme)"  # median of 1.01, 2.03, 2.17

    reasons = at.dataframe[1].value
    assert reasons.to_dict("records") == [
        {"Association": SENDS, "Motif de fin": "arrêt du jeune", "Ruptures précoces": 1}
    ]
    silent = at.dataframe[2].value
    assert silent["Association"].tolist() == [SENDS]
    assert silent["Jours sans rencontre"].tolist() == [45]
    assert silent["Mentor connu"].tolist() == ["oui"]
    assert silent["Jeune (pseudonyme)"].iloc[0] not in ("Lefebvre", "S1")  # never a name
    assert [s.value for s in at.subheader][-1] == "Binômes sans rencontre depuis plus de 30 jours"


def test_an_association_sees_its_own_binomes_only(filled):
    at = run("association", SILENT)
    table = at.dataframe[0].value
    assert list(table.columns) == ["Indicateur", SILENT]
    assert not any(SENDS in str(d.value) for d in at.dataframe)
    assert any(i.value.startswith("Aucun binôme actif sans rencontre") for i in at.info)
