"""Importer: drop the associations' exports, see what will be loaded, then confirm.

Nothing is written before "Confirmer l'import"; the figures of every page follow the new
data version by themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from auth.roles import Identity, Role
from dashboard import mapping_editor
from dashboard.access import origin, require
from dashboard.data import data_version, dataset, engine, prewarm
from indicators.formatting import number
from indicators.steps import STEP_LABELS
from pipelines.audit_entries import record_import
from pipelines.docx_fiches import fiches_to_table
from pipelines.errors import IngestError
from pipelines.extract import RawTable
from pipelines.ingest import (
    FileReport,
    Plan,
    already_imported,
    apply_plan,
    initial_mapping,
    paris_time,
    plan_raw,
    read_upload,
    sha256_of,
)
from pipelines.mapping import with_fixes
from pipelines.preview import (
    batch_name,
    batch_sha256,
    layout_label,
    mapping_preview,
    quarantine_preview,
)
from pipelines.pseudonyms import load_key
from pipelines.schema import KIND_LABELS, Kind
from store import audit

AUTO = "Détecter automatiquement"
IMPORTERS = (Role.ADMIN, Role.ASSOCIATION)
PLANS = "_importer_plans"  # session state: (sha256, kind, association, fixes, version) -> Plan
TABLES = "_importer_tables"  # session state: sha256 -> RawTable (read once per upload)
DONE = "_importer_done"  # session state: sha256 -> FileReport of an import made here
MAX_PLANS_KEPT = 20


@dataclass
class Upload:
    name: str
    sha256: str
    parts: list[tuple[str, bytes]]  # one file, or the Word fiches of the batch
    docx: bool


def uploads(files) -> list[Upload]:
    """The uploaded files, the Word fiches grouped into one batch; duplicates dropped."""
    out: list[Upload] = []
    fiches = [(f.name, f.getvalue()) for f in files if f.name.lower().endswith(".docx")]
    for f in files:
        if not f.name.lower().endswith(".docx"):
            data = f.getvalue()
            out.append(Upload(f.name, sha256_of(data), [(f.name, data)], docx=False))
    if fiches:
        sha = batch_sha256([data for _, data in fiches])
        out.append(Upload(batch_name([n for n, _ in fiches]), sha, fiches, docx=True))
    seen: set[str] = set()
    return [u for u in out if not (u.sha256 in seen or seen.add(u.sha256))]


def table_of(upload: Upload) -> RawTable:
    """The table of these bytes, read once per session (IngestError when unreadable)."""
    tables = st.session_state.setdefault(TABLES, {})
    if upload.sha256 not in tables:
        if len(tables) >= MAX_PLANS_KEPT:
            tables.clear()
        if upload.docx:
            tables[upload.sha256] = fiches_to_table(upload.parts)
        else:
            name, data = upload.parts[0]
            tables[upload.sha256] = read_upload(engine(), data, name)
    return tables[upload.sha256]


def planned(
    upload: Upload,
    key: bytes,
    kind: Kind | None,
    association: str | None,
    fixes: dict[int, str],
) -> Plan:
    """The plan of these bytes with the user's corrections, kept in the session."""
    plans = st.session_state.setdefault(PLANS, {})
    cache_key = (upload.sha256, kind, association, tuple(sorted(fixes.items())), data_version())
    if cache_key not in plans:
        if len(plans) >= MAX_PLANS_KEPT:
            plans.clear()
        raw = table_of(upload)
        mapping = with_fixes(initial_mapping(engine(), raw, kind, association), raw.header, fixes)
        plan = plan_raw(
            engine(), raw, upload.name, upload.sha256, key, kind, association, mapping=mapping
        )
        plan.fixes = dict(fixes)
        plans[cache_key] = plan
    return plans[cache_key]


def forget(sha256: str) -> None:
    plans = st.session_state.get(PLANS, {})
    for cache_key in [k for k in plans if k[0] == sha256]:
        del plans[cache_key]
    st.session_state.get(TABLES, {}).pop(sha256, None)


def confirm(upload: Upload, plan: Plan, viewer: Identity, keep_mapping: bool) -> bool:
    """Write the plan, and say so in the audit log; False (and the French message shown)
    when it could not be written."""
    try:
        report = apply_plan(engine(), plan, viewer.identifiant, keep_mapping=keep_mapping)
    except IngestError as exc:
        st.error(exc.message)
        return False
    actor = viewer.actor(origin())
    record_import(engine(), actor, report, upload.sha256)
    if report.profil_enregistre:
        audit.record(
            engine(), actor, "correspondance", f"{report.profil_enregistre} ({report.fichier})"
        )
    forget(upload.sha256)
    st.session_state.setdefault(DONE, {})[upload.sha256] = report
    prewarm()
    return True


