"""The Importer page's steps for each upload: what kind of file and whose, then for each
file the questions, the corrections, the report before writing and the confirmation."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from auth.roles import Identity, Right
from dashboard import mapping_editor
from dashboard.data import dataset
from dashboard.importing import (
    DONE,
    Ready,
    Upload,
    confirm,
    conversation,
    done_message,
    new_association,
    show_plan,
)
from dashboard.markdown import message, plain
from domain.formatting import paris_time
from domain.schema import KIND_LABELS, Kind
from pipelines.api import Answers, IngestError, load_key
from pipelines.preview import unknown_labels

AUTO = "Détecter automatiquement"
NEW = "Nouvelle association…"


def pseudonym_key() -> bytes:
    """The pseudonymisation key, or a French message and the page stops."""
    try:
        return load_key()
    except IngestError as exc:
        st.error(message(exc.message))
        st.stop()


def source_choice(viewer: Identity) -> tuple[Kind | None, str | None]:
    """The kind of file and its association: fixed for an association's own exports,
    chosen (or left to detection) by an administrator."""
    if not viewer.may(Right.IMPORT_ANY_FILE):
        return Kind.ASSOCIATION, viewer.association
    # First letter up, the rest as written (« Fiches candidature du CD », never « du cd »).
    kinds = {AUTO: None} | {KIND_LABELS[k][:1].upper() + KIND_LABELS[k][1:]: k for k in Kind}
    left, right = st.columns(2)
    kind = kinds[left.selectbox("Type de fichier", list(kinds), key="importer_type")]
    known = dataset().associations
    names = sorted(known["nom"].dropna().astype(str)) if "nom" in known else []
    chosen = (
        right.selectbox("Association", [AUTO, *names, NEW], key="importer_association")
        if names
        else NEW
    )
    if chosen != NEW:
        return kind, None if chosen == AUTO else chosen
    typed = right.text_input(
        "Nouvelle association" if names else "Association",
        key="importer_nouvelle",
        help="Son nom tel qu'il doit apparaître dans le tableau de bord ; laisser vide pour "
        "la détecter d'après le fichier.",
    )
    return kind, " ".join(typed.split()) or None


def review(
    upload: Upload, secret: bytes, kind: Kind | None, association: str | None, viewer: Identity
) -> Ready | None:
    """One uploaded file: its questions, corrections and report, and its own « Confirmer
    l'import » button. Returns what can be confirmed when the file is ready to load, None
    while something is missing or wrong (said on the page)."""
    st.subheader(plain(upload.name))
    report = st.session_state.get(DONE, {}).get(upload.sha256)
    if report is not None:
        st.success(done_message(upload.name, report), icon=":material/check_circle:")
    talk = conversation(upload, secret, kind, association)
    previous = talk.previous()
    if previous is not None:
        st.info(
            f"Fichier identique déjà importé le {paris_time(previous.importe_le)} "
            f"(import n° {previous.id}) : rien à confirmer.",
            icon=":material/inventory:",
        )
        return None
    widget = f"colonne_{upload.sha256[:16]}"
    try:
        sheets = mapping_editor.sheets(widget, talk.shaped())
        if sheets is None:
            return None  # the workbook's sheets first
        steps = mapping_editor.steps(widget, talk.shaped(Answers(sheets=sheets)))
        if steps is None:
            return None  # then the event log's steps
        shaping = Answers(steps=steps, sheets=sheets, source="page")
        understood = talk.understand(shaping)
        table = talk.shaped(shaping).table
    except IngestError as exc:
        st.error(message(exc.message))
        return None
    header = table.header
    asked = mapping_editor.questions(widget, header, understood)
    if asked is None:
        return None  # the questions first: nothing can be planned yet
    notice = st.empty()
    try:
        answered = talk.mapping(replace(shaping, positions=asked))
        fixes = asked | mapping_editor.corrections(
            widget, header, answered, table.frame, set(asked), table.hidden
        )
        answers = replace(shaping, positions=fixes)
        if mapping_editor.warn_missing(notice, talk.mapping(answers)):
            return None
        plan = talk.plan(answers)
        values = mapping_editor.value_answers(widget, unknown_labels(plan))
        if values:
            plan = talk.plan(answers.with_values(values))
    except IngestError as exc:
        st.error(message(exc.message))
        return None
    show_plan(plan)
    create, capacity = new_association(plan, upload.sha256[:16], viewer.may(Right.ADD_ASSOCIATION))
    may_save = viewer.may(Right.SAVE_MAPPING)
    if plan.answered and not may_save:
        st.caption(
            "Cette correspondance vaut pour ce fichier : pour qu'elle soit retenue les mois "
            "suivants, demandez au chargé(e) de projet de l'enregistrer."
        )
    keep = (
        plan.answered
        and may_save
        and st.checkbox(
            f"Enregistrer cette correspondance pour les prochains fichiers "
            f"{'de ' + plain(plan.association) if plan.association else 'de ce type'}",
            value=True,
            key=f"garder_{upload.sha256}",
        )
    )
    ready = Ready(talk, plan, keep, create, capacity)
    clicked = st.button("Confirmer l'import", key=f"confirmer_{upload.sha256}", type="primary")
    if clicked and confirm(ready, viewer):
        st.rerun()
    return ready
