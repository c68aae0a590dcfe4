"""The Importer page's steps for each upload: what kind of file and whose (each file its
own, read from the file or chosen on its line), then its questions, corrections, the
report before writing and the confirmation."""

from __future__ import annotations

from dataclasses import dataclass, replace

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
from domain.formatting import of_name, paris_time
from domain.schema import KIND_LABELS, Kind
from domain.text import normalise_key, one_line
from pipelines.api import NO_ANSWERS, Answers, IngestError, NeedsAssociation, Plan, load_key
from pipelines.preview import unknown_labels

KIND_KEY = "type_{}"  # widget keys of one file's kind and association (sha256 prefix)
ASSOCIATION_KEY = "association_{}"
ASSOCIATION_PENDING = "association à choisir"
NO_ASSOCIATION = {
    Kind.FICHE_CD: "aucune pour le fichier : chaque fiche nomme la sienne, s'il y en a une",
    Kind.ASSOCIATIONS: "aucune : le référentiel les liste toutes",
    Kind.HONORABILITE: "celle de chaque ligne (colonne « Association » du fichier)",
}


@dataclass
class Outcome:
    """What became of one file of the batch: ready to confirm, waiting for an answer (said
    in `pending`, French), or neither (refused, already imported: said on the page)."""

    ready: Ready | None = None
    pending: str | None = None


def pseudonym_key() -> bytes:
    """The pseudonymisation key, or a French message and the page stops."""
    try:
        return load_key()
    except IngestError as exc:
        st.error(message(exc.message))
        st.stop()


def kind_label(kind: Kind) -> str:
    """« Fiches candidature du CD »: first letter up, the rest as written (never « du cd »)."""
    text = KIND_LABELS[kind]
    return text[:1].upper() + text[1:]


def _known_names() -> list[str]:
    known = dataset().associations
    return sorted(known["nom"].dropna().astype(str)) if "nom" in known else []


def _said(widget: str) -> tuple[Kind | None, str | None]:
    """What the user chose for this file on the previous run (None: what the file says)."""
    kind = st.session_state.get(KIND_KEY.format(widget))
    association = st.session_state.get(ASSOCIATION_KEY.format(widget))
    return kind, " ".join(association.split()) if isinstance(association, str) else None


def _kind_choice(widget: str, detected: Kind | None) -> None:
    """The file's kind: what was recognised, in the placeholder; choosing one corrects it."""
    st.selectbox(
        "Type de fichier",
        list(Kind),
        index=None,
        format_func=kind_label,
        placeholder=f"{kind_label(detected)} (reconnu)" if detected else "À choisir…",
        key=KIND_KEY.format(widget),
    )


def _association_choice(widget: str, placeholder: str, label: str = "Association") -> None:
    """The file's association: what the file says, in the placeholder; choosing one of the
    list or typing a new name corrects it (a new name is added to the referential on
    confirmation, with its capacity)."""
    names = _known_names()
    typed = st.session_state.get(ASSOCIATION_KEY.format(widget))
    if isinstance(typed, str) and typed not in names:
        names = sorted([*names, typed])  # a name typed stays in the list, chosen
    st.selectbox(
        label,
        names,
        index=None,
        format_func=one_line,  # a typed name as it will be stored: no control character
        placeholder=placeholder,
        accept_new_options=True,
        key=ASSOCIATION_KEY.format(widget),
        help="Choisissez l'association dans la liste, ou tapez son nom pour en ajouter une "
        "nouvelle au référentiel.",
    )


def _refused_as_other(plan: Plan, viewer: Identity, known: frozenset[str]) -> bool:
    """An association's user may import its own exports only: a file that names another
    known association (`known`: normalised names) is refused, said on the page."""
    other = plan.names_another(viewer.association or "")
    if other is None or normalise_key(other.name) not in known:
        return False
    st.error(
        f"Ce fichier semble être celui {of_name(plain(other.name))} ({other.said} la "
        f"nomme) : vous ne pouvez importer que les exports {of_name(plain(viewer.association))}. "
        "S'il s'agit bien de votre export, corrigez ce nom dans le fichier puis déposez-le à "
        "nouveau.",
        icon=":material/block:",
    )
    return True


def _association_line(
    place, widget: str, kind: Kind, plan: Plan | None, own: bool, asked: bool
) -> None:
    """Beside the file's kind: its association, how it is known, and (an administrator) the
    list to correct it or to type a new one; a warning when the file names another one."""
    if kind == Kind.ASSOCIATION:
        if own:
            place.markdown(f"**Association** : {plain(plan.association if plan else '')}")
            return
        if asked:
            placeholder = "À choisir, ou tapez son nom…"
        elif plan is None:
            placeholder = "Lue dans le fichier, ou à choisir…"
        else:
            # Escaped like any text from a file (a placeholder may be read as Markdown).
            placeholder = f"{plain(plan.association or '')} ({plan.association_said})"
        with place:
            _association_choice(widget, placeholder)
        other = plan.names_another(plan.association or "") if plan and plan.association else None
        if other is not None:
            place.warning(
                f"{other.said[:1].upper()}{other.said[1:]} nomme « {plain(other.name)} » : "
                "vérifiez l'association choisie.",
                icon=":material/warning:",
            )
    elif kind == Kind.HONORABILITE and not (
        plan and "association" in plan.mapping.field_positions()
    ):
        if not own:
            with place:
                _association_choice(
                    widget,
                    "Aucune : les demandes sans association iront en quarantaine",
                    label="Association des demandes (si le fichier ne la donne pas)",
                )
    else:
        place.markdown(f"**Association** : {NO_ASSOCIATION[kind]}")


