"""Import a built layout for real, answering its questions as a user would (from the
layout's answers, for the asked columns only), and compare the database with the truth.

`roundtrip` is the first corpus's one round of column answers; `answered_rounds` answers
every kind of question of issue 21 (column, step label, sheet), round after round."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import Engine

from domain.text import normalise_key
from pipelines.answers import Answers
from pipelines.api import FileReport, ingest
from pipelines.pseudonyms import id_jeune, id_mentor
from store.bulk import read_frame
from store.models import DemandeHonorabilite, Enregistrement
from tests.layouts.build import Built, Column

# Fields whose value is not stored as such (identity) or not stored at all.
_NOT_STORED = {
    "nom",
    "prenom",
    "date_naissance",
    "nom_mentor",
    "prenom_mentor",
    "date_naissance_mentor",
    "lieu_naissance_mentor",
    "via_plateforme",
    "commune",
    "code_postal",
    "association",
}


@dataclass
class Roundtrip:
    first: FileReport  # the import without answers
    final: FileReport  # after answering the questions (same as first when none)
    asked: list[str]
    compared: int = 0
    equal: int = 0
    differences: list[str] = field(default_factory=list)


SOURCE = "réponses de la présentation"


def question_kind(question: dict) -> str:
    """colonne | etape | feuille: what a question of the import's report is about."""
    if "en_tete" in question:
        return "colonne"
    if "etape" in question:
        return "etape"
    if "feuille" in question:
        return "feuille"
    return "autre"


def question_key(question: dict) -> tuple[str, str]:
    """(kind, normalised name) of a question; a column of a named sheet is "sheet / header"."""
    kind = question_kind(question)
    if kind == "colonne":
        return kind, column_key(question)
    if kind == "etape":
        return kind, normalise_key(str(question["etape"]))
    if kind == "feuille":
        return kind, normalise_key(str(question["feuille"]))
    return kind, normalise_key(str(question))


def column_key(entry: dict) -> str:
    """The normalised name of a column entry (question or report line) of the import:
    "feuille / en-tête" when it names its sheet."""
    header = str(entry.get("en_tete") or "")
    sheet = entry.get("feuille")
    return normalise_key(f"{sheet} / {header}" if sheet else header)


def column_names(column: Column) -> set[str]:
    """The normalised names the import may give a built column."""
    names = {normalise_key(column.display)}
    if column.sheet:
        names |= {normalise_key(f"{column.sheet} / {column.display}")}
        names |= {normalise_key(f"{column.sheet} / {column.header}")}
    return names


def _column_answer(built: Built, question: dict, wanted: dict[str, str]) -> str:
    key = normalise_key(question["en_tete"])
    if key in wanted:
        return wanted[key]
    if not built.defis:  # the first corpus: answered by the header as reported, as always
        return ""
    # A column of a workbook's sheet, named with its sheet or by its bare header.
    named = column_key(question)
    sheet = question.get("feuille")
    for column in built.cols:
        if named in column_names(column):
            return column.answer
    candidates = [
        c
        for c in built.cols
        if normalise_key(c.header) == key and (sheet is None or c.sheet == sheet)
    ]
    return candidates[0].answer if len({c.answer for c in candidates}) == 1 else ""


def answer_dicts(built: Built, questions: list[dict]):
    """(columns, steps, sheets): what a user who knows the file answers to these questions,
    keyed as `pipelines.answers.Answers` keys them (normalise_key of the name asked)."""
    wanted = {normalise_key(h): f for h, f in built.answers.items()}
    steps = {normalise_key(label): name for label, name in built.steps.items()}
    sheets = {normalise_key(name): answer for name, answer in built.sheets.items()}
    out: tuple[dict, dict, dict] = ({}, {}, {})
    for question in questions:
        kind = question_kind(question)
        if kind == "colonne":
            key = normalise_key(question["en_tete"])
            out[0][key] = _column_answer(built, question, wanted)
        elif kind == "etape":
            key = normalise_key(str(question["etape"]))
            out[1][key] = steps.get(key, "")
        elif kind == "feuille":
            key = normalise_key(str(question["feuille"]))
            out[2][key] = sheets.get(key, "ignorer")
    return out


def make_answers(columns: dict, steps: dict, sheets: dict, values: dict | None = None) -> Answers:
    """Answers with the step and sheet answers when the import takes them (issue 21);
    columns alone before."""
    extra = {k: v for k, v in (("steps", steps), ("sheets", sheets), ("values", values)) if v}
    if extra:
        try:
            return Answers(columns=columns, source=SOURCE, **extra)
        except TypeError:  # an import that does not know steps and sheets yet
            pass
    return Answers(columns=columns, source=SOURCE)


def answers_for(built: Built, report: FileReport) -> Answers:
    """What a user who knows the file answers to its questions."""
    return make_answers(*answer_dicts(built, report.questions))


def _expected_canal(row: dict) -> str | None:
    if "canal" in row:
        return row["canal"]
    if "via_plateforme" in row:
        return "plateforme_1j1m" if row["via_plateforme"] == "oui" else None
    return None


def _same(a, b) -> bool:
    if isinstance(b, list):
        b = ";".join(sorted(b)) or None
    if a is None or (not isinstance(a, str) and pd.isna(a)):
        a = None
    if isinstance(a, pd.Timestamp):
        a = a.date()
    if isinstance(b, dt.datetime):
        b = b.date()
    return a == b


