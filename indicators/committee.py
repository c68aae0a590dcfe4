"""The comité de pilotage pack: every figure of the deck and the workbook, computed once.

A `Pack` is plain data (numbers, French text, None) that the deck (reports/deck.py) and the
workbook (reports/workbook.py) lay out without computing anything, and that a frozen
snapshot stores as JSON (`to_json` / `from_json`): a frozen pack downloaded a year later
gives the same numbers, because nothing is recomputed.

Each section is one table whose columns are catalogue ids (indicators/catalogue.py), an
optional chart naming the table's columns it draws, the section's definition and, where
useful, a few key figures. The values are those of the pages for the same period and
filters: each comes from the call the page makes, with the same arguments (the page's
default choices: the B2 / FIJAIS voie and its target on Honorabilité, every binôme started
by the as-of date on Durée des binômes); tests/test_figures_across_pages.py compares every
number of a pack with the pages.

Small counts (indicators/small_counts.py) follow the screen's rules: tables of places (the
EPCI table, the communes drawn on the map) hide counts 1-10 when `hide_small` is set, which
the caller sets for a viewer who may not see them and for a pack meant for partners.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass, field

import pandas as pd

from domain import rurality
from domain.formatting import day, number, short_month
from indicators import (
    compliance,
    coverage,
    durations,
    followup,
    funnel,
    geo,
    headline,
    honorabilite,
    workload,
)
from indicators.catalogue import BY_ID, Unit, entry
from indicators.dataset import Dataset, Period
from indicators.small_counts import suppress

# The kinds of comparison the comité may choose: key -> French label.
COMPARISONS = {
    "precedente": "Période précédente de même durée",
    "annee": "Même période un an plus tôt",
    "dates": "Deux dates choisies",
}
SCOPES = {"departement": "Département", "association": "Association", "territoire": "Territoire"}

# Counts of youths in a place, and the rates computed on them (blanked when they are hidden):
# the same lists as the Territoires page.
PLACE_COUNTS = coverage.PLACE_COUNTS
PLACE_RATES = coverage.PLACE_RATES

CLASS_LABELS = {"rural": "Rural", "urbain": "Urbain", coverage.UNKNOWN: "Commune inconnue"}


def comparison_period(period: Period, kind: str, du=None, au=None) -> Period:
    """The period the pack compares with: the previous one of equal length, the same one a
    year earlier (29 February gives the 28th), or the two dates given."""
    if kind == "precedente":
        return period.previous()
    if kind == "annee":
        year = pd.DateOffset(years=1)
        return Period(
            (pd.Timestamp(period.du) - year).date(), (pd.Timestamp(period.au) - year).date()
        )
    if kind == "dates":
        if du is None or au is None:
            raise ValueError("a comparison between two dates needs both dates")
        return Period(du, au)
    raise ValueError(f"unknown comparison {kind!r}")


def period_words(du: dt.date, au: dt.date) -> str:
    return f"du {day(du)} au {day(au)}"


def plain_text(markdown: str) -> str:
    """A definition without its Markdown marks (bold, italics, code), for a slide or a cell."""
    return re.sub(r"\*\*|(?<!\w)\*(?!\s)|(?<!\s)\*(?!\w)|`", "", markdown)


@dataclass(frozen=True)
class Chart:
    """A chart drawn from the section's table: `categories` is a descriptive column, `series`
    figure columns of one unit. `kind`: "barres" (horizontal), "colonnes" (clustered
    columns) or "courbes" (lines)."""

    kind: str
    title: str
    categories: str
    series: list[str]
    unit: str  # the catalogue unit of every series


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    definition: str
    columns: list[str]  # catalogue ids (the table's header is their French name)
    rows: list[list]  # values: int, float, str (French text, or "< 11" for a hidden count), None
    labels: dict[str, str] = field(default_factory=dict)  # header of a descriptive column
    chart: Chart | None = None
    figures: list[tuple[str, float | int | None]] = field(default_factory=list)
    note: str | None = None  # said under the table (small counts hidden, nothing to show…)
    picture: str | None = None  # "carte": the section shows the offline map

    def header(self, column: str) -> str:
        return self.labels.get(column) or entry(column).name

    @property
    def hides_small_counts(self) -> bool:
        """Whether a count of this table is hidden (« < 11 », text in a figure column)."""
        figures = [i for i, c in enumerate(self.columns) if c in BY_ID and BY_ID[c].is_figure]
        return any(isinstance(row[i], str) for row in self.rows for i in figures)

    def column(self, column: str) -> list:
        at = self.columns.index(column)
        return [row[at] for row in self.rows]


@dataclass(frozen=True)
class Headline:
    """One key figure with its value now, in the comparison period and, when a pack was
    frozen for an earlier comité, at that comité."""

    id: str
    now: float | int | None
    before: float | int | None
    last_comite: float | int | None = None

    @property
    def change(self) -> headline.Change:
        return headline.change(self.id, self.now, self.before)

    @property
    def since_last_comite(self) -> headline.Change:
        return headline.change(self.id, self.now, self.last_comite)


@dataclass(frozen=True)
class Pack:
    """Everything a pack shows: period, comparison and scope; the key figures, the alerts
    and the sections computed by `build`; the data dates, who made it and when, and the
    frozen pack it is compared with, added by reports/pack.py."""

    du: dt.date
    au: dt.date
    comparison: str  # a key of COMPARISONS
    comparison_du: dt.date
    comparison_au: dt.date
    scope_label: str  # "Département", "Association Envol Mentorat Nord"…
    small_counts_hidden: bool
    threshold: int
    figures: list[Headline]
    alerts: list[dict]  # finding, action, calm
    sections: list[Section]
    # Filled by reports/pack.py, from the database: French text, ready to show.
    sources: list[list[str]] = field(default_factory=list)  # [source, date of its data]
    generated: str = ""  # "le 30/11/2026 à 14:05 par m.dupont"
    data_version: str = ""  # "dernier import n° 42 (1 import annulé)": the data it read
    frozen_label: str | None = None  # set on a frozen pack: « Comité du 12 juin »
    frozen_on: str | None = None  # "le 12/06/2026 à 10:02 par m.dupont"
    last_comite_label: str | None = None  # the frozen pack `Headline.last_comite` comes from

    @property
    def period(self) -> Period:
        return Period(self.du, self.au)

    @property
    def comparison_words(self) -> str:
        dates = period_words(self.comparison_du, self.comparison_au)
        return f"{COMPARISONS[self.comparison]} ({dates})"

    def section(self, id_: str) -> Section:
        return next(s for s in self.sections if s.id == id_)

    def definitions(self) -> list[tuple[str, str]]:
        """(name, definition) of every figure the pack shows, in order of appearance."""
        seen: dict[str, str] = {}
        for figure in self.figures:
            seen.setdefault(entry(figure.id).name, entry(figure.id).definition)
        for section in self.sections:
            for column in [*section.columns, *(i for i, _ in section.figures)]:
                item = BY_ID.get(column)
                if item is not None and item.is_figure:
                    seen.setdefault(item.name, item.definition)
        return list(seen.items())

    def to_json(self) -> dict:
        data = asdict(self)
        for key in ("du", "au", "comparison_du", "comparison_au"):
            data[key] = data[key].isoformat()
        return data

    @classmethod
    def from_json(cls, data: dict) -> Pack:
        sections = []
        for s in data["sections"]:
            chart = Chart(**s["chart"]) if s.get("chart") else None
            figures = [(i, v) for i, v in s.get("figures", [])]
            sections.append(Section(**{**s, "chart": chart, "figures": figures}))
        return cls(
            **{
                **data,
                "sources": [list(s) for s in data.get("sources", [])],
                **{k: dt.date.fromisoformat(data[k]) for k in ("du", "au")},
                "comparison_du": dt.date.fromisoformat(data["comparison_du"]),
                "comparison_au": dt.date.fromisoformat(data["comparison_au"]),
                "figures": [Headline(**f) for f in data["figures"]],
                "sections": sections,
            }
        )


def _value(value):
    """A cell as plain JSON: numpy scalars as Python numbers, NaN and NaT as None."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if pd.isna(value):
        return None
    return value.item() if hasattr(value, "item") else value


