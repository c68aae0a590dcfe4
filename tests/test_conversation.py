"""The import's one door (pipelines/api.py): a file read once and understood once, one
answers type for the page and the command line, plans kept per answers, the audit entry
written by the report itself."""

from __future__ import annotations

import pytest

import pipelines.api as api
from pipelines.api import NO_ANSWERS, Answers, Conversation, NeedsAnswers, Upload, uploads
from store.audit import Actor, entries
from tests.helpers import counts, csv_bytes

HEADER = ["N° dossier", "Nom", "Prénom", "Né(e) le", "Date d'inscription", "Étape 2"]
ROWS = [
    ["A1", "Dupont", "Marie", "05/03/2009", "10/01/2025", "20/02/2025"],
    ["A2", "Martin", "Léa", "02/11/2007", "15/01/2025", "01/03/2025"],
]
DATA = csv_bytes([HEADER, *ROWS])
STEP_2 = 5  # position of « Étape 2 », the column the matcher asks about
CLAIRE = Actor("claire", "admin", None, "127.0.0.1")


def _talk(engine, key, data: bytes = DATA) -> Conversation:
    return Conversation(engine, Upload.of("export.csv", data), key, association="Horizon")


def _counting(monkeypatch, module, name: str) -> list[int]:
    calls: list[int] = []
    original = getattr(module, name)

    def counted(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


def test_read_once_understood_once_planned_once_per_answers(engine, key, monkeypatch):
    reads = _counting(monkeypatch, api, "read_table")
    understandings = _counting(monkeypatch, api, "map_columns")
    talk = _talk(engine, key)
    assert [q.header for q in talk.understood.questions] == ["Étape 2"]
    with pytest.raises(NeedsAnswers):
        talk.plan()
    ignored = Answers(positions={STEP_2: ""})
    first = talk.plan(ignored)
    assert talk.plan(Answers(positions={STEP_2: ""})) is first  # same answers, same plan
    step = talk.plan(Answers(positions={STEP_2: "date_mise_en_relation"}))
    assert step is not first
    assert step.mapping.columns[STEP_2] == "date_mise_en_relation"
    assert STEP_2 not in first.mapping.columns
    assert (len(reads), len(understandings)) == (1, 1)


def test_the_data_changing_asks_again_but_never_reads_again(engine, key, monkeypatch):
    reads = _counting(monkeypatch, api, "read_table")
    understandings = _counting(monkeypatch, api, "map_columns")
    talk = _talk(engine, key).about(None, "Horizon", (1, 0))
    talk.plan(Answers(positions={STEP_2: ""}))
    assert talk.about(None, "Horizon", (1, 0)) is talk and len(understandings) == 1
    talk.about(None, "Horizon", (2, 0))  # another import meanwhile
    talk.plan(Answers(positions={STEP_2: ""}))
    talk.about(None, "Envol", (2, 0))  # another association chosen on the page
    assert talk.plan(Answers(positions={STEP_2: ""})).association == "Envol"
    assert (len(reads), len(understandings)) == (1, 3)


def test_an_answer_by_position_wins_over_one_by_header(engine, key):
    talk = _talk(engine, key)
    both = Answers(columns={"etape 2": "date_mise_en_relation"}, positions={STEP_2: ""})
    assert STEP_2 not in talk.mapping(both).columns
    by_header = Answers(columns={"etape 2": "date_mise_en_relation"})
    assert talk.mapping(by_header).columns[STEP_2] == "date_mise_en_relation"
    assert talk.mapping(NO_ANSWERS).questions  # the answers never change what was understood


def test_label_answers_join_the_value_table_without_touching_the_columns(engine, key):
    talk = _talk(engine, key)
    answers = Answers(positions={STEP_2: ""})
    labelled = answers.with_values({"type_accueil": {"chez une tante": "autre"}})
    assert labelled.values == {"type_accueil": {"chez une tante": "autre"}}
    assert answers.values == {}  # a new Answers, the first one unchanged
    mapping = talk.mapping(labelled)
    assert mapping.values["type_accueil"]["chez une tante"] == "autre"
    assert "chez une tante" not in talk.mapping(answers).values.get("type_accueil", {})


def test_run_reports_what_to_answer_and_audits_it(engine, key):
    report = _talk(engine, key).run(CLAIRE)
    assert report.statut == "a_completer"
    assert [q["en_tete"] for q in report.questions] == ["Étape 2"]
    assert counts(engine)["imports"] == 0
    log = entries(engine)
    assert log["action"].tolist() == ["import"]
    assert log["detail"].iloc[0] == (
        f"« export.csv » (sha256 {api.sha256_of(DATA)[:12]}) : statut a_completer — colonnes "
        "à préciser : « Étape 2 »"
    )


def test_apply_writes_the_import_and_its_entry_in_the_actors_name(engine, key):
    talk = _talk(engine, key)
    report = talk.apply(talk.plan(Answers(positions={STEP_2: ""})), CLAIRE)
    assert (report.statut, report.lignes_chargees, report.association) == ("charge", 2, "Horizon")
    log = entries(engine)
    assert log["utilisateur"].tolist() == ["claire"]
    assert log["detail"].iloc[0] == (
        f"« export.csv » (sha256 {api.sha256_of(DATA)[:12]}) : statut charge — export "
        f"d'association, Horizon, import n° {report.import_id} : 2 lignes lues, 2 chargées, 0 "
        "en quarantaine (2 nouvelles, 0 mises à jour, 0 absentes)"
    )
    assert talk.previous().id == report.import_id  # the same bytes again: already imported
    again = _talk(engine, key).run(CLAIRE, Answers(positions={STEP_2: ""}))
    assert again.statut == "deja_importe" and len(entries(engine)) == 1


def test_a_dry_run_and_an_unaudited_import_leave_no_entry(engine, key):
    ignored = Answers(positions={STEP_2: ""})
    trial = _talk(engine, key).run(CLAIRE, ignored, dry_run=True)
    assert trial.statut == "charge" and trial.essai and counts(engine)["imports"] == 0
    demo = _talk(engine, key).run(Actor("demo"), ignored, audited=False, demo=True)
    assert demo.statut == "charge" and counts(engine)["imports"] == 1
    assert entries(engine).empty


def test_dropped_files_become_uploads():
    files = [("a.csv", b"1"), ("Fiche Dupont.docx", b"2"), ("copie.csv", b"1"), ("b.DOCX", b"3")]
    found = uploads(files)
    assert [(u.name, u.docx) for u in found] == [
        ("a.csv", False),
        ("2 fiche(s) candidature (Word)", True),
    ]
    assert [name for name, _ in found[1].parts] == ["Fiche Dupont.docx", "b.DOCX"]
