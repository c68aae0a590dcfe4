"""The import page's plumbing: one conversation per upload kept in the session (read once,
asked again as the user answers), the report shown before writing, the confirmation written
and audited."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from auth.roles import Identity
from dashboard.access import origin
from dashboard.data import data_version, engine, prewarm
from dashboard.markdown import message, plain
from domain.formatting import count, number
from domain.schema import KIND_LABELS, ORIGIN_LABELS, Kind
from domain.steps import STEP_LABELS
from pipelines.api import Conversation, FileReport, IngestError, Plan, Upload
from pipelines.api import uploads as grouped
from pipelines.preview import (
    layout_label,
    quarantine_preview,
    set_aside_text,
    unknown_communes,
)

CONVERSATIONS = "_importer_conversations"  # session state: sha256 -> Conversation
DONE = "_importer_done"  # session state: sha256 -> FileReport of an import made here
MAX_KEPT = 20


@dataclass
class Ready:
    """A file whose plan can be confirmed, with what the user chose for it."""

    conversation: Conversation
    plan: Plan
    keep_mapping: bool
    create_association: bool
    capacity: int | None


def uploads(files) -> list[Upload]:
    """The uploaded files, the Word fiches grouped into one batch; duplicates dropped."""
    return grouped((f.name, f.getvalue()) for f in files)


def conversation(
    upload: Upload, key: bytes, kind: Kind | None, association: str | None
) -> Conversation:
    """The conversation of these bytes in this session: the file is read once; what was
    understood and planned is asked again when the user changes the kind or the
    association, or when the data changed (another import, a saved mapping)."""
    kept = st.session_state.setdefault(CONVERSATIONS, {})
    if upload.sha256 not in kept:
        if len(kept) >= MAX_KEPT:
            kept.clear()
        kept[upload.sha256] = Conversation(engine(), upload, key, isolate=True)
    return kept[upload.sha256].about(kind, association, data_version())


def confirm(ready: Ready, viewer: Identity) -> bool:
    """Write the plan with its audit entry (one transaction); False (and the French message
    shown) when it could not be written."""
    try:
        report = ready.conversation.apply(
            ready.plan,
            viewer.actor(origin()),
            keep_mapping=ready.keep_mapping,
            create_association=ready.create_association,
            capacity=ready.capacity,
        )
    except IngestError as exc:
        st.error(message(exc.message))
        return False
    sha256 = ready.conversation.upload.sha256
    st.session_state.get(CONVERSATIONS, {}).pop(sha256, None)
    st.session_state.setdefault(DONE, {})[sha256] = report
    prewarm()
    return True


def done_message(name: str, report: FileReport) -> str:
    reached = [
        f"{STEP_LABELS[step]} : {number(n)}" for step, n in report.etapes_atteintes.items() if n
    ]
    text = (
        f"« {plain(name)} » importé : {count(report.nouveaux, 'nouveau', 'nouveaux')}, "
        f"{number(report.mis_a_jour)} mis à jour, {count(report.absents, 'absent')} du "
        f"dernier export, {count(report.lignes_en_quarantaine, 'ligne')} en quarantaine. "
    )
    if report.type != Kind.ASSOCIATIONS.value:
        text += (
            "Étapes nouvellement atteintes : " + " · ".join(reached) + ". "
            if reached
            else "Aucune étape nouvellement atteinte. "
        )
    if report.association_creee:
        text += f"Association « {plain(report.association)} » ajoutée au référentiel. "
    if report.profil_enregistre:
        text += (
            "La correspondance des colonnes est enregistrée : les prochains fichiers de même "
            "présentation seront reconnus sans correction. "
        )
    return text + "Les chiffres de toutes les pages sont mis à jour."


def _whose(plan: Plan) -> str:
    """The association the file is attached to, and how it is known; « – » for a kind
    without one (the CD fiches, the referential)."""
    if not plan.association:
        return "–"
    said = plan.association_said
    return f"{plan.association} ({said})" if said else plan.association


def show_plan(plan: Plan) -> None:
    """The report the user confirms: nothing has been written yet."""
    p = plan.prepared
    st.markdown(
        f"**Type de fichier** : {KIND_LABELS[plan.mapping.kind]} · "
        f"**Association** : {plain(_whose(plan))} · "
        f"**Présentation** : {plain(layout_label(plan))}"
    )
    if plan.data_date is not None:
        origin = ORIGIN_LABELS.get(plan.data_date_origin or "", "")
        st.caption(f"Données au {plan.data_date:%d/%m/%Y} ({origin}).")
    read, loaded, quarantined = st.columns(3)
    read.metric("Lignes lues", number(p.rows_read))
    loaded.metric("Lignes qui seront chargées", number(len(p.rows)))
    quarantined.metric("Lignes en quarantaine", number(p.quarantined_lines))
    aside = set_aside_text(plan)
    if aside:
        st.caption(plain(aside))
    communes = unknown_communes(plan)
    if len(communes):
        st.caption(
            "Communes introuvables dans le référentiel (lignes chargées, commune laissée "
            "vide) : "
            + ", ".join(f"« {plain(c)} » ({n})" for c, n in communes.itertuples(index=False))
        )
    if p.quarantined_lines:
        st.warning(
            "Ces lignes ne seront pas chargées (corrigez-les dans le fichier de l'association "
            "puis réimportez-le) :",
            icon=":material/report:",
        )
        st.dataframe(quarantine_preview(plan), hide_index=True, width="stretch")


def new_association(plan: Plan, widget_key: str, admin: bool) -> tuple[bool, int | None]:
    """An association not yet in the referential: an administrator adds it with its
    capacity (the number of binômes the convention funds). Returns (add it, capacity)."""
    if not (plan.new_association and plan.association and admin):
        return False, None
    st.markdown(
        f"**Nouvelle association** : « {plain(plan.association)} » n'est pas encore dans le "
        "référentiel des associations."
    )
    left, right = st.columns(2)
    capacity = left.number_input(
        "Capacité (binômes financés)",
        min_value=0,
        max_value=100_000,
        value=None,
        step=1,
        key=f"capacite_{widget_key}",
        help="Laisser vide si elle n'est pas encore connue.",
    )
    add = right.checkbox("L'ajouter au référentiel", value=True, key=f"ajouter_{widget_key}")
    return add, int(capacity) if capacity is not None else None
