"""The column questions and corrections of the import page.

The matcher's questions come first (a select box each, fields ordered by likelihood, none
chosen in advance); then what was recognised, with its certainty and an example cell, which
can be corrected on request; then, once the file is planned, the labels no value table
knows, each with the canonical value to choose. Choices become the plan's `fixes` (position
→ field or IGNORE) and value answers (table → label → value)."""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from dashboard.markdown import plain
from domain.schema import FIELDS, field
from domain.text import normalise_key
from pipelines.api import IGNORE, SUGGESTED, ColumnMapping, Shaped
from pipelines.preview import (
    columns_preview,
    shape_lines,
    sheets_line,
    step_choices,
    value_choices,
)

IGNORED_CHOICE = "— ignorer cette colonne —"
NOT_A_STEP = "— pas une étape (non repris) —"
KEEP_EMPTY = "— laisser vide —"
PER_ROW = 3
MAX_LABELS_ASKED = 40


def _untitled(pos: int) -> str:
    return f"(colonne {pos + 1} sans titre)"


def _choices(mapping: ColumnMapping, pos: int) -> list[str]:
    """Field labels for one column, likeliest first, then "ignore", then the others."""
    guess = mapping.guess(pos)
    likely = [n for n, c in (guess.candidates if guess else []) if c >= SUGGESTED]
    current = mapping.columns.get(pos)
    ordered = [current] if current else []
    ordered += [n for n in likely if n not in ordered]
    rest = [f.name for f in FIELDS[mapping.kind] if f.name not in ordered]
    labels = [field(mapping.kind, n).label for n in ordered]
    return [*labels, IGNORED_CHOICE, *(field(mapping.kind, n).label for n in rest)]


def _by_label(mapping: ColumnMapping) -> dict[str, str]:
    return {IGNORED_CHOICE: IGNORE} | {f.label: f.name for f in FIELDS[mapping.kind]}


def questions(widget_key: str, header: list[str], mapping: ColumnMapping) -> dict[int, str] | None:
    """One select box per question, nothing chosen in advance; the answers, or None while
    some question is unanswered (nothing can be planned yet)."""
    asked = mapping.questions
    if not asked:
        return {}
    notice = st.empty()
    by_label = _by_label(mapping)
    answers: dict[int, str] = {}
    for start in range(0, len(asked), PER_ROW):
        cells = st.columns(PER_ROW)
        for cell, question in zip(cells, asked[start : start + PER_ROW], strict=False):
            chosen = cell.selectbox(
                f"« {plain(question.header) or _untitled(question.position)} »",
                _choices(mapping, question.position),
                index=None,
                placeholder="Choisissez le champ…",
                key=f"{widget_key}_q{question.position}",
            )
            cell.caption(f"Contient {plain(question.looks_like)}.")
            if chosen is not None:
                answers[question.position] = by_label[chosen]
    if len(answers) < len(asked):
        notice.warning(
            f"**{len(asked)} colonne(s) à préciser** avant l'import : l'application ne sait pas "
            "les rattacher avec certitude (ce qu'elles contiennent est indiqué sous chacune). "
            "Indiquez le champ de chacune, ou « ignorer cette colonne ». Rien n'est écrit avant "
            "la confirmation.",
            icon=":material/help:",
        )
        return None
    notice.caption("Colonnes précisées : vos réponses sont prises en compte ci-dessous.")
    return answers