def review(upload: Upload, secret: bytes, viewer: Identity, batch: dict) -> Outcome:
    """One uploaded file: its kind and association (each file its own, read from the file
    or chosen on its line), its questions, corrections and report, and its own « Confirmer
    l'import » button. `batch` holds what was answered for the files above it in this run
    (a label is asked once per batch)."""
    st.subheader(plain(upload.name))
    report = st.session_state.get(DONE, {}).get(upload.sha256)
    if report is not None:
        st.success(done_message(upload.name, report), icon=":material/check_circle:")
    widget = upload.sha256[:16]
    own = not viewer.may(Right.IMPORT_ANY_FILE)  # an association: its own exports only
    kind, association = (Kind.ASSOCIATION, viewer.association) if own else _said(widget)
    talk = conversation(upload, secret, kind, association)
    previous = talk.previous()
    if previous is not None:
        theirs = own and previous.association != viewer.association
        st.info(
            # Another association's import is not this user's to know of: no date, no number.
            "Fichier identique déjà importé : rien à confirmer."
            if theirs
            else f"Fichier identique déjà importé le {paris_time(previous.importe_le)} "
            f"(import n° {previous.id}) : rien à confirmer.",
            icon=":material/inventory:",
        )
        return Outcome()
    left, right = st.columns(2)
    try:
        understood = talk.understand(NO_ANSWERS)
    except IngestError as exc:
        st.error(message(exc.message))
        return Outcome()
    if own:
        left.markdown(f"**Type de fichier** : {kind_label(Kind.ASSOCIATION)}")
    else:
        with left:
            _kind_choice(widget, understood.kind)
    outcome, plan = _planned(talk, f"colonne_{widget}", batch)
    asked = outcome.pending == ASSOCIATION_PENDING
    _association_line(right, widget, understood.kind, plan, own, asked)
    if plan is None or (own and _refused_as_other(plan, viewer, talk.associations)):
        return outcome
    show_plan(plan)
    create, capacity = new_association(plan, widget, viewer.may(Right.ADD_ASSOCIATION))
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
            f"{of_name(plain(plan.association)) if plan.association else 'de ce type'}",
            value=True,
            key=f"garder_{upload.sha256}",
        )
    )
    ready = Ready(talk, plan, keep, create, capacity)
    clicked = st.button("Confirmer l'import", key=f"confirmer_{upload.sha256}", type="primary")
    if clicked and confirm(ready, viewer):
        st.rerun()
    return Outcome(ready=ready)


def _planned(talk, columns: str, batch: dict) -> tuple[Outcome, Plan | None]:
    """The file's sheets, steps, column questions and corrections, labels, then its plan;
    what is still to answer (said on the page) while there is no plan."""
    try:
        sheets = mapping_editor.sheets(columns, talk.shaped())
        if sheets is None:
            return Outcome(pending="feuilles à préciser"), None
        steps = mapping_editor.steps(columns, talk.shaped(Answers(sheets=sheets)))
        if steps is None:
            return Outcome(pending="étapes à préciser"), None
        shaping = Answers(steps=steps, sheets=sheets, source="page")
        understood = talk.understand(shaping)
        table = talk.shaped(shaping).table
        header = table.header
        asked = mapping_editor.questions(columns, header, understood)
        if asked is None:
            return Outcome(pending="colonnes à préciser"), None
        notice = st.empty()
        answered = talk.mapping(replace(shaping, positions=asked))
        fixes = asked | mapping_editor.corrections(
            columns, header, answered, table.frame, set(asked), table.hidden
        )
        answers = replace(shaping, positions=fixes)
        if mapping_editor.warn_missing(notice, talk.mapping(answers)):
            return Outcome(pending="colonnes obligatoires à trouver"), None
        plan = talk.plan(answers)
        values = mapping_editor.value_answers(columns, unknown_labels(plan), batch, talk.name)
        if values:
            plan = talk.plan(answers.with_values(values))
    except NeedsAssociation as exc:
        st.warning(message(exc.message), icon=":material/help:")
        return Outcome(pending=ASSOCIATION_PENDING), None
    except IngestError as exc:
        st.error(message(exc.message))
        return Outcome(), None
    return Outcome(ready=None), plan


def confirm_all(outcomes: list[tuple[str, Outcome]], viewer: Identity) -> None:
    """One button for the whole batch, offered only once no file waits for an answer: a
    file whose association is unsettled is never imported with the others."""
    if len(outcomes) < 2:
        return
    ready = [o.ready for _, o in outcomes if o.ready is not None]
    pending = [f"« {plain(name)} » ({o.pending})" for name, o in outcomes if o.pending]
    if not ready:
        return
    st.divider()
    clicked = st.button(
        "Confirmer l'import de tous les fichiers valides",
        key="confirmer_tout",
        disabled=bool(pending),
    )
    if pending:
        st.caption("À compléter avant de tout confirmer : " + " ; ".join(pending) + ".")
        return
    left_out = [name for name, o in outcomes if o.ready is None]
    if left_out:
        st.caption(
            "Ne seront pas importés (voir le message de chacun) : "
            + ", ".join(f"« {plain(n)} »" for n in left_out)
            + "."
        )
    if clicked and all([confirm(r, viewer) for r in ready]):
        st.rerun()
