"""The Comité de pilotage page's parts: what the pack covers, its preview, its two files,
and the packs frozen for earlier comités.

The pack follows the sidebar shared with every page (period, filters, the address): the
same period and scope give the same numbers on the pages and in the pack. An association's
user gets its own association's pack, with small counts hidden; « diffusion aux
partenaires » hides small counts for a pack that will leave the Département. Every file is
made on its button's click for a viewer who may still have it, and audited.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass, replace

import streamlit as st

from auth.roles import Identity, Right
from dashboard.access import origin
from dashboard.data import data_version, dataset, engine, restrict
from dashboard.download_gate import download_button
from dashboard.filters import View
from dashboard.markdown import plain
from dashboard.sections import tile
from domain.formatting import paris_time
from indicators.catalogue import name, shown
from indicators.committee import COMPARISONS, Pack, period_words
from indicators.dataset import Filters, Period, PeriodRefused, accepted_range, checked_period
from indicators.small_counts import must_suppress
from reports import frozen
from reports.deck_template_clean import MAX_TEMPLATE
from reports.pack import PackError, Scope, build_pack, file_stem, map_picture
from reports.render import (
    PPTX,
    XLSX,
    RenderError,
    checked_template,
    deck_bytes,
    download_detail,
    workbook_bytes,
)
from store.db import database_url

FROZEN_DONE = "_pilotage_pack_fige"  # session state: the message of the freeze just made


@dataclass(frozen=True)
class Request:
    """What the user asked the pack to cover (hashable: the pack's cache key)."""

    period: Period
    comparison: str
    compare_du: dt.date | None
    compare_au: dt.date | None
    scope: Scope
    partners: bool


def ask(view: View) -> Request | None:
    """The pack of the sidebar's view (period and filters, the viewer's association forced
    in): the comparison and the audience are asked here, the only choices a page does not
    have. None while a date of the comparison is missing."""
    scope = Scope(restrict(view.filters) or Filters())
    st.caption(
        "Le pack suit la période et les filtres de la barre latérale, comme les pages : "
        f"changez-les là. Périmètre : {plain(scope.label)}."
    )
    comparison = st.radio(
        "Comparer à",
        list(COMPARISONS),
        format_func=COMPARISONS.get,
        horizontal=True,
        key="comite_comparaison",
    )
    compare_du = compare_au = None
    if comparison == "dates":
        before = view.period.previous()
        data_date = view.data_date or view.period.au
        first, last = accepted_range(data_date)
        other = st.date_input(
            "Période de comparaison",
            (max(before.du, first), min(max(before.au, first), last)),
            min_value=first,
            max_value=last,
            format="DD/MM/YYYY",
            key="comite_comparaison_dates",
        )
        if len(other) != 2:
            st.info("Choisissez les deux dates de la période de comparaison.")
            return None
        try:  # the one check of every period asked for (the box's bounds keep most out)
            checked = checked_period(*other, data_date)
        except PeriodRefused as refusal:
            st.error(refusal.message)
            return None
        compare_du, compare_au = checked.du, checked.au
    viewer = view.viewer
    partners = True
    if must_suppress(viewer.role.value):
        st.caption("Les effectifs de 1 à 10 des tableaux de lieux sont masqués dans ce pack.")
    else:
        partners = st.checkbox(
            "Diffusion aux partenaires (masquer les effectifs de 1 à 10)",
            key="comite_partenaires",
            help="À cocher quand le pack sortira du Département : les effectifs de 1 à 10 des "
            "tableaux de lieux (EPCI, communes de la carte) sont remplacés par « < 11 », "
            "comme dans les exports CSV.",
        )
    return Request(view.period, comparison, compare_du, compare_au, scope, partners)


@st.cache_data(show_spinner="Calcul du pack…", max_entries=16)
def _pack(url: str, version, frozen_state: tuple, request: Request) -> Pack:
    return build_pack(
        engine(),
        dataset(),
        request.period,
        comparison=request.comparison,
        compare_du=request.compare_du,
        compare_au=request.compare_au,
        scope=request.scope,
        hide_small=request.partners,
    )


def pack_for(request: Request, viewer: Identity) -> Pack | None:
    """The pack of the request (cached per data version and set of frozen packs, the
    latest of which gives « depuis le dernier comité »), None after
    saying what is wrong with the request."""
    try:
        frozen_state = tuple(p.id for p in frozen.listing(engine()))
        pack = _pack(database_url(), data_version(), frozen_state, request)
    except PackError as exc:
        st.error(plain(str(exc)))
        return None
    moment = dt.datetime.now(dt.UTC)
    return replace(pack, generated=f"le {paris_time(moment)} par {viewer.identifiant}")


def preview(pack: Pack) -> None:
    """The key figures with their change, and the change since the last comité."""
    st.caption(
        f"{plain(pack.scope_label)} · {period_words(pack.du, pack.au)} · comparaison : "
        f"{plain(pack.comparison_words)}."
    )
    figures = pack.figures
    for start in range(0, len(figures), 3):
        row = figures[start : start + 3]
        for column, figure in zip(st.columns(3), row, strict=False):
            help_text = f"{pack.comparison_words} : {shown(figure.id, figure.before)}"
            if pack.last_comite_label:
                since = figure.since_last_comite.text or "–"
                help_text += (
                    f". Au pack figé « {plain(pack.last_comite_label)} » : "
                    f"{shown(figure.id, figure.last_comite)} (depuis : {since})"
                )
            tile(column, figure.id, figure.now, figure.change, help=help_text)
    if pack.last_comite_label:
        moved = [
            f"{plain(name(f.id))} {f.since_last_comite.text}"
            for f in figures
            if f.since_last_comite.direction != "off"
        ]
        st.info(
            f"Depuis le pack figé « {plain(pack.last_comite_label)} » : "
            + (" · ".join(moved) + "." if moved else "aucun chiffre n'a changé.")
        )


def alerts(pack: Pack) -> None:
    for alert in pack.alerts:
        if alert["finding"] is None:
            st.success(plain(alert["calm"]), icon=":material/check_circle:")
        else:
            st.error(
                f"**{plain(alert['finding'])}**\n\nÀ faire : {plain(alert['action'])}",
                icon=":material/priority_high:",
            )


def contents(pack: Pack) -> None:
    """What the two files hold, section by section."""
    lines = ["Titre : période, périmètre, date des données de chaque source", "Chiffres clés"]
    lines += [plain(s.title) for s in pack.sections]
    lines += ["Alertes à traiter", "Décisions à prendre", "Annexe : définitions"]
    st.markdown("\n".join(f"{i}. {line}" for i, line in enumerate(lines, 1)))
    hidden = [s.title for s in pack.sections if s.hides_small_counts]
    if pack.small_counts_hidden:
        st.caption(
            "Effectifs de 1 à 10 masqués (« < 11 ») dans : "
            + (", ".join(plain(t) for t in hidden) or "aucun tableau de cette période")
            + " ; la carte ne dessine pas les communes concernées."
        )


def template_upload(viewer: Identity) -> bytes | None:
    """The administrator's template for the deck, checked and cleaned of what it must not
    carry (reports/deck_template_clean.py), with what was removed said; None for anyone
    else (no uploader drawn, and whatever the session holds is never read), without a
    template, or after saying why it is refused."""
    if not viewer.may(Right.UPLOAD_DECK_TEMPLATE):
        return None
    upload = st.file_uploader(
        "Diaporama modèle à la charte du Département (.pptx, facultatif)",
        type=["pptx"],
        key="comite_modele",
        help=f"Ses dispositions (titre, contenu) et son thème sont repris, sans ses "
        f"diapositives ni ses liens externes ; {MAX_TEMPLATE // 2**20} Mo au plus.",
    )
    if upload is None:
        return None
    blob, removed, refused = _checked_template(upload.getvalue())
    if refused is not None:
        st.error(plain(refused))
        st.caption("Les fichiers ci-dessous sont construits avec la mise en page par défaut.")
        return None
    if removed:
        st.info(f"{plain(' ; '.join(removed))}.", icon=":material/link_off:")
    return blob


@st.cache_data(show_spinner="Vérification du modèle…", max_entries=4)
def _checked_template(template: bytes) -> tuple[bytes | None, tuple[str, ...], str | None]:
    """(cleaned template, what was removed, None), or (None, (), why it is refused)."""
    try:
        blob, removed = checked_template(template)
    except RenderError as exc:
        return None, (), str(exc)
    return blob, removed, None


def lazy_map(pack: Pack, scope: Scope) -> Callable[[], bytes]:
    """The pack's map picture, drawn once when a file first needs it (a download runs
    outside the page's script: the data is taken now)."""
    data = dataset()
    return functools.cache(lambda: map_picture(data, pack, scope))


def downloads(pack: Pack, picture, template: bytes | None, key: str) -> None:
    """The two download buttons: each file is made when its button is clicked, for a viewer
    who may still have it (dashboard/download_gate.py; the deck at once when a template is
    given, so that a template that cannot be used is said here, not in a download that
    fails, and handed out on the click like the other)."""

    def the_map() -> bytes | None:
        return picture() if callable(picture) else picture

    def deck() -> bytes:
        return deck_bytes(pack, the_map(), template)

    content = deck
    if template is not None:
        try:
            content = deck()
        except RenderError as exc:
            st.error(plain(str(exc)))
            return
    files = (
        ("pptx", "Diaporama PowerPoint (.pptx)", content, PPTX, ":material/slideshow:"),
        ("xlsx", "Classeur Excel (.xlsx)", lambda: workbook_bytes(pack, the_map()), XLSX,
         ":material/table_view:"),
    )  # fmt: skip
    stem = file_stem(pack)
    for column, (kind, label, build, mime, icon) in zip(st.columns(2), files, strict=True):
        download_button(
            label,
            build,
            f"{stem}.{kind}",
            mime,
            key=f"{key}_{kind}",
            action="telechargement",
            what=download_detail(pack, kind),
            where=column,
            icon=icon,
        )


def freeze_form(pack: Pack, request: Request, viewer: Identity) -> None:
    if done := st.session_state.pop(FROZEN_DONE, None):
        st.success(done)
    if not viewer.may(Right.FREEZE_COMITE_PACK):
        return
    with st.form("comite_figer"):
        label = st.text_input(
            "Libellé", frozen.default_label(dt.date.today()), max_chars=frozen.MAX_LABEL
        )
        if not st.form_submit_button("Figer pour le comité", icon=":material/lock:"):
            return
    data = dataset()
    try:
        number = frozen.freeze(
            engine(),
            pack,
            map_picture(data, pack, request.scope),
            label,
            request.scope.key,
            request.scope.association,
            viewer.actor(origin()),
        )
    except frozen.FrozenError as exc:
        st.error(plain(str(exc)))
        return
    st.session_state[FROZEN_DONE] = (
        f"Pack figé n° {number} « {plain(frozen.clean_label(label))} » : il peut être "
        "téléchargé à nouveau ci-dessous avec les mêmes chiffres, même après de nouveaux imports."
    )
    st.rerun()


def frozen_packs(viewer: Identity) -> None:
    """The frozen packs this viewer may see, each downloadable again; deletion for the
    administrator."""
    association = None if viewer.sees_everything else viewer.association
    packs = frozen.listing(engine(), association)
    if not packs:
        st.caption("Aucun pack figé pour l'instant.")
        return
    titles = {p.id: p.title for p in packs}
    chosen = st.selectbox(
        "Pack figé",
        list(titles),
        format_func=titles.get,
        key="comite_fige",  # plain text
    )
    pack, picture = frozen.load(engine(), chosen, association)
    st.caption(
        f"{plain(pack.scope_label)} · {period_words(pack.du, pack.au)} · "
        f"figé {plain(pack.frozen_on)}."
    )
    downloads(pack, picture, None, key=f"fige_{chosen}")
    if not viewer.may(Right.DELETE_FROZEN_PACK):
        return
    sure = st.checkbox(  # one per pack: a confirmation never carries over to another
        f"Je confirme la suppression du pack figé n° {chosen}", key=f"comite_sur_{chosen}"
    )
    if st.button("Supprimer ce pack figé", disabled=not sure, key="comite_supprimer"):
        frozen.remove(engine(), chosen, viewer.actor(origin()))
        st.session_state[FROZEN_DONE] = f"Pack figé n° {chosen} supprimé."
        st.rerun()
