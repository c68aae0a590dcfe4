"""Honorabilité: how long the B2 / FIJAIS checks take, where the time goes, what is pending."""

import pandas as pd
import streamlit as st

from dashboard.charts import bars
from dashboard.data import compute
from dashboard.page import start
from dashboard.widgets import definition, table
from domain.formatting import number, percent, short_month
from indicators import honorabilite as h

B2, ATTESTATION = h.DEFAULT_VOIE, "attestation_nationale"
COLUMNS = {
    "demandes": "Demandes",
    "traitees": "Traitées",
    "en_attente": "En attente",
    "delai_median_jours": "Délai médian (jours)",
    "delai_p90_jours": "Délai 90e centile (jours)",
    "delai_median_jours_ouvres": "Délai médian (jours ouvrés)",
    "part_dans_objectif": "Part dans l'objectif",
    "objectif_jours_ouvres": "Objectif (jours ouvrés)",
}
CONFIG = {"displaylogo": False}


def days(value):
    return "–" if value is None else f"{number(value, 1 if value % 1 else 0)} j"


def tiles(figures):
    """The headline figures of one voie."""
    columns = st.columns(4)
    columns[0].metric("Demandes transmises", number(figures["demandes"]), border=True)
    columns[1].metric("En attente de retour", number(figures["en_attente"]), border=True)
    columns[2].metric(
        "Délai médian",
        days(figures["delai_median_jours"]),
        help=f"Soit {days(figures['delai_median_jours_ouvres'])} ouvrés ; 90e centile : "
        f"{days(figures['delai_p90_jours'])}.",
        border=True,
    )
    columns[3].metric(
        "Dans l'objectif",
        percent(figures["part_dans_objectif"]),
        help=f"Demandes traitées en {figures['objectif_jours_ouvres']} jours ouvrés ou moins.",
        border=True,
    )


data, view, viewer = start("honorabilite")
left, right, _ = st.columns(3)
target = left.number_input(
    "Objectif B2 / FIJAIS (jours ouvrés)", 1, 30, h.DEFAULT_TARGET_WORKING_DAYS
)
attestation_target = right.number_input(
    "Objectif attestation nationale (jours ouvrés)", 1, 60, h.ATTESTATION_TARGET_WORKING_DAYS
)
b2 = compute(h.summary, view.filters, view.period, B2, target)
st.subheader(f"{h.VOIE_LABELS[B2]} (objectif : {target} jours ouvrés)")
tiles(b2)
definition(h.DEFINITION)

st.subheader("Répartition des délais")
spread = compute(h.delay_distribution, view.filters, view.period, B2)
st.plotly_chart(
    bars(
        list(spread["libelle"]),
        list(spread["demandes"]),
        text=[number(n) for n in spread["demandes"]],
    ).update_traces(textposition="outside", textangle=0, cliponaxis=False),
    config=CONFIG,
)
table(
    spread.drop(columns="delai_jours").rename(
        columns={
            "libelle": "Délai (jours calendaires)",
            "demandes": "Demandes traitées",
            "part": "Part",
        }
    ),
    "honorabilite_delais",
    percent_columns=("Part",),
)

st.subheader("Où passe le temps : association → CD → service → retour")
parts = compute(h.segments, view.filters, view.period, B2)
st.plotly_chart(
    bars(
        list(parts["libelle"]),
        [v or 0 for v in parts["delai_median_jours"]],
        horizontal=True,
        text=[
            f"médiane {days(m)} · 90e centile {days(q)}"
            for m, q in zip(parts["delai_median_jours"], parts["delai_p90_jours"], strict=True)
        ],
    ),
    config=CONFIG,
)
table(
    parts.drop(columns="segment").rename(
        columns={"libelle": "Segment", "n": "Demandes", **COLUMNS}
    ),
    "honorabilite_segments",
)

st.subheader("Évolution mensuelle")
months = compute(h.monthly, view.filters, view.period, B2, target)
st.plotly_chart(
    bars(
        [short_month(m) for m in months["mois"]],
        [v or 0 for v in months["part_dans_objectif"]],
        title=f"Part des demandes traitées en {target} jours ouvrés ou moins",
        text=[
            f"{percent(s, 0)} · {days(d)}"
            for s, d in zip(months["part_dans_objectif"], months["delai_median_jours"], strict=True)
        ],
    ).update_yaxes(tickformat=".0%", range=[0, 1]),
    config=CONFIG,
)
table(
    months.assign(mois=months["mois"].map(short_month)).rename(
        columns={"mois": "Mois de transmission", **COLUMNS}
    ),
    "honorabilite_mois",
    percent_columns=("Part dans l'objectif",),
)

st.subheader("Demandes en attente")
waiting = compute(
    h.pending, view.filters, view.period, {B2: target, ATTESTATION: attestation_target}
)
st.metric("En retard sur l'objectif", number(int(waiting["en_retard"].sum())), border=True)
table(
    waiting.assign(
        voie=waiting["voie"].map(h.VOIE_LABELS),
        date_transmission_cd=pd.to_datetime(waiting["date_transmission_cd"]),
        en_retard=waiting["en_retard"].map({True: "oui", False: "non"}),
    ).rename(
        columns={
            "association": "Association",
            "id_source": "Identifiant de la demande",
            "voie": "Voie",
            "date_transmission_cd": "Transmise au CD le",
            "age_jours": "Ancienneté (jours)",
            "age_jours_ouvres": "Ancienneté (jours ouvrés)",
            "objectif_jours_ouvres": "Objectif (jours ouvrés)",
            "en_retard": "En retard",
        }
    ),
    "honorabilite_en_attente",
)

st.subheader("Par association")
split = compute(h.by_association, view.filters, view.period, B2, target)
st.plotly_chart(
    bars(
        list(split["association"]),
        [v or 0 for v in split["part_dans_objectif"]],
        horizontal=True,
        text=[
            f"{percent(s, 0)} dans l'objectif · {days(d)}"
            for s, d in zip(split["part_dans_objectif"], split["delai_median_jours"], strict=True)
        ],
    ).update_xaxes(tickformat=".0%", range=[0, 1]),
    config=CONFIG,
)
table(
    split.rename(columns={"association": "Association", **COLUMNS}),
    "honorabilite_associations",
    percent_columns=("Part dans l'objectif",),
)

st.subheader(f"{h.VOIE_LABELS[ATTESTATION]} (objectif : {attestation_target} jours ouvrés)")
st.caption(
    "Demandée en ligne par le bénévole depuis le 1er octobre 2025 (environ 15 jours "
    "calendaires) : suivie à part, avec son propre objectif."
)
attestation = compute(h.summary, view.filters, view.period, ATTESTATION, attestation_target)
tiles(attestation)
table(
    pd.DataFrame(
        [{"Voie": h.VOIE_LABELS[v], **f} for v, f in ((B2, b2), (ATTESTATION, attestation))]
    ).rename(columns=COLUMNS),
    "honorabilite_voies",
    percent_columns=("Part dans l'objectif",),
)
