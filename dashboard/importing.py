"""The import page's plumbing: uploads read once per session, plans cached with the user's
answers, the report shown before writing, the confirmation written and audited."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from auth.roles import Identity
from dashboard.access import origin
from dashboard.data import data_version, engine, prewarm
from dashboard.markdown import message, plain
from domain.formatting import count, number
from domain.schema import KIND_LABELS, Kind
from domain.steps import STEP_LABELS
from pipelines.answers import Answers, apply_answers
from pipelines.data_date import ORIGIN_LABELS
from pipelines.docx_fiches import fiches_to_table
from pipelines.errors import IngestError
from pipelines.extract import RawTable
from pipelines.ingest import (
    FileReport,
    Plan,
    apply_plan,
    initial_mapping,
    plan_raw,
    read_upload,
    sha256_of,
)
from pipelines.mapping import with_fixes
from pipelines.preview import (
    batch_name,
    batch_sha256,
    layout_label,
    quarantine_preview,
    unknown_communes,
)

PLANS = "_importer_plans"  # session state: (sha256, kind, association, answers, version) -> Plan
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
            tables[upload.sha256] = read_upload(engine(), data, name, isolate=True)
    return tables[upload.sha256]


def planned(
    upload: Upload,
    key: bytes,
    kind: Kind | None,
    association: str | None,
    fixes: dict[int, str],
    values: dict[str, dict[str, str]] | None = None,
) -> Plan:
    """The plan of these bytes with the user's answers (columns and labels), kept in the
    session."""
    values = values or {}
    plans = st.session_state.setdefault(PLANS, {})
    frozen = tuple(sorted((t, tuple(sorted(v.items()))) for t, v in values.items()))
    cache_key = (upload.sha256, kind, association, tuple(sorted(fixes.items())), frozen)
    cache_key += (data_version(),)
    if cache_key not in plans:
        if len(plans) >= MAX_PLANS_KEPT:
            plans.clear()
        raw = table_of(upload)
        mapping = with_fixes(initial_mapping(engine(), raw, kind, association), raw.header, fixes)
        if values:
            mapping = apply_answers(mapping, raw.header, Answers(values=values, source="page"))
        plan = plan_raw(
            engine(), raw, upload.name, upload.sha256, key, kind, association, mapping=mapping
        )
        plan.fixes = dict(fixes)
        plan.value_answers = values
        plans[cache_key] = plan
    return plans[cache_key]


def forget(sha256: str) -> None:
    plans = st.session_state.get(PLANS, {})
    for cache_key in [k for k in plans if k[0] == sha256]:
        del plans[cache_key]
    st.session_state.get(TABLES, {}).pop(sha256, None)


def confirm(
    upload: Upload, plan: Plan, viewer: Identity, keep_mapping: bool, create: bool = False
) -> bool:
    """Write the plan with its audit entry (one transaction); False (and the French message
    shown) when it could not be written."""
    try:
        report = apply_plan(
            engine(),
            plan,
            viewer.identifiant,
            keep_mapping=keep_mapping,
            create_association=create,
            actor=viewer.actor(origin()),
        )
    except IngestError as exc:
        st.error(message(exc.message))
        return False
    forget(upload.sha256)
    st.session_state.setdefault(DONE, {})[upload.sha256] = report
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


def show_plan(plan: Plan) -> None:
    """The report the user confirms: nothing has been written yet."""
    p = plan.prepared
    st.markdown(
        f"**Type de fichier** : {KIND_LABELS[plan.mapping.kind]} · "
        f"**Association** : {plain(plan.association or '–')} · "
        f"**Présentation** : {plain(layout_label(plan))}"
    )
    if plan.data_date is not None:
        origin = ORIGIN_LABELS.get(plan.data_date_origin or "", "")
        st.caption(f"Données au {plan.data_date:%d/%m/%Y} ({origin}).")
    read, loaded, quarantined = st.columns(3)
    read.metric("Lignes lues", number(p.rows_read))
    loaded.metric("Lignes qui seront chargées", number(len(p.rows)))
    quarantined.metric("Lignes en quarantaine", number(p.quarantined_lines))
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


def new_association(plan: Plan, widget_key: str, admin: bool) -> bool:
    """An association not yet in the referential: an administrator adds it with its
    capacity (the number of binômes the convention funds)."""
    if not (plan.new_association and plan.association and admin):
        return False
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
    plan.capacity = int(capacity) if capacity is not None else None
    return right.checkbox("L'ajouter au référentiel", value=True, key=f"ajouter_{widget_key}")