def _rows(frame: pd.DataFrame, columns: list[str]) -> list[list]:
    return [[_value(v) for v in row] for row in frame[columns].itertuples(index=False)]


def _headlines(data: Dataset, period: Period, before: Period) -> list[Headline]:
    now, then = headline.figures(data, period), headline.figures(data, before)
    figures = [Headline(i, _value(now[i]), _value(then[i])) for i in headline.TILES]
    blocked = Headline(
        "parcours_bloques", headline.blocked(data, period), headline.blocked(data, before)
    )
    return [*figures, blocked]


def _funnel(data: Dataset, period: Period) -> Section:
    steps = funnel.funnel(data, period)
    columns = [
        "libelle",
        "effectif",
        "taux_etape_precedente",
        "taux_depuis_inscription",
        "delai_etape_jours",
    ]
    return Section(
        "entonnoir",
        "Entonnoir du parcours",
        plain_text(funnel.DEFINITION),
        columns,
        _rows(steps, columns),
        labels={"libelle": "Étape"},
        chart=Chart(
            "barres", "Parcours ayant atteint chaque étape", "libelle", ["effectif"], "nombre"
        ),
    )


def _honorabilite(data: Dataset, period: Period) -> list[Section]:
    by_voie = honorabilite.by_voie(data, period)
    by_voie = by_voie.assign(
        libelle=by_voie["voie"].map(honorabilite.VOIE_LABELS).fillna(by_voie["voie"])
    )
    columns = [
        "libelle",
        "demandes",
        "traitees",
        "en_attente",
        "delai_median_jours_ouvres",
        "objectif_jours_ouvres",
        "part_dans_objectif",
    ]
    b2, target = honorabilite.DEFAULT_VOIE, honorabilite.DEFAULT_TARGET_WORKING_DAYS
    months = honorabilite.monthly(data, period, b2, target)
    months = months.assign(
        libelle=[_month(m) for m in months["mois"]], objectif_jours_ouvres=float(target)
    )
    month_columns = ["libelle", "demandes", "delai_median_jours_ouvres", "objectif_jours_ouvres"]
    summary = honorabilite.summary(data, period, b2, target)  # the page's B2 / FIJAIS tiles
    definition = plain_text(honorabilite.DEFINITION)
    return [
        Section(
            "honorabilite",
            "Honorabilité des mentors : délais face à l'objectif",
            definition,
            columns,
            _rows(by_voie, columns),
            labels={"libelle": "Voie"},
            chart=Chart(
                "colonnes",
                "Délai médian et objectif, en jours ouvrés",
                "libelle",
                ["delai_median_jours_ouvres", "objectif_jours_ouvres"],
                Unit.WORKING_DAYS.value,
            ),
            figures=[
                ("demandes_b2", _value(summary["demandes"])),
                ("en_attente_b2", _value(summary["en_attente"])),
                ("demandes_en_retard", _overdue(data, period)),
            ],
            note=None if len(by_voie) else "Aucune demande transmise sur la période.",
        ),
        Section(
            "honorabilite_mois",
            "Honorabilité B2 / FIJAIS : délai médian mois par mois",
            definition,
            month_columns,
            _rows(months, month_columns),
            labels={"libelle": "Mois de transmission"},
            chart=Chart(
                "courbes",
                "Délai médian (jours ouvrés) et objectif, par mois de transmission",
                "libelle",
                ["delai_median_jours_ouvres", "objectif_jours_ouvres"],
                Unit.WORKING_DAYS.value,
            ),
            note=None if len(months) else "Aucune demande B2 / FIJAIS transmise sur la période.",
        ),
    ]