def corrections(
    widget_key: str,
    header: list[str],
    mapping: ColumnMapping,
    frame: pd.DataFrame,
    answered: set[int] | frozenset[int] = frozenset(),
    hidden: frozenset[int] = frozenset(),
) -> dict[int, str]:
    """What was recognised (field, certainty, example), and on request a select box per
    column to correct it (not for the questions `answered` above); returns the
    corrections."""
    asked = {q.position for q in mapping.questions} | set(answered)
    shown = columns_preview(mapping, header, frame, hidden)
    shown = shown[[pos not in asked for pos in range(len(header))]]
    recognised = int((shown["Champ"] != "ignorée").sum())
    left_out = [h for h in mapping.unmapped if h not in {q.header for q in mapping.questions}]
    title = f"Colonnes reconnues : {recognised} sur {len(header)}"
    with st.expander(title, expanded=False):
        st.dataframe(shown, hide_index=True, width="stretch")
        if left_out:
            st.caption(
                "Colonnes sans champ (texte libre, ignorées) : "
                + ", ".join(f"« {plain(h)} »" for h in left_out)
            )
    every = st.toggle("Corriger les colonnes reconnues", key=f"{widget_key}_toutes")
    if not every:
        return {}
    by_label = _by_label(mapping)
    positions = [p for p, text in enumerate(header) if text and p not in asked]
    out: dict[int, str] = {}
    for start in range(0, len(positions), PER_ROW):
        cells = st.columns(PER_ROW)
        for cell, pos in zip(cells, positions[start : start + PER_ROW], strict=False):
            current = mapping.columns.get(pos, IGNORE)
            options = _choices(mapping, pos)
            label = field(mapping.kind, current).label if current else IGNORED_CHOICE
            chosen = cell.selectbox(
                f"« {plain(header[pos]) or _untitled(pos)} »",
                options,
                index=options.index(label),
                key=f"{widget_key}_{pos}",
            )
            if by_label[chosen] != current:
                out[pos] = by_label[chosen]
    return out


def warn_missing(place, mapping: ColumnMapping) -> bool:
    """Say which required fields are still missing (in `place`, e.g. an st.empty above the
    select boxes); True when some are."""
    if not mapping.missing_required:
        return False
    labels = ", ".join(f"« {field(mapping.kind, n).label} »" for n in mapping.missing_required)
    place.warning(
        f"Colonnes obligatoires non trouvées : {labels}. Ouvrez « Corriger les colonnes "
        "reconnues » et choisissez la colonne du fichier qui les contient, puis le rapport de "
        "contrôle s'affichera.",
        icon=":material/rule:",
    )
    return True


def sheets(widget_key: str, shaped: Shaped) -> dict[str, str] | None:
    """A workbook: which sheets were joined to which, which left out; one choice per sheet
    that holds dates or labels and shares no key (nothing chosen in advance), and on
    request one per joined sheet to leave it out. Returns the answers (normalised sheet
    name -> « joindre » / « ignorer »), or None while a sheet is unanswered."""
    if not shaped.sheets or (shaped.form == "tableau" and not shaped.questions):
        if shaped.sheets:
            st.caption(plain(sheets_line(shaped)))
        return {}
    st.info(plain(sheets_line(shaped)), icon=":material/tab:")
    answers: dict[str, str] = {}
    asked = [s for s in shaped.sheets if s.decision == "a_preciser"]
    for sheet in asked:
        chosen = st.radio(
            f"Feuille « {plain(sheet.name)} » : {plain(sheet.looks_like)}, sans colonne en "
            "commun avec la feuille principale",
            ["Ignorer cette feuille"],
            index=None,
            key=_label_key(widget_key, "feuille", sheet.name),
            help="Pour la joindre, ajoutez-lui la colonne qu'elle partage avec la feuille "
            "principale (le numéro de dossier du jeune, le code du mentor) et déposez le "
            "fichier à nouveau.",
        )
        if chosen is not None:
            answers[normalise_key(sheet.name)] = "ignorer"
    joined = [s for s in shaped.sheets if s.decision == "jointe"]
    if joined and st.toggle("Laisser de côté une feuille jointe", key=f"{widget_key}_feuilles"):
        for sheet in joined:
            if st.checkbox(
                f"Ignorer « {plain(sheet.name)} »",
                key=_label_key(widget_key, "feuille_jointe", sheet.name),
            ):
                answers[normalise_key(sheet.name)] = "ignorer"
    return _all_answered(
        [normalise_key(s.name) for s in asked],
        answers,
        f"**{len(asked)} feuille(s) à préciser** avant l'import : elles contiennent des dates "
        "ou des libellés, mais aucune colonne ne les relie à la feuille principale.",
    )


