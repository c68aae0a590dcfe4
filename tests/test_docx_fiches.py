"""Filled Word fiches candidature read back and fed to the normal pipeline."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from docx import Document
from sqlalchemy import select

from domain.fiche_form import SITUATION_LABEL
from domain.schema import Kind
from pipelines.api import Conversation, Upload, ingest
from pipelines.docx_fiches import fiches_to_table, read_docx_fiche
from pipelines.errors import IngestError
from pipelines.pseudonyms import id_jeune
from reports.templates import fiche_docx_template
from store.models import Enregistrement, ImportLot


def _filled(answers: dict[str, str], ticks: dict[str, list[str]], mark: str = "☒") -> bytes:
    """The Word template with `answers` typed in the Réponse column and `ticks` boxes checked."""
    doc = Document(io.BytesIO(fiche_docx_template()))
    for row in doc.tables[0].rows:
        label, answer = row.cells
        if label._tc is answer._tc:
            continue
        if label.text in answers:
            answer.text = answers[label.text]
        for paragraph in answer.paragraphs:
            for choice in ticks.get(label.text, []):
                if paragraph.text == f"☐ {choice}":
                    paragraph.text = f"{mark} {choice}"
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _fiche(nom: str, numero: str = "", mark: str = "☒") -> bytes:
    return _filled(
        {
            "Nom du jeune": nom,
            "Prénom du jeune": "Inès",
            "Date de naissance du jeune": "14/02/2008",
            "Commune": "Villeurbanne",
            SITUATION_LABEL: "Texte libre confidentiel",
            "Association choisie": "Envol",
            "N° de fiche": numero,
            "Date de proposition": "02/01/2025",
            "Date de réception de la fiche": "06/01/2025",
        },
        {
            "Objectifs": ["scolarité", "orientation"],
            "Sexe": ["F"],
            "Modalité": ["présentiel"],
            "Proposé par": ["référent ASE"],
        },
        mark,
    )


def test_read_filled_fiche():
    answers = read_docx_fiche(_fiche("Benali", "F-12"), "fiche.docx")
    assert answers["Nom du jeune"] == "Benali"
    assert answers["Date de naissance du jeune"] == "14/02/2008"
    assert answers["Objectifs"] == "scolarité ; orientation"
    assert answers["Sexe"] == "F"
    assert answers["Proposé par"] == "référent ASE"
    assert answers["Type d'accueil"] == ""  # no box ticked
    assert answers["N° de fiche"] == "F-12"
    assert answers[SITUATION_LABEL] == "Texte libre confidentiel"


@pytest.mark.parametrize("mark", ["☑", "X"])
def test_other_tick_marks(mark):
    answers = read_docx_fiche(_fiche("Benali", mark=mark), "fiche.docx")
    assert answers["Objectifs"] == "scolarité ; orientation"


def test_empty_template_reads_as_empty_answers():
    answers = read_docx_fiche(fiche_docx_template(), "vide.docx")
    assert set(answers.values()) == {""}


def test_not_a_word_file():
    with pytest.raises(IngestError, match="n'est pas un document Word"):
        read_docx_fiche(b"Nom;Prenom\n", "fiche.docx")


def test_word_file_that_is_not_a_fiche():
    doc = Document()
    doc.add_paragraph("Compte rendu de réunion")
    table = doc.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Ordre du jour"
    out = io.BytesIO()
    doc.save(out)
    with pytest.raises(IngestError, match="n'est pas une fiche candidature"):
        read_docx_fiche(out.getvalue(), "cr.docx")
    with pytest.raises(IngestError, match=r"« cr\.docx »"):
        fiches_to_table([("a.docx", _fiche("Benali")), ("cr.docx", out.getvalue())])


def test_batch_of_fiches_through_the_pipeline(engine, key):
    files = [("fiche_benali.docx", _fiche("Benali", "F-12")), ("fiche_roux.docx", _fiche("Roux"))]
    raw = fiches_to_table(files)
    assert list(raw.frame.index) == [1, 2]
    assert SITUATION_LABEL not in raw.header  # free text never enters the pipeline
    plan = Conversation(engine, Upload.fiches(files), key).plan()
    assert plan.mapping.kind == Kind.FICHE_CD
    assert not plan.mapping.unmapped
    rows = plan.prepared.rows
    assert len(rows) == 2 and plan.prepared.quarantined_lines == 0
    birth = dt.date(2008, 2, 14)
    # Without its number, a fiche gets an id from the youth's pseudonym, never the file name.
    roux = id_jeune(key, "Roux", "Inès", birth)
    assert rows["id_source"].tolist() == ["F-12", f"fiche-{roux[:16]}"]
    assert rows["id_jeune"].tolist() == [
        id_jeune(key, "Benali", "Inès", birth),
        id_jeune(key, "Roux", "Inès", birth),
    ]
    assert rows["objectifs"].tolist() == ["orientation;scolarite"] * 2
    assert rows["initiateur"].tolist() == ["referent_ase", "referent_ase"]
    assert rows["association"].tolist() == ["Envol", "Envol"]
    assert not {"nom", "prenom", "date_naissance"} & set(rows.columns)


def test_a_word_fiche_flags_no_other_fiche_absent(engine, key):
    from store.audit import Actor
    from tests.helpers import csv_bytes

    listed = csv_bytes(
        [
            ["N° de fiche", "Nom", "Prénom", "Date de naissance", "Date de réception"],
            ["F-1", "Martin", "Léa", "02/11/2007", "10/01/2025"],
            ["F-2", "Petit", "Lou", "01/02/2010", "12/01/2025"],
        ]
    )
    assert ingest(engine, listed, "fiches.csv", key).absents == 0
    talk = Conversation(engine, Upload.fiches([("Fiche Roux Inès.docx", _fiche("Roux"))]), key)
    report = talk.apply(talk.plan(), Actor("claire"), audited=False)
    assert (report.nouveaux, report.absents) == (1, 0)
    with engine.connect() as conn:
        stored = conn.execute(select(ImportLot.fichier)).scalars().all()
        ids = conn.execute(select(Enregistrement.id_source)).scalars().all()
    assert "Roux" not in " ".join([*stored, *ids])