def _overdue(data: Dataset, period: Period) -> int:
    """« Demandes en retard », every voie against its own target (the page's defaults)."""
    return int(honorabilite.pending(data, period, dict(honorabilite.TARGETS))["en_retard"].sum())


def _month(value) -> str:
    return short_month(pd.Timestamp(value).date())


def _associations(data: Dataset, period: Period) -> Section:
    load = workload.association_load(data, period.au)
    columns = ["association", "binomes_actifs", "capacite", "taux_charge", "en_attente_binome"]
    imbalance = workload.imbalance(load, data.associations) if len(load) else []
    return Section(
        "associations",
        f"Charge des associations au {day(period.au)}",
        workload.DEFINITION,
        columns,
        _rows(load, columns),
        chart=Chart(
            "barres",
            "Binômes actifs et capacité financée",
            "association",
            ["binomes_actifs", "capacite"],
            Unit.COUNT.value,
        ),
        note=" ".join(f"{line}." for line in imbalance) or None,
    )


def _territories(data: Dataset, period: Period) -> Section:
    split = coverage.rural_urban(data, period).reset_index()
    split["classe"] = split["classe"].map(CLASS_LABELS).fillna(split["classe"])
    columns = [
        "classe",
        "jeunes_inscrits",
        "demarrages",
        "part_presentiel",
        "delai_avant_demarrage",
        "distance_mediane_km",
    ]
    return Section(
        "territoires",
        "Couverture rurale",
        coverage.DEFINITION,
        columns,
        _rows(split, columns),
        chart=Chart(
            "colonnes",
            "Jeunes inscrits et démarrages, rural et urbain",
            "classe",
            ["jeunes_inscrits", "demarrages"],
            Unit.COUNT.value,
        ),
        figures=[("part_rurale", _value(coverage.rural_share(data, period)))],
        note=rurality.definition(),
        picture="carte",
    )


