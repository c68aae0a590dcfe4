"""Associations: load against capacity, youths waiting for a mentor, inflow, delays, share of
the flow, an imbalance reading, and a ranking to dispatch a new CD fiche."""

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard.charts import PALETTE, bars, french
from dashboard.data import compute
from dashboard.markdown import message, plain
from dashboard.page import start
from dashboard.widgets import definition, table
from domain.formatting import day, number, percent, short_month
from domain.text import normalise_key
from domain.values import category_labels
from indicators import dispatch, workload
from indicators.dataset import Filters

data, view, viewer = start("associations")
au = view.period.au


def mine(frame):
    """Only the selected association's row(s) when the sidebar narrows to one."""
    chosen = view.filters.association
    return frame if chosen is None else frame[frame["association"] == chosen]


st.subheader(f"Charge au {day(au)}")
definition(workload.DEFINITION)
charge = mine(compute(workload.association_load, view.filters, au))
st.plotly_chart(
    bars(
        list(charge["association"]),
        [0 if pd.isna(r) else r * 100 for r in charge["taux_charge"]],
        horizontal=True,
        text=[
            f"{number(a)} / {number(c)} ({percent(r, 0)})" if pd.notna(c) else f"{number(a)} / ?"
            for a, c, r in zip(
                charge["binomes_actifs"], charge["capacite"], charge["taux_charge"], strict=True
            )
        ],
    )
    .add_vline(x=100, line=dict(dash="dash", width=2, color="#1f1f1f"), annotation_text="capacité")
    .update_xaxes(
        title="Binômes actifs / capacité (%)",
        range=[0, max(110, 110 * charge["taux_charge"].fillna(0).max())],
    ),
    config={"displaylogo": False},
)
table(
    charge.rename(
        columns={
            "association": "Association",
            "binomes_actifs": "Binômes actifs",
            "en_attente_binome": "Jeunes en attente de mentor",
            "capacite": "Capacité (binômes financés)",
            "taux_charge": "Taux de charge",
        }
    ),
    "charge_associations",
    percent_columns=("Taux de charge",),
)
for finding in workload.imbalance(charge, data.associations) or ["Aucun déséquilibre notable."]:
    st.info(message(finding), icon=":material/balance:")

st.subheader("Jeunes en attente de mentor")
wait = mine(compute(workload.waiting_summary, view.filters, au))
st.plotly_chart(
    bars(
        list(wait["association"]),
        list(wait["en_attente"]),
        horizontal=True,
        text=[
            f"{number(n)} (médiane {number(m)} j)" if pd.notna(m) else number(n)
            for n, m in zip(wait["en_attente"], wait["attente_mediane_jours"], strict=True)
        ],
        color=PALETTE[3],
    ).update_xaxes(title="Jeunes en attente"),
    config={"displaylogo": False},
)
table(
    wait.rename(
        columns={
            "association": "Association",
            "en_attente": "Jeunes en attente",
            "attente_mediane_jours": "Attente médiane (jours)",
        }
    ),
    "attente_par_association",
)
with st.expander("Détail des jeunes en attente (attente la plus longue d'abord)"):
    table(
        compute(workload.waiting, view.filters, au).rename(
            columns={
                "association": "Association",
                "id_source": "Identifiant (association)",
                "commune_insee": "Commune (code INSEE)",
                "date_attribution": "Attribué le",
                "jours_attente": "Jours d'attente",
            }
        ),
        "jeunes_en_attente",
    )

st.subheader("Flux mensuel de jeunes attribués")
definition(workload.INFLOW_DEFINITION)
inflow = mine(compute(workload.monthly_inflow, view.filters, view.period))
inflow = inflow.assign(mois=inflow["mois"].map(short_month))
figure = go.Figure()
for i, (name, rows) in enumerate(inflow.groupby("association", sort=False)):
    figure.add_scatter(
        x=rows["mois"],
        y=rows["attributions"],
        name=name,
        mode="lines+markers",
        marker_symbol=["circle", "square", "diamond", "triangle-up", "x"][i % 5],
        line=dict(dash=["solid", "dash", "dot", "dashdot", "longdash"][i % 5]),
    )