def steps(widget_key: str, shaped: Shaped) -> dict[str, str] | None:
    """An event log: what was understood of it, then one select box per label the
    vocabulary is unsure of (nothing chosen in advance), and on request one per label to
    correct. Returns the answers (normalised label -> date field, "" = not a step), or None
    while a question is unanswered."""
    if shaped.log is None:
        return {}
    st.info("\n\n".join(plain(line) for line in shape_lines(shaped)), icon=":material/timeline:")
    choices = {NOT_A_STEP: ""} | step_choices(shaped)
    by_field = {v: k for k, v in choices.items()}
    answers: dict[str, str] = {}
    asked = [s for s in shaped.log.steps if not s.certain]
    for step in asked:
        likely = [by_field[n] for n, _ in step.candidates if n in by_field]
        options = [*likely, *(c for c in choices if c not in likely)]
        chosen = st.selectbox(
            f"Étape du journal : « {plain(step.label)} » ({step.rows} ligne(s))",
            options,
            index=None,
            placeholder="Choisissez l'étape…",
            key=_label_key(widget_key, "etape", step.label),
        )
        if chosen is not None:
            answers[normalise_key(step.label)] = choices[chosen]
    if st.toggle("Corriger les étapes reconnues", key=f"{widget_key}_etapes"):
        for step in shaped.log.steps:
            if not step.certain:
                continue
            current = by_field.get(step.field or "", NOT_A_STEP)
            options = list(choices)
            chosen = st.selectbox(
                f"« {plain(step.label)} » ({step.rows} ligne(s))",
                options,
                index=options.index(current),
                key=_label_key(widget_key, "etape_corrigee", step.label),
            )
            if choices[chosen] != (step.field or ""):
                answers[normalise_key(step.label)] = choices[chosen]
    return _all_answered(
        [normalise_key(s.label) for s in asked],
        answers,
        f"**{len(asked)} étape(s) du journal à préciser** avant l'import : choisissez ce que "
        "chaque libellé veut dire, ou « pas une étape ».",
    )


def _all_answered(asked: list[str], answers: dict[str, str], warning: str) -> dict | None:
    """The answers once every question has one; until then the warning, and None."""
    if all(key in answers for key in asked):
        return answers
    st.warning(f"{warning} Rien n'est écrit avant la confirmation.", icon=":material/help:")
    return None


def _label_key(widget_key: str, name: str, label: str) -> str:
    digest = hashlib.sha256(f"{name}|{label}".encode()).hexdigest()[:12]
    return f"{widget_key}_v{digest}"


def value_answers(
    widget_key: str, unknown: pd.DataFrame, batch: dict | None = None, name: str = ""
) -> dict[str, dict[str, str]]:
    """A select box per unknown label (most frequent first): the canonical value it means,
    or left empty. Returns table -> normalised label -> value. A label already asked for a
    file above in the same batch (`batch`: (table, label) -> (file, value), filled here) is
    not asked again: that answer holds for this file too, and is said."""
    if unknown.empty:
        return {}
    batch = {} if batch is None else batch
    keys = [(r.table, normalise_key(r.Libellé)) for r in unknown.itertuples()]
    new = [k not in batch for k in keys]
    out: dict[str, dict[str, str]] = {}
    followed = []
    for (table, label), row in zip(keys, unknown.itertuples(), strict=True):
        if (table, label) in batch:
            where, value = batch[(table, label)]
            followed.append(f"« {plain(row.Libellé)} » (comme pour « {plain(where)} »)")
            if value is not None:
                out.setdefault(table, {})[label] = value
    asked = unknown[new]
    if followed:
        st.caption("Libellés déjà précisés plus haut, même réponse : " + ", ".join(followed) + ".")
    if asked.empty:
        return out
    st.info(
        f"**{len(asked)} libellé(s) non reconnu(s)** : leurs lignes seront chargées avec ce "
        "champ vide. Choisissez la valeur que chacun veut dire pour la faire reconnaître "
        "(elle sera retenue avec la correspondance des colonnes).",
        icon=":material/label:",
    )
    for row in asked.head(MAX_LABELS_ASKED).itertuples():
        choices = value_choices(row.table)
        chosen = st.selectbox(
            f"{row.Champ} : « {plain(row.Libellé)} » "
            f"({row.Lignes} ligne{'s' if row.Lignes > 1 else ''})",
            [KEEP_EMPTY, *choices],
            key=_label_key(widget_key, row.champ, row.Libellé),
        )
        value = None if chosen == KEEP_EMPTY else choices[chosen]
        batch[(row.table, normalise_key(row.Libellé))] = (name, value)
        if value is not None:
            out.setdefault(row.table, {})[normalise_key(row.Libellé)] = value
    if len(asked) > MAX_LABELS_ASKED:
        st.caption(
            f"… et {len(asked) - MAX_LABELS_ASKED} autres libellés (voir le rapport de l'import)."
        )
    return out
