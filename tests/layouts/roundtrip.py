"""Import a built layout for real, answering its questions as a user would (from the
layout's answers, for the asked columns only), and compare the database with the truth."""

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
from tests.layouts.build import Built

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


def answers_for(built: Built, report: FileReport) -> Answers:
    """What a user who knows the file answers to its questions."""
    wanted = {normalise_key(h): f for h, f in built.answers.items()}
    columns = {}
    for question in report.questions:
        key = normalise_key(question["en_tete"])
        columns[key] = wanted.get(key, "")
    return Answers(columns=columns, source="réponses de la présentation")


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
        asked = [q["en_tete"] for q in first.questions]
        final = ingest(
            engine, built.data, built.filename, key, association=association, answers=answers
        )
    result = compare(built, engine, key, association) if final.statut == "charge" else None
    if result is None:
        result = Roundtrip(first, final, asked, differences=[final.message])
    result.first, result.final, result.asked = first, final, asked
    return result
