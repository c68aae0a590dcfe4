"""Qualité et conformité: a score per association, field completeness, compliance alerts."""

import streamlit as st

from dashboard.charts import bars
from dashboard.data import compute, load_overview
from dashboard.page import start
from dashboard.sections import chart, data_table, section, tile
from dashboard.tables import unknown_labels_table
from dashboard.widgets import table
from domain.formatting import number
from indicators import compliance, quality

view = start("qualite")
au = view.period.au
imports = load_overview()["imports"]

section("Score de qualité par association", quality.DEFINITION)
scores = compute(quality.quality, view.filters, au, imports)
first = ["association", "score", "raisons"]  # the reading first, then what it is made of
data_table(scores[first + [c for c in scores.columns if c not in first]], "qualite_associations")

section("Libellés non reconnus")
unknown = load_overview()["valeurs_inconnues"]
if unknown.empty:
    st.success("Tous les libellés des derniers imports sont reconnus.", icon=":material/check:")
else:
    st.caption(
        "Libellés des derniers imports qu'aucune table de valeurs ne connaît : leurs lignes "
        "sont chargées avec ce champ vide. Pour les faire reconnaître, choisissez leur valeur "
        "sur la page Importer au prochain export de l'association : la réponse est retenue."
    )
    table(unknown_labels_table(unknown), "libelles_non_reconnus")

section("Complétude des champs")
fields = compute(quality.completeness, view.filters, au)
labels = {field: label for field, (label, _who) in quality.FIELDS.items()}
fields = fields.rename(columns=labels)
named = tuple(labels.values())
data_table(fields, "qualite_completude", value_columns=named, values_are="completude")

section("Alertes de conformité", compliance.DEFINITION)
per_rule = compute(compliance.alert_counts, view.filters, au)
gravities = zip(
    ("alertes_critiques", "alertes_majeures", "alertes_a_verifier"),
    compliance.GRAVITY_LABELS.values(),
    strict=True,
)
for column, (id_, gravity) in zip(st.columns(3), gravities, strict=True):
    tile(column, id_, int(per_rule.loc[per_rule["gravite"] == gravity, "nombre"].sum()))
counts = per_rule["nombre"]
text = [number(n) for n in counts]
chart(bars(list(per_rule["libelle"]), list(counts), horizontal=True, text=text))
data_table(per_rule.drop(columns="regle"), "conformite_regles", {"libelle": "Règle"})
st.markdown("**Liste des alertes** (de la plus grave à la moins grave, puis la plus ancienne)")
found = compute(compliance.alerts, view.filters, au)
found = found.assign(gravite=found["gravite"].map(compliance.GRAVITY_LABELS)).drop(columns="regle")
data_table(found, "conformite_alertes", {"libelle": "Règle"})
