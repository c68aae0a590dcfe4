"""Importer: drop the associations' exports, see what will be loaded, then confirm.

Nothing is written before "Confirmer l'import"; the figures of every page follow the new
data version by themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from dashboard.data import data_version, dataset, engine
from indicators.formatting import number
from pipelines.docx_fiches import fiches_to_table
from pipelines.errors import IngestError
from pipelines.ingest import (
    FileReport,
    Plan,
    already_imported,
    apply_plan,
    paris_time,
    plan_import,
    plan_raw,
    sha256_of,
)
from pipelines.preview import (
    batch_name,
    batch_sha256,
    layout_label,
    mapping_preview,
    quarantine_preview,
)
from pipelines.pseudonyms import load_key
from pipelines.schema import KIND_LABELS, Kind

AUTO = "Détecter automatiquement"
DEFAULT_USER = "chargé(e) de projet"
PLANS = "_importer_plans"  # session state: (sha256, kind, association, version) -> Plan
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


def planned(upload: Upload, key: bytes, kind: Kind | None, association: str | None) -> Plan:
    """The plan of these bytes, kept in the session (analysed once, not at each rerun)."""
    plans = st.session_state.setdefault(PLANS, {})
    cache_key = (upload.sha256, kind, association, data_version())
    if cache_key not in plans:
        if len(plans) >= MAX_PLANS_KEPT:
            plans.clear()
        if upload.docx:
            raw = fiches_to_table(upload.parts)
            plan = plan_raw(engine(), raw, upload.name, upload.sha256, key, kind, association)
        else:
            name, data = upload.parts[0]
            plan = plan_import(engine(), data, name, key, kind=kind, association=association)
        plans[cache_key] = plan
    return plans[cache_key]


def forget(sha256: str) -> None:
    plans = st.session_state.get(PLANS, {})
    for cache_key in [k for k in plans if k[0] == sha256]:
        del plans[cache_key]


def confirm(upload: Upload, plan: Plan, user: str) -> bool:
    """Write the plan; False (and the French message shown) when it could not be."""
    try:
        report = apply_plan(engine(), plan, user)
    except IngestError as exc:
        st.error(exc.message)
        return False
    forget(upload.sha256)
    st.session_state.setdefault(DONE, {})[upload.sha256] = report
    return True


def done_message(name: str, report: FileReport) -> str:
    return (
        f"« {name} » importé : {number(report.nouveaux)} nouveaux, "
        f"{number(report.mis_a_jour)} mis à jour, {number(report.absents)} absents du "
        f"dernier export, {number(report.lignes_en_quarantaine)} ligne(s) en quarantaine. "
        "Les chiffres de toutes les pages sont mis à jour."
    )


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


st.title("Importer")
st.markdown(
    "Déposez les exports des associations (Excel, OpenDocument ou CSV), le suivi "
    "honorabilité, le référentiel des associations ou les fiches candidature du département "
    "(Word, plusieurs à la fois). Le rapport de contrôle s'affiche **avant** tout "
    "enregistrement : rien n'est écrit tant que vous n'avez pas cliqué sur "
    "« Confirmer l'import »."
)

try:
    secret = load_key()
except IngestError as exc:
    st.error(exc.message)
    st.stop()

kinds = {AUTO: None} | {KIND_LABELS[k].capitalize(): k for k in Kind}
left, right, third = st.columns(3)
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
if "importer_utilisateur" not in st.session_state:
    st.session_state["importer_utilisateur"] = DEFAULT_USER
user = third.text_input("Importé par", key="importer_utilisateur").strip() or DEFAULT_USER

files = st.file_uploader(
    "Fichiers à importer",
    type=["xlsx", "xls", "ods", "csv", "docx"],
    accept_multiple_files=True,
    key="importer_fichiers",
)
ready: list[tuple[Upload, Plan]] = []
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
        plan = planned(upload, secret, kind, association)
    except IngestError as exc:
        st.error(exc.message)
        continue
    show_plan(plan)
    clicked = st.button("Confirmer l'import", key=f"confirmer_{upload.sha256}", type="primary")
    if clicked and confirm(upload, plan, user):
        st.rerun()
    ready.append((upload, plan))

if len(ready) > 1:
    st.divider()
    clicked = st.button("Confirmer l'import de tous les fichiers valides", key="confirmer_tout")
    if clicked and all([confirm(upload, plan, user) for upload, plan in ready]):
        st.rerun()