def hidden_places(data: Dataset, period: Period, threshold: int) -> pd.DataFrame:
    """The communes of the cohort with `cache` True where the map may not show their count
    (the commune table's suppression, its groups included, as on the Territoires page)."""
    communes = coverage.with_distance_band(coverage.by_commune(data, period))
    mask = suppress(
        communes,
        [c for c in PLACE_COUNTS if c in communes],
        rates={r: d for r, d in PLACE_RATES.items() if r in communes},
        groups=coverage.PLACE_GROUPS,
        threshold=threshold,
    ).mask
    return communes.assign(cache=mask["jeunes_inscrits"] | mask["demarrages"])


def _epci(data: Dataset, period: Period, hide_small: bool, threshold: int) -> Section:
    epci = coverage.by_epci(data, period)
    columns = [
        "epci_nom",
        "jeunes_inscrits",
        "part_rurale",
        "demarrages",
        "part_presentiel",
        "distance_mediane_km",
    ]
    note = None
    if hide_small and len(epci):
        hidden = suppress(
            epci,
            [c for c in PLACE_COUNTS if c in epci],
            rates={r: d for r, d in PLACE_RATES.items() if r in epci},
            threshold=threshold,
        )
        if hidden.count_hidden:
            note = hidden.note
        epci = hidden.display
    return Section(
        "epci",
        "Jeunes inscrits par intercommunalité (EPCI)",
        coverage.DEFINITION,
        columns,
        [[v if isinstance(v, str) else _value(v) for v in row] for row in _rows(epci, columns)],
        chart=Chart(
            "barres", "Jeunes inscrits par EPCI", "epci_nom", ["jeunes_inscrits"], "nombre"
        ),
        note=note,
    )


def _distances(data: Dataset, period: Period) -> Section:
    bands = coverage.distance_bands(data, period)
    return Section(
        "distance",
        "Distance à l'antenne la plus proche",
        geo.DEFINITION,
        ["tranche", "jeunes_inscrits", "part"],
        _rows(bands, ["tranche", "jeunes_inscrits", "part"]),
        labels={"tranche": "Distance"},
        chart=Chart(
            "colonnes",
            "Jeunes inscrits selon la distance",
            "tranche",
            ["jeunes_inscrits"],
            "nombre",
        ),
    )


def _durations(data: Dataset, period: Period) -> Section:
    """Every binôme started by the as-of date, as the Durée des binômes page shows by
    default (those started in the period alone could not be followed 12 months)."""
    summary = durations.summary(data, None, period.au)
    reasons = durations.end_reasons(data, None, period.au)
    columns = ["libelle", "binomes_termines", "part"]
    return Section(
        "durees",
        "Durée des binômes et motifs de fin",
        f"{durations.DEFINITION} {durations.END_REASONS_DEFINITION}",
        columns,
        _rows(reasons, columns),
        labels={"libelle": "Motif de fin"},
        chart=Chart(
            "barres", "Binômes terminés par motif de fin", "libelle", ["binomes_termines"], "nombre"
        ),
        figures=[
            (k, _value(summary[k]))
            for k in ("binomes_suivis", "binomes_termines", "duree_mediane_jours")
        ],
        note=_started_by(period),
    )


def _started_by(period: Period) -> str:
    return (
        f"Binômes démarrés au plus tard le {day(period.au)}, quelle que soit l'année de leur "
        "démarrage (comme la page « Durée des binômes » par défaut)."
    )


def _retention(data: Dataset, period: Period) -> Section:
    """Retention at 3, 6 and 12 months: the estimate and its 95 % interval in the table and
    the chart, and in words in the note (« fragile » below 20 binômes still followed: the
    numbers stay in the table, the words say not to quote them alone)."""
    table = durations.retention_by_horizon(data, None, period.au)
    columns = ["libelle", "survie", "ic_bas", "ic_haut", "a_risque"]
    words = [f"{r['libelle']} : {r['lecture']}" for r in table.to_dict("records")]
    return Section(
        "maintien",
        "Maintien des binômes",
        durations.RETENTION_DEFINITION,
        columns,
        _rows(table, columns),
        labels={"libelle": "Durée depuis le démarrage"},
        chart=Chart(
            "colonnes",
            "Binômes encore en cours (estimation) et intervalle de confiance à 95 %",
            "libelle",
            ["ic_bas", "survie", "ic_haut"],
            Unit.SHARE.value,
        ),
        note=" ; ".join(words) + ". " + _started_by(period),
    )


