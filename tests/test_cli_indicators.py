"""`pilotage indicators` on the demo database: the JSON shape of the issue, and
figures checked against direct SQL counts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

from sqlalchemy import text

import settings
from domain.steps import STEPS
from indicators.catalogue import BY_ID
from store.db import make_engine
from tests.conftest import TEST_KEY

ROOT = Path(__file__).resolve().parent.parent
DU, AU = "2025-11-01", "2026-10-31"


def run(url: str, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(settings.PREFIX)}
    env |= {settings.DB_URL.env: url, settings.SECRET_KEY.env: TEST_KEY.decode()}
    return subprocess.run(
        [sys.executable, "-m", "commands", "indicators", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_json_shape_and_figures(demo_db_url):
    out = run(demo_db_url, "--du", DU, "--au", AU, "--json")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert set(report) == {
        "du", "au", "chiffres_cles", "seuil_parcours_bloques", "entonnoir", "honorabilite",
        "associations", "territoires", "grille_densite", "durees", "seuil_binomes_suivis",
        "conformite", "qualite",
    }  # fmt: skip
    assert (report["du"], report["au"]) == (DU, AU)
    quality = report["qualite"]
    assert set(quality) == {
        "actifs", "sans_rencontre_30j", "derniere_rencontre_inconnue", "rythme",
        "ruptures_precoces", "bilans_3_mois", "satisfaction", "sorties", "par_association",
    }  # fmt: skip
    assert set(quality["rythme"]) == {
        "evalues", "dans_la_norme", "sous_la_norme", "au_dessus", "mediane",
    }  # fmt: skip
    assert set(quality["sorties"]) == {
        "scolarite", "formation_pro", "emploi", "sans_activite", "autre", "non_renseignee",
    }  # fmt: skip
    assert quality["actifs"] == sum(a["binomes_actifs"] for a in report["associations"])
    assert set(quality["par_association"]) == {a["association"] for a in report["associations"]}
    for figures in quality["par_association"].values():
        assert set(figures) == set(quality) - {"par_association"}
    grid = report["grille_densite"]
    assert grid["edition"] == 2024
    assert list(grid["classes"])[:3] == ["dense", "intermediaire", "rural"]
    assert list(grid["niveaux"])[:7] == ["1", "2", "3", "4", "5", "6", "7"]
    assert grid["classes"]["rural"] == report["territoires"]["rural"]["jeunes_inscrits"]
    assert sum(grid["niveaux"][k] for k in "567") == grid["classes"]["rural"]
    # the headline figures are keyed by catalogue ids and agree with the detailed sections
    key = report["chiffres_cles"]
    assert set(key) == {e for e in key if e in BY_ID} and "parcours_bloques" in key
    assert key["jeunes_inscrits"] == report["entonnoir"][0]["effectif"]
    assert key["delai_median_b2"] == report["honorabilite"]["delai_median_jours_ouvres"]
    assert key["binomes_actifs"] == sum(a["binomes_actifs"] for a in report["associations"])
    assert report["seuil_parcours_bloques"] == 90
    # every figure key of every section is a catalogue id: one name, one definition each
    keys = set(report["honorabilite"]) | {k for s in report["entonnoir"] for k in s}
    keys |= {k for a in report["associations"] for k in a}
    keys |= {k for t in report["territoires"].values() for k in t}
    keys |= {k for c in report["conformite"] for k in c}
    keys |= set(report["durees"])
    assert keys - set(BY_ID) == set()
    assert [s["etape"] for s in report["entonnoir"]] == STEPS
    for step in report["entonnoir"]:
        assert set(step) == {
            "etape", "effectif", "taux_etape_precedente", "taux_depuis_inscription",
            "delai_etape_jours",
        }  # fmt: skip
    counts = [s["effectif"] for s in report["entonnoir"]]
    assert counts == sorted(counts, reverse=True)  # never rises from one step to the next
    assert set(report["honorabilite"]) == {
        "demandes", "traitees", "en_attente", "delai_median_jours", "delai_p90_jours",
        "delai_median_jours_ouvres", "part_dans_objectif", "objectif_jours_ouvres",
    }  # fmt: skip
    assert set(report["territoires"]) == {"rural", "urbain"}
    for values in report["territoires"].values():
        assert set(values) == {"jeunes_inscrits", "demarrages", "part_presentiel"}

    engine = make_engine(demo_db_url)
    with engine.connect() as conn:
        cohort = conn.execute(
            text("SELECT count(*) FROM parcours WHERE date_inscription BETWEEN :du AND :au"),
            {"du": DU, "au": AU},
        ).scalar_one()
        started = conn.execute(
            text(
                "SELECT count(*) FROM parcours WHERE date_inscription BETWEEN :du AND :au "
                "AND date_debut <= :au"
            ),
            {"du": DU, "au": AU},
        ).scalar_one()
        requests = conn.execute(
            text(
                "SELECT count(*) FROM demande_honorabilite WHERE voie = 'cd_b2_fijais' "
                "AND date_transmission_cd BETWEEN :du AND :au"
            ),
            {"du": DU, "au": AU},
        ).scalar_one()
        active = dict(
            conn.execute(
                text(
                    "SELECT association, count(*) FROM parcours WHERE date_debut <= :au "
                    "AND (date_fin IS NULL OR date_fin > :au) AND association IS NOT NULL "
                    "GROUP BY association"
                ),
                {"au": AU},
            ).all()
        )
    engine.dispose()
    assert report["entonnoir"][0]["effectif"] == cohort
    assert report["entonnoir"][STEPS.index("demarrage")]["effectif"] == started
    assert report["honorabilite"]["demandes"] == requests
    assert {a["association"]: a["binomes_actifs"] for a in report["associations"]} == active
    rural, urban = report["territoires"]["rural"], report["territoires"]["urbain"]
    assert rural["jeunes_inscrits"] + urban["jeunes_inscrits"] <= cohort


def test_readable_summary_and_bad_dates(demo_db_url):
    out = run(demo_db_url, "--du", DU, "--au", AU)
    assert out.returncode == 0
    assert "Entonnoir" in out.stdout and "Inscription" in out.stdout
    assert "du 01/11/2025 au 31/10/2026" in out.stdout
    assert "Chiffres clés" in out.stdout and "Binômes démarrés (cohorte)" in out.stdout
    assert "sans nouvelle étape depuis 90 jours" in out.stdout
    bad = run(demo_db_url, "--du", "2026-10-31", "--au", "2025-11-01")
    assert bad.returncode == 1 and "Traceback" not in bad.stderr
    assert bad.stderr.startswith("Période refusée (début le 31/10/2026, après la fin")
    wrong = run(demo_db_url, "--du", "31/10/2025", "--au", AU)
    assert wrong.returncode == 1 and "AAAA-MM-JJ" in wrong.stderr
    assert "finit au plus tard le 31/10/2027 (un an après la date des données" in wrong.stderr


def test_json_carries_the_compliance_counts(demo_db_url, demo_dataset):
    from indicators.compliance import RULES, counts

    out = run(demo_db_url, "--du", DU, "--au", AU, "--json")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert [c["regle"] for c in report["conformite"]] == list(RULES)
    assert report["conformite"] == counts(demo_dataset, date.fromisoformat(AU))
    by_rule = {c["regle"]: c["nombre"] for c in report["conformite"]}
    assert by_rule["debut_sans_convention"] >= 3  # planted in the demo
    readable = run(demo_db_url, "--du", DU, "--au", AU)
    assert "Conformité (tous les parcours connus au 31/10/2026)" in readable.stdout


def test_json_carries_the_retention_and_its_interval(demo_db_url, demo_dataset):
    from indicators import durations
    from indicators.dataset import Period

    out = run(demo_db_url, "--du", DU, "--au", AU, "--json")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    period = Period(date.fromisoformat(DU), date.fromisoformat(AU))
    figures = report["durees"]
    assert figures == durations.figures(demo_dataset, period)  # as the pack counts them
    assert report["seuil_binomes_suivis"] == durations.MIN_AT_RISK == 20
    for months in (3, 6, 12):
        key = f"part_{months}_mois"
        assert {f"{key}_ic_bas", f"{key}_ic_haut", f"{key}_a_risque"} <= set(figures)
    three = [figures[k] for k in ("part_3_mois_ic_bas", "part_3_mois", "part_3_mois_ic_haut")]
    assert 0 < three[0] < three[1] < three[2] < 1
    assert figures["part_3_mois_a_risque"] >= 20  # hundreds started in the year
    assert figures["part_12_mois"] is None and figures["part_12_mois_a_risque"] == 0