def done_message(name: str, report: FileReport) -> str:
    reached = [
        f"{STEP_LABELS[step]} : {number(n)}" for step, n in report.etapes_atteintes.items() if n
    ]
    message = (
        f"« {name} » importé : {number(report.nouveaux)} nouveaux, "
        f"{number(report.mis_a_jour)} mis à jour, {number(report.absents)} absents du "
        f"dernier export, {number(report.lignes_en_quarantaine)} ligne(s) en quarantaine. "
    )
    if report.type != Kind.ASSOCIATIONS.value:
        message += (
            "Étapes nouvellement atteintes : " + " · ".join(reached) + ". "
            if reached
            else "Aucune étape nouvellement atteinte. "
        )
    if report.profil_enregistre:
        message += (
            "La correspondance des colonnes est enregistrée : les prochains fichiers de même "
            "présentation seront reconnus sans correction. "
        )
    return message + "Les chiffres de toutes les pages sont mis à jour."


def show_plan(plan: Plan) -> None:
    """The report the user confirms: nothing has been written yet."""
    p = plan.prepared
    st.markdown(
        f"**Type de fichier** : {KIND_LABELS[plan.mapping.kind]} · "
        f"**Association** : {plan.association or '–'} · "
        f"**Présentation** : {layout_label(plan)}"
    )
    read, loaded, quarantined = st.columns(3)
    read.metric("Lignes lues", number(p.rows_read))
    loaded.metric("Lignes qui seront chargées", number(len(p.rows)))
    quarantined.metric("Lignes en quarantaine", number(p.quarantined_lines))
    with st.expander("Correspondance des colonnes"):
        st.dataframe(mapping_preview(plan), hide_index=True, width="stretch")
    if p.quarantined_lines:
        st.warning(
            "Ces lignes ne seront pas chargées (corrigez-les dans le fichier de l'association "
            "puis réimportez-le) :",
            icon=":material/report:",
        )
        st.dataframe(quarantine_preview(plan), hide_index=True, width="stretch")


viewer = require("Importer", IMPORTERS)
own = viewer.role is Role.ASSOCIATION
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
    st.error(exc.message)
    st.stop()

if own:  # an association uploads its own exports, nothing else
    kind, association = Kind.ASSOCIATION, viewer.association
else:
    kinds = {AUTO: None} | {KIND_LABELS[k].capitalize(): k for k in Kind}
    left, right = st.columns(2)
    kind = kinds[left.selectbox("Type de fichier", list(kinds), key="importer_type")]
    known = dataset().associations
    names = sorted(known["nom"].dropna().astype(str)) if "nom" in known else []
    if names:
        chosen = right.selectbox("Association", [AUTO, *names], key="importer_association")
        association = None if chosen == AUTO else chosen
    else:
        typed = right.text_input(
            "Association", key="importer_association", help="Laisser vide pour la détecter."
        )
        association = " ".join(typed.split()) or None

files = st.file_uploader(
    "Fichiers à importer",
    type=["xlsx", "xls", "ods", "csv"] if own else ["xlsx", "xls", "ods", "csv", "docx"],
    accept_multiple_files=True,
    key="importer_fichiers",
)
ready: list[tuple[Upload, Plan, bool]] = []
for upload in uploads(files or []):
    st.subheader(upload.name)
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
        st.error(exc.message)
        continue
    notice = st.empty()
    fixes = mapping_editor.fixes(f"colonne_{upload.sha256[:16]}", raw.header, understood)
    try:
        if mapping_editor.warn_missing(notice, with_fixes(understood, raw.header, fixes)):
            continue
        plan = planned(upload, secret, kind, association, fixes)
    except IngestError as exc:
        st.error(exc.message)
        continue
    show_plan(plan)
    if fixes and own:
        st.caption(
            "Cette correspondance vaut pour ce fichier : pour qu'elle soit retenue les mois "
            "suivants, demandez au chargé(e) de projet de l'enregistrer."
        )
    keep = (
        bool(fixes)
        and not own
        and st.checkbox(
            f"Enregistrer cette correspondance pour les prochains fichiers "
            f"{'de ' + plan.association if plan.association else 'de ce type'}",
            value=True,
            key=f"garder_{upload.sha256}",
        )
    )
    clicked = st.button("Confirmer l'import", key=f"confirmer_{upload.sha256}", type="primary")
    if clicked and confirm(upload, plan, viewer, keep):
        st.rerun()
    ready.append((upload, plan, keep))

if len(ready) > 1:
    st.divider()
    clicked = st.button("Confirmer l'import de tous les fichiers valides", key="confirmer_tout")
    if clicked and all([confirm(upload, plan, viewer, keep) for upload, plan, keep in ready]):
        st.rerun()
