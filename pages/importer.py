"""Importer: drop the associations' exports, answer what the app could not tell, see what
will be loaded, then confirm.

Nothing is written before "Confirmer l'import"; the figures of every page follow the new
data version by themselves.
"""

from __future__ import annotations

import streamlit as st

from auth.roles import Right
from dashboard import mapping_editor
from dashboard.access import require
from dashboard.data import dataset, engine
from dashboard.importing import (
    DONE,
    Plan,
    Upload,
    confirm,
    done_message,
    new_association,
    planned,
    show_plan,
    table_of,
    uploads,
)
from dashboard.markdown import message, plain
from domain.formatting import paris_time
from domain.schema import KIND_LABELS, Kind
from pipelines.errors import IngestError
from pipelines.ingest import already_imported, initial_mapping
from pipelines.mapping import with_fixes
from pipelines.preview import unknown_labels
from pipelines.pseudonyms import load_key

AUTO = "Détecter automatiquement"
NEW = "Nouvelle association…"
viewer = require("importer")
own = not viewer.may(Right.IMPORT_ANY_FILE)  # an association: its own exports only
st.markdown(
    (
        f"Déposez les exports de **{viewer.association}** (Excel, OpenDocument ou CSV). "
        if own
        else "Déposez les exports des associations (Excel, OpenDocument ou CSV), le suivi "
        "honorabilité, le référentiel des associations ou les fiches candidature du "
        "département (Word, plusieurs à la fois). "
    )
    + "Le rapport de contrôle s'affiche **avant** tout enregistrement : rien n'est écrit tant "
    "que vous n'avez pas cliqué sur « Confirmer l'import »."
)

try:
    secret = load_key()
except IngestError as exc:
    st.error(message(exc.message))
    st.stop()

if own:  # an association uploads its own exports, nothing else
    kind, association = Kind.ASSOCIATION, viewer.association
else:
    kinds = {AUTO: None} | {KIND_LABELS[k].capitalize(): k for k in Kind}
    left, right = st.columns(2)
    kind = kinds[left.selectbox("Type de fichier", list(kinds), key="importer_type")]
    known = dataset().associations
    names = sorted(known["nom"].dropna().astype(str)) if "nom" in known else []
    chosen = (
        right.selectbox("Association", [AUTO, *names, NEW], key="importer_association")
        if names
        else NEW
    )
    if chosen == NEW:
        typed = right.text_input(
            "Nouvelle association" if names else "Association",
            key="importer_nouvelle",
            help="Son nom tel qu'il doit apparaître dans le tableau de bord ; laisser vide pour "
            "la détecter d'après le fichier.",
        )
        association = " ".join(typed.split()) or None
    else:
        association = None if chosen == AUTO else chosen

files = st.file_uploader(
    "Fichiers à importer",
    type=["xlsx", "xls", "ods", "csv"] if own else ["xlsx", "xls", "ods", "csv", "docx"],
    accept_multiple_files=True,
    key="importer_fichiers",
)
ready: list[tuple[Upload, Plan, bool, bool]] = []
for upload in uploads(files or []):
    st.subheader(plain(upload.name))
    report = st.session_state.get(DONE, {}).get(upload.sha256)
    if report is not None:
        st.success(done_message(upload.name, report), icon=":material/check_circle:")
    previous = already_imported(engine(), upload.sha256)
    if previous is not None:
        st.info(
            f"Fichier identique déjà importé le {paris_time(previous.importe_le)} "
            f"(import n° {previous.id}) : rien à confirmer.",
            icon=":material/inventory:",
        )
        continue
    try:
        raw = table_of(upload)
        understood = initial_mapping(engine(), raw, kind, association)
    except IngestError as exc:
        st.error(message(exc.message))
        continue
    widget = f"colonne_{upload.sha256[:16]}"
    answers = mapping_editor.questions(widget, raw.header, understood)
    if answers is None:
        continue  # the questions first: nothing can be planned yet
    notice = st.empty()
    fixes = answers | mapping_editor.corrections(
        widget, raw.header, with_fixes(understood, raw.header, answers), raw.frame, set(answers)
    )
    try:
        if mapping_editor.warn_missing(notice, with_fixes(understood, raw.header, fixes)):
            continue
        plan = planned(upload, secret, kind, association, fixes)
        values = mapping_editor.value_answers(widget, unknown_labels(plan))
        if values:
            plan = planned(upload, secret, kind, association, fixes, values)
    except IngestError as exc:
        st.error(message(exc.message))
        continue
    show_plan(plan)
    create = new_association(plan, upload.sha256[:16], viewer.may(Right.ADD_ASSOCIATION))
    answered = bool(fixes or plan.value_answers)
    if answered and not viewer.may(Right.SAVE_MAPPING):
        st.caption(
            "Cette correspondance vaut pour ce fichier : pour qu'elle soit retenue les mois "
            "suivants, demandez au chargé(e) de projet de l'enregistrer."
        )
    keep = (
        answered
        and viewer.may(Right.SAVE_MAPPING)
        and st.checkbox(
            f"Enregistrer cette correspondance pour les prochains fichiers "
            f"{'de ' + plain(plan.association) if plan.association else 'de ce type'}",
            value=True,
            key=f"garder_{upload.sha256}",
        )
    )
    clicked = st.button("Confirmer l'import", key=f"confirmer_{upload.sha256}", type="primary")
    if clicked and confirm(upload, plan, viewer, keep, create):
        st.rerun()
    ready.append((upload, plan, keep, create))

if len(ready) > 1:
    st.divider()
    clicked = st.button("Confirmer l'import de tous les fichiers valides", key="confirmer_tout")
    if clicked and all([confirm(u, p, viewer, k, c) for u, p, k, c in ready]):
        st.rerun()
