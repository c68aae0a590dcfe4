"""Qualité et conformité: a score per association, field completeness, compliance alerts."""

import streamlit as st

from dashboard.charts import bars
from dashboard.data import compute, load_overview
from dashboard.page import start
from dashboard.tables import unknown_labels_table
from dashboard.widgets import definition, table
from domain.formatting import number
from indicators import compliance, quality

data, view, viewer = start("qualite")
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
            "dernier_import": "Données au",
            "jours_depuis_import": "Âge des données (jours)",
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
            "Données au",
            "Âge des données (jours)",
            "Part en quarantaine",
            "Alertes",
            "Alertes critiques",
            "Dates dans le désordre",
        ]
    ],
    "qualite_associations",
    percent_columns=("Complétude moyenne", "Part en quarantaine"),
)

st.subheader("Libellés non reconnus")
unknown = load_overview()["valeurs_inconnues"]
if unknown.empty:
    st.success("Tous les libellés des derniers imports sont reconnus.", icon=":material/check:")
else:
    st.caption(
        "Libellés des derniers imports qu'aucune table de valeurs ne connaît : leurs lignes "
        "sont chargées avec ce champ vide. Pour les faire reconnaître, choisissez leur valeur "
        "sur la page Importer au prochain export de l'association (la réponse est retenue), "
        "ou dans un fichier de réponses en ligne de commande (--profile, section "
        "[valeurs.\\<champ\\>])."
    )
    table(unknown_labels_table(unknown), "libelles_non_reconnus")

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