QUALITY_COLUMNS = [
    "association",
    "binomes_actifs",
    "sans_rencontre_30j",
    "rythme_dans_la_norme",
    "rythme_evalues",
    "ruptures_precoces",
    "cohorte_ruptures",
    "bilans_faits",
    "bilans_attendus",
    "jeunes_satisfaits",
    "jeunes_repondants",
    "mentors_satisfaits",
    "mentors_repondants",
]


def _quality_row(name: str, f: dict) -> list:
    """One row of the « Qualité des binômes » table from `followup` figures (None where
    the association does not send the field)."""
    return [
        name,
        f["actifs"],
        f["sans_rencontre_30j"],
        f["rythme"]["dans_la_norme"],
        f["rythme"]["evalues"],
        f["ruptures_precoces"]["ruptures"],
        f["ruptures_precoces"]["cohorte"],
        f["bilans_3_mois"]["faits"],
        f["bilans_3_mois"]["attendus"],
        f["satisfaction"]["jeunes"]["satisfaits"],
        f["satisfaction"]["jeunes"]["repondants"],
        f["satisfaction"]["mentors"]["satisfaits"],
        f["satisfaction"]["mentors"]["repondants"],
    ]


def _quality(data: Dataset, period: Period) -> Section:
    """The guide's « suivi de la qualité » (§6.2): the `qualite` figures of the command
    line, all associations first, then each association."""
    figures = followup.report(data, period)
    rows = [_quality_row("Ensemble", figures)]
    rows += [_quality_row(name, f) for name, f in figures["par_association"].items()]
    rhythm = figures["rythme"]["mediane"]
    told = f"Rythme médian : {number(rhythm, 1)} rencontres par mois. " if rhythm else ""
    return Section(
        "qualite",
        "Qualité des binômes",
        " ".join(
            followup.explained(d)
            for d in (
                followup.SILENCE_DEFINITION,
                followup.RHYTHM_DEFINITION,
                followup.EARLY_BREAKS_DEFINITION,
                followup.REVIEWS_DEFINITION,
                followup.SATISFACTION_DEFINITION,
            )
        ),
        QUALITY_COLUMNS,
        [[_value(v) for v in row] for row in rows],
        labels={"association": "Association"},
        chart=Chart(
            "colonnes",
            "Binômes sans rencontre récente et ruptures précoces",
            "association",
            ["sans_rencontre_30j", "ruptures_precoces"],
            Unit.COUNT.value,
        ),
        note=f"{told}« – » : champ non renseigné par l'association.",
    )


def _compliance(data: Dataset, period: Period) -> Section:
    counts = compliance.alert_counts(data, period.au)
    columns = ["libelle", "gravite", "nombre"]
    return Section(
        "conformite",
        f"Alertes de conformité au {day(period.au)}",
        plain_text(compliance.DEFINITION),
        columns,
        _rows(counts, columns),
        labels={"libelle": "Règle"},
        chart=Chart("barres", "Alertes par règle", "libelle", ["nombre"], "nombre"),
    )


def build(
    data: Dataset,
    period: Period,
    comparison: str = "precedente",
    *,
    compare_du: dt.date | None = None,
    compare_au: dt.date | None = None,
    scope_label: str = "Département",
    hide_small: bool = False,
    threshold: int = 11,
) -> Pack:
    """The pack of `period` over `data` (already cut to the scope), compared with the period
    `comparison` names. `hide_small`: small counts hidden in the tables of places."""
    before = comparison_period(period, comparison, compare_du, compare_au)
    headlines = _headlines(data, period, before)
    sections = [
        _funnel(data, period),
        *_honorabilite(data, period),
        _associations(data, period),
        _territories(data, period),
        _epci(data, period, hide_small, threshold),
        _distances(data, period),
        _durations(data, period),
        _retention(data, period),
        _quality(data, period),
        _compliance(data, period),
    ]
    alerts = [
        {"finding": a.finding, "action": a.action, "calm": a.calm}
        for a in headline.alerts(data, period)
    ]
    return Pack(
        du=period.du,
        au=period.au,
        comparison=comparison,
        comparison_du=before.du,
        comparison_au=before.au,
        scope_label=scope_label,
        small_counts_hidden=hide_small,
        threshold=threshold,
        figures=headlines,
        alerts=alerts,
        sections=sections,
    )
