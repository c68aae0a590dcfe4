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
TILES = {  # voie -> catalogue ids of its requests, pending, share on target, median delay
    B2: ("demandes_b2", "en_attente_b2", "part_b2_dans_objectif", "delai_median_b2"),
    ATTESTATION: (
        "demandes_attestation",
        "en_attente_attestation",
        "part_attestation_dans_objectif",
        "delai_median_attestation",
    ),
}
WORKING, CALENDAR = "jours ouvrés (unité de l'objectif)", "jours calendaires"


def tiles(voie, figures, working):
    """The figures of one voie, delays in one unit: working days (the target's) or calendar
    days, never both side by side."""
    ids, keys = TILES[voie], ["demandes", "en_attente", "part_dans_objectif"]
    ids = ids if working else (*ids[:3], f"{ids[3]}_calendaires")
    keys.append("delai_median_jours_ouvres" if working else "delai_median_jours")
    target = f"Demandes revenues en {figures['objectif_jours_ouvres']} jours ouvrés ou moins."
    p90 = (
        None
        if working
        else f"90e centile : {shown('delai_p90_jours', figures['delai_p90_jours'])}."
    )
    for column, id_, key, note in zip(
        st.columns(4), ids, keys, (None, None, target, p90), strict=True
    ):
        tile(column, id_, figures[key], help=note)


view = start("honorabilite")
unit = st.radio("Délais en", [WORKING, CALENDAR], horizontal=True, key="honorabilite_unite")
working = unit == WORKING
DELAY = "delai_median_jours_ouvres" if working else "delai_median_jours"
OTHER_UNIT = ["delai_median_jours", "delai_p90_jours"] if working else ["delai_median_jours_ouvres"]
left, right, _ = st.columns(3)
target = left.number_input(
    "Objectif B2 / FIJAIS (jours ouvrés)", 1, 30, h.DEFAULT_TARGET_WORKING_DAYS
)
attestation_target = right.number_input(
    "Objectif attestation nationale (jours ouvrés)", 1, 60, h.ATTESTATION_TARGET_WORKING_DAYS
)
b2 = compute(h.summary, view.filters, view.period, B2, target)
section(f"{h.VOIE_LABELS[B2]} (objectif : {target} jours ouvrés)")
tiles(B2, b2, working)
explain(h.DEFINITION)

section(f"Répartition des délais, en {unit.split(' (')[0]}")
spread = compute(h.delay_distribution, view.filters, view.period, B2, 15, working)
text = [number(n) for n in spread["traitees"]]
figure = bars(list(spread["libelle"]), list(spread["traitees"]), text=text)
figure.update_traces(textposition="outside", textangle=0, cliponaxis=False)
if working:  # the bars left of the line are within the target
    figure.add_vline(
        x=target + 0.5,
        line=dict(dash="dash", width=2, color="#1f1f1f"),
        annotation_text=f"objectif : {target} jours ouvrés",
    )
else:
    st.caption("L'objectif se compte en jours ouvrés : choisissez cette unité pour le voir.")
chart(figure)
day_column = "delai_jours_ouvres" if working else "delai_jours"
data_table(spread.drop(columns=day_column), "honorabilite_delais", {"libelle": "Délai"})

section("Où passe le temps : association → CD → service → retour (jours calendaires)")
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
shares, delays = months["part_dans_objectif"], months[DELAY]
text = [f"{percent(s, 0)} · {shown(DELAY, d)}" for s, d in zip(shares, delays, strict=True)]
chart(
    bars(
        [short_month(m) for m in months["mois"]],
        [v or 0 for v in shares],
        title=f"Part des demandes revenues en {target} jours ouvrés ou moins",
        text=text,
    ).update_yaxes(tickformat=".0%", range=[0, 1])
)
months = months.assign(mois=months["mois"].map(short_month))
data_table(months.drop(columns=OTHER_UNIT), "honorabilite_mois", {"mois": "Mois de transmission"})

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
shares, delays = split["part_dans_objectif"], split[DELAY]
text = [
    f"{percent(s, 0)} dans l'objectif · {shown(DELAY, d)}"
    for s, d in zip(shares, delays, strict=True)
]
chart(
    bars(
        list(split["association"]), [v or 0 for v in shares], horizontal=True, text=text
    ).update_xaxes(tickformat=".0%", range=[0, 1])
)
data_table(split.drop(columns=OTHER_UNIT), "honorabilite_associations")

section(f"{h.VOIE_LABELS[ATTESTATION]} (objectif : {attestation_target} jours ouvrés)")
st.caption(
    "Demandée en ligne par le bénévole depuis le 1er octobre 2025 (environ 15 jours "
    "calendaires) : suivie à part, avec son propre objectif."
)
attestation = compute(h.summary, view.filters, view.period, ATTESTATION, attestation_target)
tiles(ATTESTATION, attestation, working)
both = [{"voie": h.VOIE_LABELS[v], **f} for v, f in ((B2, b2), (ATTESTATION, attestation))]
data_table(pd.DataFrame(both).drop(columns=OTHER_UNIT), "honorabilite_voies")