st.plotly_chart(
    french(figure).update_yaxes(title="Jeunes attribués", rangemode="tozero"),
    config={"displaylogo": False},
)
wide = inflow.pivot_table(
    index="mois", columns="association", values="attributions", aggfunc="sum", sort=False
)
st.caption("Le premier et le dernier mois de la période peuvent être incomplets.")
table(
    wide.rename_axis(columns=None).reset_index().rename(columns={"mois": "Mois d'attribution"}),
    "flux_mensuel",
)

st.subheader("Délai pour trouver un mentor")
definition(workload.DELAY_DEFINITION)
delays = mine(compute(workload.median_days_to_mentor, view.filters, view.period))
st.plotly_chart(
    bars(
        list(delays["association"]),
        delays["delai_median_jours"].fillna(0).tolist(),
        horizontal=True,
        text=[
            f"{number(d)} j ({number(n)} jeunes)" if pd.notna(d) else "–"
            for d, n in zip(delays["delai_median_jours"], delays["mis_en_relation"], strict=True)
        ],
        color=PALETTE[2],
    ).update_xaxes(title="Jours médians de l'attribution à la mise en relation"),
    config={"displaylogo": False},
)
table(
    delays.rename(
        columns={
            "association": "Association",
            "mis_en_relation": "Jeunes mis en relation",
            "delai_median_jours": "Délai médian (jours)",
        }
    ),
    "delai_mentor",
)

if not viewer.sees_everything:  # the rest compares associations with one another
    st.stop()

st.subheader("Part du flux départemental")
definition(workload.SHARE_DEFINITION)
share = mine(compute(workload.flow_share, view.filters, view.period))
st.plotly_chart(
    bars(
        list(share["association"]),
        list(share["jeunes"]),
        horizontal=True,
        text=[
            f"{number(n)} ({percent(p)})"
            for n, p in zip(share["jeunes"], share["part"], strict=True)
        ],
        color=PALETTE[4],
    ).update_xaxes(title="Jeunes inscrits sur la période"),
    config={"displaylogo": False},
)
table(
    share.rename(columns={"association": "Association", "jeunes": "Jeunes", "part": "Part"}),
    "part_du_flux",
    percent_columns=("Part",),
)

st.subheader("Orienter une nouvelle fiche")
definition(dispatch.DEFINITION)
names = dict(zip(data.communes.get("insee", []), data.communes.get("nom", []), strict=True))
objectives, modalities = category_labels("objectifs"), category_labels("modalite")
with st.form("orientation"):
    commune = st.selectbox(
        "Commune du jeune",
        sorted(names, key=lambda code: (normalise_key(names[code]), code)),
        index=None,
        format_func=lambda code: f"{names[code]} ({code})",
        placeholder="Choisissez une commune",
        key="dispatch_commune",
    )
    wanted = st.multiselect(
        "Objectifs du jeune",
        list(objectives),
        format_func=objectives.get,
        placeholder="Aucun objectif précisé",
        key="dispatch_objectifs",
    )
    modality = st.selectbox(
        "Modalité souhaitée",
        [None, *modalities],
        format_func=lambda v: "Sans préférence" if v is None else modalities[v],
        key="dispatch_modalite",
    )
    st.form_submit_button("Classer les associations", icon=":material/sort:")
st.caption(
    "Classement calculé sur l'ensemble des parcours (places disponibles au "
    f"{day(au)}), quels que soient les filtres."
)
ranking = compute(dispatch.rank_associations, Filters(), au, commune, tuple(wanted), modality)
table(
    ranking.rename(
        columns={
            "rang": "Rang",
            "association": "Association",
            "score": "Score (sur 100)",
            "raisons": "Raisons",
        }
    ),
    "orientation_fiche",
)
st.markdown(
    "\n".join(
        f"{row.rang}. **{plain(row.association)}** ({number(row.score, 1)} / 100) : "
        f"{plain(row.raisons)}"
        for row in ranking.itertuples()
    )
)
