"""Honorabilité: how long the B2 / FIJAIS checks take, where the time goes, what is pending."""

import pandas as pd
import streamlit as st

from dashboard.charts import bars
from dashboard.data import compute
from dashboard.page import start
from dashboard.sections import chart, data_table, explain, section, tile
from domain.formatting import number, percent, short_month
from indicators import honorabilite as h
from indicators.catalogue import shown

B2, ATTESTATION = h.DEFAULT_VOIE, "attestation_nationale"
TILES = {  # voie -> catalogue ids of its requests, pending, median delay, share on target
    B2: ("demandes_b2", "en_attente_b2", "delai_median_b2", "part_b2_dans_objectif"),
    ATTESTATION: (
        "demandes_attestation",
        "en_attente_attestation",
        "delai_median_attestation",
        "part_attestation_dans_objectif",
    ),
}


def tiles(voie, figures):
    ids, keys = TILES[voie], ("demandes", "en_attente", "delai_median_jours", "part_dans_objectif")
    notes = (
        None,
        None,
        f"Soit {shown('delai_median_jours_ouvres', figures['delai_median_jours_ouvres'])} "
        f"ouvrés ; 90e centile : {shown('delai_p90_jours', figures['delai_p90_jours'])}.",
        f"Demandes revenues en {figures['objectif_jours_ouvres']} jours ouvrés ou moins.",
    )
    for column, id_, key, note in zip(st.columns(4), ids, keys, notes, strict=True):
        tile(column, id_, figures[key], help=note)


data, view, viewer = start("honorabilite")
left, right, _ = st.columns(3)
target = left.number_input(
    "Objectif B2 / FIJAIS (jours ouvrés)", 1, 30, h.DEFAULT_TARGET_WORKING_DAYS
)
attestation_target = right.number_input(
    "Objectif attestation nationale (jours ouvrés)", 1, 60, h.ATTESTATION_TARGET_WORKING_DAYS
)
b2 = compute(h.summary, view.filters, view.period, B2, target)
section(f"{h.VOIE_LABELS[B2]} (objectif : {target} jours ouvrés)")
tiles(B2, b2)
explain(h.DEFINITION)

section("Répartition des délais")
spread = compute(h.delay_distribution, view.filters, view.period, B2)
text = [number(n) for n in spread["traitees"]]
chart(
    bars(list(spread["libelle"]), list(spread["traitees"]), text=text).update_traces(
        textposition="outside", textangle=0, cliponaxis=False
    )
)
data_table(spread.drop(columns="delai_jours"), "honorabilite_delais", {"libelle": "Délai"})

section("Où passe le temps : association → CD → service → retour")
parts = compute(h.segments, view.filters, view.period, B2)
medians, p90s = parts["delai_median_jours"], parts["delai_p90_jours"]
text = [
    f"médiane {shown('delai_median_jours', m)} · 90e centile {shown('delai_p90_jours', q)}"
    for m, q in zip(medians, p90s, strict=True)
]
chart(bars(list(parts["libelle"]), [v or 0 for v in medians], horizontal=True, text=text))
data_table(parts.drop(columns="segment"), "honorabilite_segments", {"libelle": "Segment"})

section("Évolution mensuelle")
months = compute(h.monthly, view.filters, view.period, B2, target)
shares, delays = months["part_dans_objectif"], months["delai_median_jours"]
text = [
    f"{percent(s, 0)} · {shown('delai_median_jours', d)}"
    for s, d in zip(shares, delays, strict=True)
]
chart(
    bars(
        [short_month(m) for m in months["mois"]],
        [v or 0 for v in shares],
        title=f"Part des demandes revenues en {target} jours ouvrés ou moins",
        text=text,
    ).update_yaxes(tickformat=".0%", range=[0, 1])
)
months = months.assign(mois=months["mois"].map(short_month))
data_table(months, "honorabilite_mois", {"mois": "Mois de transmission"})

section("Demandes en attente")
waiting = compute(
    h.pending, view.filters, view.period, {B2: target, ATTESTATION: attestation_target}
)
tile(st, "demandes_en_retard", int(waiting["en_retard"].sum()))
waiting = waiting.assign(
    voie=waiting["voie"].map(h.VOIE_LABELS),
    date_transmission_cd=pd.to_datetime(waiting["date_transmission_cd"]),
    en_retard=waiting["en_retard"].map({True: "oui", False: "non"}),
)
data_table(waiting, "honorabilite_en_attente", {"id_source": "Identifiant de la demande"})

section("Par association")
split = compute(h.by_association, view.filters, view.period, B2, target)
shares, delays = split["part_dans_objectif"], split["delai_median_jours"]
text = [
    f"{percent(s, 0)} dans l'objectif · {shown('delai_median_jours', d)}"
    for s, d in zip(shares, delays, strict=True)
]
chart(
    bars(
        list(split["association"]), [v or 0 for v in shares], horizontal=True, text=text
    ).update_xaxes(tickformat=".0%", range=[0, 1])
)
data_table(split, "honorabilite_associations")

section(f"{h.VOIE_LABELS[ATTESTATION]} (objectif : {attestation_target} jours ouvrés)")
st.caption(
    "Demandée en ligne par le bénévole depuis le 1er octobre 2025 (environ 15 jours "
    "calendaires) : suivie à part, avec son propre objectif."
)
attestation = compute(h.summary, view.filters, view.period, ATTESTATION, attestation_target)
tiles(ATTESTATION, attestation)
both = [{"voie": h.VOIE_LABELS[v], **f} for v, f in ((B2, b2), (ATTESTATION, attestation))]
data_table(pd.DataFrame(both), "honorabilite_voies")
