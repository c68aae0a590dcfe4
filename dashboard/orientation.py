"""The « Orienter une nouvelle fiche » form of the Associations page: a commune, objectives
and a modality, then the referential's associations ranked by `indicators.dispatch`."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from dashboard.data import compute
from dashboard.sections import data_table, section
from domain.formatting import day
from domain.text import normalise_key
from domain.values import category_labels
from indicators import dispatch
from indicators.dataset import Dataset, Filters


def orientation(data: Dataset, au: dt.date) -> None:
    section("Orienter une nouvelle fiche", dispatch.DEFINITION)
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
    if commune is None:  # nothing to rank on yet: no ranking of tied associations
        st.info(
            "Choisissez la commune du jeune (et, s'il y a lieu, ses objectifs et la modalité "
            "souhaitée), puis « Classer les associations ».",
            icon=":material/touch_app:",
        )
        return
    st.caption(
        "Classement calculé sur l'ensemble des parcours (places disponibles au "
        f"{day(au)}), quels que soient les filtres."
    )
    ranking = compute(dispatch.rank_associations, Filters(), au, commune, tuple(wanted), modality)
    data_table(ranking, "orientation_fiche")
