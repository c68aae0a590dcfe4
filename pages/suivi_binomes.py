"""Suivi des binômes: per association, meetings, rhythm against the guide's norm, early
breaks and their reasons, 3-month reviews, satisfaction and exits (indicators/followup.py);
the binômes silent for too long, for the chargé(e) to call each association."""

import streamlit as st

from dashboard.charts import PALETTE, bars
from dashboard.data import compute
from dashboard.page import start
from dashboard.sections import chart, data_table, section
from domain.formatting import day, number
from indicators import followup

view = start("suivi_binomes")
au = view.period.au
low, high = followup.norm()
per_association = compute(followup.by_association, view.filters, view.period)

definitions = (
    followup.explained(followup.SILENCE_DEFINITION),
    followup.explained(followup.RHYTHM_DEFINITION),
    followup.EARLY_BREAKS_DEFINITION,
    followup.REVIEWS_DEFINITION,
    followup.SATISFACTION_DEFINITION,
    followup.EXITS_DEFINITION,
)
section(f"Suivi par association au {day(au)}", "\n\n".join(f"- {d}" for d in definitions))
table = followup.side_by_side(per_association)
data_table(table, "suivi_binomes", value_columns=tuple(per_association))

section("Rythme des rencontres", followup.explained(followup.RHYTHM_DEFINITION))
names = list(per_association)
medians = [per_association[n]["rythme"]["mediane"] for n in names]
labels = [
    followup.NOT_PROVIDED
    if per_association[n]["rythme"]["evalues"] is None
    else "–"
    if m is None
    else f"{number(m, 1)} ({per_association[n]['rythme']['dans_la_norme']} / "
    f"{per_association[n]['rythme']['evalues']} dans la norme)"
    for n, m in zip(names, medians, strict=True)
]
figure = bars(names, [m or 0 for m in medians], horizontal=True, text=labels, color=PALETTE[2])
figure.add_vrect(
    x0=low, x1=high, fillcolor="#2e7d32", opacity=0.12, line_width=0,
    annotation_text=f"norme du guide : {low} à {high} par mois",
)  # fmt: skip
chart(figure.update_xaxes(title="Rencontres par mois (médiane)", rangemode="tozero"))

section("Motifs des ruptures précoces", followup.EARLY_BREAKS_DEFINITION)
reasons = compute(followup.break_reasons, view.filters, view.period)
if reasons.empty:
    st.info("Aucune rupture précoce dans la cohorte.", icon=":material/check_circle:")
else:
    data_table(reasons, "ruptures_precoces")

n = followup.silent_days()
section(
    f"Binômes sans rencontre depuis plus de {n} jours",
    followup.explained(followup.SILENT_LIST_DEFINITION),
)
silent = compute(followup.silent_pairs, view.filters, au)
if silent.empty:
    st.info(f"Aucun binôme actif sans rencontre depuis plus de {n} jours.")
else:
    shown = silent.assign(mentor_connu=silent["mentor_connu"].map({True: "oui", False: "non"}))
    data_table(shown, "binomes_sans_rencontre")
