"""Qualité et conformité: a score per association, field completeness, compliance alerts."""

import streamlit as st

from dashboard.charts import bars
from dashboard.data import compute, load_overview
from dashboard.page import start
from dashboard.widgets import definition, table
from indicators import compliance, quality
from indicators.formatting import number

data, view, viewer = start("Qualité et conformité")
au = view.period.au
imports = load_overview()["imports"]

st.subheader("Score de qualité par association")
definition(quality.DEFINITION)
scores = compute(quality.quality, view.filters, au, imports)
table(
    scores.rename(
        columns={
            "association": "Association",
            "score": "Score (sur 100)",
            "raisons": "Raisons",
            "parcours": "Parcours",
            "completude": "Complétude moyenne",
            "dernier_import": "Dernier import",
            "jours_depuis_import": "Jours depuis l'import",
            "part_quarantaine": "Part en quarantaine",
            "alertes": "Alertes",
            "alertes_critiques": "Alertes critiques",
            "dates_desordre": "Dates dans le désordre",
        }
    )[
        [
            "Association",
            "Score (sur 100)",
            "Raisons",
            "Parcours",
            "Complétude moyenne",
            "Dernier import",
            "Jours depuis l'import",
            "Part en quarantaine",
            "Alertes",
            "Alertes critiques",
            "Dates dans le désordre",
        ]
    ],
    "qualite_associations",
    percent_columns=("Complétude moyenne", "Part en quarantaine"),
)

st.subheader("Complétude des champs")
fields = compute(quality.completeness, view.filters, au)
labels = {field: label for field, (label, _who) in quality.FIELDS.items()}
table(
    fields.rename(columns={"association": "Association", **labels}),
    "qualite_completude",
    percent_columns=tuple(labels.values()),
)

st.subheader("Alertes de conformité")
definition(compliance.DEFINITION)
per_rule = compute(compliance.alert_counts, view.filters, au)
columns = st.columns(3)
for column, gravity in zip(columns, compliance.GRAVITY_LABELS.values(), strict=True):
    column.metric(
        f"Alertes {gravity}s" if gravity != "à vérifier" else "Alertes à vérifier",
        number(int(per_rule.loc[per_rule["gravite"] == gravity, "nombre"].sum())),
        border=True,
    )
st.plotly_chart(
    bars(
        list(per_rule["libelle"]),
        list(per_rule["nombre"]),
        horizontal=True,
        text=[number(n) for n in per_rule["nombre"]],
    ),
    config={"displaylogo": False},
)
table(
    per_rule.rename(columns={"libelle": "Règle", "gravite": "Gravité", "nombre": "Alertes"}).drop(
        columns="regle"
    ),
    "conformite_regles",
)

st.markdown("**Liste des alertes** (de la plus grave à la moins grave, puis la plus ancienne)")
found = compute(compliance.alerts, view.filters, au)
table(
    found.assign(gravite=found["gravite"].map(compliance.GRAVITY_LABELS))
    .drop(columns="regle")
    .rename(
        columns={
            "association": "Association",
            "id_source": "Identifiant (association)",
            "libelle": "Règle",
            "gravite": "Gravité",
            "depuis": "Depuis le",
            "detail": "Détail",
        }
    ),
    "conformite_alertes",
)
