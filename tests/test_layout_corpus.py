"""The tuning layouts of tests/layouts/corpus/ (written by someone who never saw the matcher's
vocabulary), each imported for real: no wrong guess, no dated column dropped without a
question, no row lost for a label, every value equal to the simulated truth, and the funnel
equal to a count made here by hand from that truth.

The hold-out layouts (tests/layouts/holdout/) are measured by `make layouts`, not asserted
here: a failing assertion would invite tuning on them."""

from __future__ import annotations

import datetime as dt

import pytest

from domain.schema import FieldType, Kind, field
from domain.steps import STEPS
from indicators.dataset import Dataset, Period
from indicators.funnel import funnel
from store.queries import dataset_frames
from tests.layouts.build import CORPUS, build, layout_paths
from tests.layouts.roundtrip import roundtrip

LAYOUTS = layout_paths(CORPUS)
# Tuning layouts written before the vocabulary was tuned on them: expected to fail (strict:
# once the matcher reads them, drop them from here).
NOT_TUNED_YET: dict[str, str] = {}


def _dated_or_labelled(kind: str, name: str) -> bool:
    if not name:
        return False
    f = field(Kind(kind), name)
    return f.type in (FieldType.DATE, FieldType.IDENTITY_DATE, FieldType.CATEGORY)


@pytest.mark.parametrize(
    "path",
    [
        pytest.param(
            p,
            marks=[pytest.mark.xfail(reason=NOT_TUNED_YET[p.stem], strict=True)]
            if p.stem in NOT_TUNED_YET
            else [],
        )
        for p in LAYOUTS
    ],
    ids=[p.stem for p in LAYOUTS],
)
def test_layout_loads_exactly_after_its_questions(engine, key, path):
    built = build(path)
    result = roundtrip(built, engine, key)
    first = result.first
    assert first.statut in ("charge", "a_completer"), first.erreurs
    understood = {c["en_tete"]: c["champ"] for c in first.colonnes}
    asked = set(result.asked)
    for header, want in built.answers.items():
        got = understood.get(header)
        if got is not None:
            assert got == want, f"wrong guess: « {header} » read as {got}, is {want or 'none'}"
        elif _dated_or_labelled(built.kind, want):
            assert header in asked, f"« {header} » ({want}) dropped without a question"
    assert len(asked) <= 3  # a handful at most
    final = result.final
    assert final.statut == "charge", final.erreurs
    assert final.lignes_lues == final.lignes_chargees + final.lignes_en_quarantaine
    assert final.lignes_en_quarantaine == 0  # every row is a valid parcours
    assert result.equal == result.compared, result.differences[:5]


def _reaches(row: dict, au: dt.date) -> dict[str, bool]:
    """The funnel's rule, written again from its definition: a step's own condition (its
    date known by `au`; an adult needs no parental authorisation; a B2 counts unless
    unfavourable; a clôture needs a start), or any later step's."""

    def known(name: str) -> bool:
        value = row.get(name)
        return value is not None and value <= au

    born = row["date_naissance"]
    start = row["date_inscription"]
    age = start.year - born.year - ((start.month, start.day) < (born.month, born.day))
    own = {
        "inscription": known("date_inscription"),
        "attribution": known("date_inscription"),
        "autorisation_parentale": known("date_autorisation_parentale")
        or (age >= 18 and known("date_inscription")),
        "mise_en_relation": known("date_mise_en_relation"),
        "honorabilite": known("date_honorabilite")
        and row.get("resultat_honorabilite") != "defavorable",
        "convention": known("date_convention"),
        "demarrage": known("date_debut"),
        "cloture": known("date_debut") and known("date_fin"),
    }
    return {step: any(own[s] for s in STEPS[i:]) for i, step in enumerate(STEPS)}


@pytest.mark.parametrize("stem", ["a01_main_tendue", "a05_declic_jeunes"])
def test_funnel_of_an_unseen_layout_equals_a_count_by_hand(engine, key, stem):
    built = build(CORPUS / f"{stem}.toml")
    assert roundtrip(built, engine, key).final.statut == "charge"
    du, au = dt.date(2025, 1, 1), dt.date(2026, 10, 31)
    cohort = [r for r in built.truth if du <= r["date_inscription"] <= au]
    expected = {step: sum(_reaches(r, au)[step] for r in cohort) for step in STEPS}
    with engine.connect() as conn:
        data = Dataset(**dataset_frames(conn))
    got = funnel(data, Period(du, au))
    assert dict(zip(got["etape"], got["effectif"], strict=True)) == expected
    assert expected["demarrage"] > 0 and expected["inscription"] == len(cohort)
