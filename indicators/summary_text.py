"""The indicators report as a short French text (the command line without --json)."""

from __future__ import annotations

import datetime as dt

from domain.formatting import day, number, percent
from domain.steps import STEP_LABELS
from indicators.catalogue import name, shown


def summary_text(report: dict) -> str:
    du, au = dt.date.fromisoformat(report["du"]), dt.date.fromisoformat(report["au"])
    lines = [f"Indicateurs des inscriptions du {day(du)} au {day(au)} (données au {day(au)})", ""]
    if "chiffres_cles" in report:
        lines.append("Chiffres clés")
        for id_, value in report["chiffres_cles"].items():
            lines.append(f"  {name(id_):<40}{shown(id_, value):>12}")
        lines.append(
            f"  (parcours bloqués : sans nouvelle étape depuis {report['seuil_parcours_bloques']} "
            "jours ou plus)"
        )
        lines.append("")
    lines.append("Entonnoir")
    for step in report["entonnoir"]:
        rate = step["taux_etape_precedente"]
        lines.append(
            f"  {STEP_LABELS[step['etape']]:<24}{number(step['effectif']):>8}"
            + (f"   {percent(rate)} de l'étape précédente" if rate is not None else "")
            + (
                f", délai médian {shown('delai_etape_jours', step['delai_etape_jours'])}"
                if step["delai_etape_jours"] is not None
                else ""
            )
        )
    h = report["honorabilite"]
    lines += [
        "",
        "Honorabilité (B2/FIJAIS par le CD)",
        f"  {number(h['demandes'])} demandes transmises, {number(h['traitees'])} traitées, "
        f"{number(h['en_attente'])} en attente",
        f"  délai médian {shown('delai_median_jours', h['delai_median_jours'])} "
        f"({shown('delai_median_jours_ouvres', h['delai_median_jours_ouvres'])}), 90e centile "
        f"{shown('delai_p90_jours', h['delai_p90_jours'])} ; "
        f"{percent(h['part_dans_objectif'])} dans l'objectif "
        f"de {h['objectif_jours_ouvres']} jours ouvrés",
        "",
        "Charge des associations (binômes actifs / capacité, jeunes en attente d'un mentor)",
    ]
    for a in report["associations"]:
        capacity = "capacité inconnue" if a["capacite"] is None else number(a["capacite"])
        lines.append(
            f"  {a['association']:<28}{number(a['binomes_actifs']):>6} / {capacity:<8}"
            f"{percent(a['taux_charge']):>9}   {number(a['en_attente_binome'])} en attente"
        )
    lines += ["", "Territoires (jeunes inscrits, démarrages, part en présentiel)"]
    for classe, t in report["territoires"].items():
        lines.append(
            f"  {classe:<8}{number(t['jeunes_inscrits']):>8} jeunes, "
            f"{number(t['demarrages'])} démarrages, "
            f"{percent(t['part_presentiel'])} en présentiel"
        )
    if "conformite" in report:
        alerts = report["conformite"]
        total = sum(a["nombre"] for a in alerts)
        critical = sum(a["nombre"] for a in alerts if a["gravite"] == "critique")
        lines += [
            "",
            f"Conformité (tous les parcours connus au {day(au)}) : {number(total)} alertes, "
            f"dont {number(critical)} critiques",
        ]
    return "\n".join(lines)