def compare(built: Built, engine: Engine, key: bytes, association: str | None) -> Roundtrip:
    stored = _stored(built, engine)
    out = Roundtrip(FileReport("", ""), FileReport("", ""), [])
    for truth in built.truth:
        row = stored.get(str(truth["id_source"]))
        if row is None:
            out.differences.append(f"{truth['id_source']}: ligne absente")
            out.compared += 1
            continue
        checks = {n: v for n, v in truth.items() if n not in _NOT_STORED and n != "id_source"}
        if built.kind in ("association", "fiche_cd"):
            checks["id_jeune"] = id_jeune(
                key, truth["nom"], truth["prenom"], truth["date_naissance"]
            )
            if built.kind == "association" and truth.get("nom_mentor"):
                checks["id_mentor"] = id_mentor(
                    key, association, truth["nom_mentor"], truth["prenom_mentor"]
                )
            if built.kind == "association" and ("canal" in truth or "via_plateforme" in truth):
                checks["canal"] = _expected_canal(truth)
            if "commune_insee" in truth:
                checks["commune_insee"] = truth["commune_insee"]
        else:
            checks["id_mentor"] = id_mentor(
                key,
                truth.get("association") or association,
                truth["nom_mentor"],
                truth["prenom_mentor"],
            )
        for name, expected in checks.items():
            out.compared += 1
            if _same(row.get(name), expected):
                out.equal += 1
            else:
                out.differences.append(
                    f"{truth['id_source']}.{name}: {row.get(name)!r} ≠ {expected!r}"
                )
    return out


def _stored(built: Built, engine: Engine) -> dict[str, dict]:
    with engine.connect() as conn:
        if built.kind == "honorabilite":
            frame = read_frame(conn, DemandeHonorabilite.__table__)
        else:
            frame = read_frame(conn, Enregistrement.__table__)
    return {str(r["id_source"]): r for r in frame.to_dict("records")}


def roundtrip(built: Built, engine: Engine, key: bytes) -> Roundtrip:
    """Import the layout's file (its association given), answer, compare."""
    association = built.layout.get("association")
    first = ingest(engine, built.data, built.filename, key, association=association)
    final, asked = first, []
    if first.statut == "a_completer":
        answers = answers_for(built, first)
        asked = [q.get("en_tete", q.get("etape", q.get("feuille"))) for q in first.questions]
        final = ingest(
            engine, built.data, built.filename, key, association=association, answers=answers
        )
    result = compare(built, engine, key, association) if final.statut == "charge" else None
    if result is None:
        result = Roundtrip(first, final, asked, differences=[final.message])
    result.first, result.final, result.asked = first, final, asked
    return result


@dataclass
class Rounds:
    """An import answered round after round until it loads, is refused, or asks nothing new."""

    reports: list[FileReport]  # every import made, the last one final
    questions: list[dict]  # every question asked, once each, in the order asked

    @property
    def final(self) -> FileReport:
        return self.reports[-1]


def answered_rounds(built: Built, engine: Engine, key: bytes, most: int = 5) -> Rounds:
    """Import the layout's file, answer its questions from the layout's truth (columns,
    step labels, sheets), import again while new questions come, `most` imports at most."""
    association = built.layout.get("association")
    columns: dict = {}
    steps: dict = {}
    sheets: dict = {}
    asked: dict[tuple[str, str], dict] = {}
    answers: Answers | None = None
    reports = []
    for _ in range(most):
        report = ingest(
            engine,
            built.data,
            built.filename,
            key,
            association=association,
            answers=answers,
            dry_run=True,
        )
        reports.append(report)
        if report.statut != "a_completer":
            break
        new = [q for q in report.questions if question_key(q) not in asked]
        if not new:
            break
        for question in new:
            asked[question_key(question)] = question
        got = answer_dicts(built, new)
        columns |= got[0]
        steps |= got[1]
        sheets |= got[2]
        answers = make_answers(columns, steps, sheets)
    if reports[-1].statut == "charge":  # the labels the page asks, answered; then for real
        values = label_answers(built, reports[-1])
        answers = make_answers(columns, steps, sheets, values)
        reports.append(
            ingest(
                engine, built.data, built.filename, key, association=association, answers=answers
            )
        )
    return Rounds(reports, list(asked.values()))


def _label_specs(node, out: dict[str, dict[str, str]]) -> None:
    """Every (field, its labels in this layout) of a description, wherever they stand."""
    if isinstance(node, dict):
        if isinstance(node.get("champ"), str) and isinstance(node.get("libelles"), dict):
            _add_labels(out, node["champ"], node["libelles"])
        journal = node.get("journal")
        if isinstance(journal, dict):
            for name, spec in journal.get("libelles", {}).items():
                _add_labels(out, name, spec)
        for value in node.values():
            _label_specs(value, out)
    elif isinstance(node, list):
        for value in node:
            _label_specs(value, out)


def _add_labels(out: dict[str, dict[str, str]], name: str, spec: dict) -> None:
    for canonical, labels in spec.items():
        for label in labels if isinstance(labels, list) else [labels]:
            out.setdefault(name, {})[normalise_key(str(label))] = canonical


def label_answers(built: Built, report: FileReport) -> dict[str, dict[str, str]]:
    """What a user who knows the file chooses for the labels the report did not know (the
    Importer asks them before confirming): field -> label -> canonical value."""
    specs: dict[str, dict[str, str]] = {}
    _label_specs(built.layout, specs)
    out: dict[str, dict[str, str]] = {}
    for unknown in report.valeurs_non_reconnues:
        name, label = unknown["champ"], normalise_key(unknown["valeur"])
        canonical = specs.get(name, {}).get(label)
        if canonical is None and name == "resultat_honorabilite":
            canonical = specs.get("resultat", {}).get(label)
        if canonical is not None:
            out.setdefault(name, {})[label] = canonical
    return out
