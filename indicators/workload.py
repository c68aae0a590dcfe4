"""Association load at the as-of date (docs/domaine.md, « Indicateurs »).

- active binôme: `date_debut` ≤ au and no `date_fin` ≤ au;
- youth waiting for a mentor: `date_attribution` ≤ au, mise en relation not reached by au
  (`indicators.steps.reached`), no `date_fin` ≤ au. As in the funnel, a later step proves
  the earlier ones: a parcours with a favourable honorabilité, a `date_convention` or a
  `date_debut` by au has its mentor even when the `date_mise_en_relation` is missing (the
  missing date is a compliance alert, not a wait);
- load = active binômes / capacity of the referential (binômes funded by the convention);
  not computed (NaN) when the capacity is unknown or zero.

Parcours without association (CD fiches not yet sent) are left out of every figure here:
they wait for an association, not for a mentor. Ratios are fractions (0.48 = 48 %); in
frames, "not computable" is NaN; `association_load_records` gives JSON-ready rows (None).
Medians interpolate linearly (pandas' group median, the same as `indicators.stats.median`).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from domain.formatting import percent
from domain.text import normalise_key
from indicators.dataset import Dataset, Period, memoized
from indicators.stats import as_of, known_by, month_start, months, rate
from indicators.steps import reached

DEFINITION = (
    "Charge des associations à la date d'arrêté. Binômes actifs : mentorats démarrés "
    "(date de début au plus tard à cette date) et non terminés à cette date. Jeunes en "
    "attente de mentor : jeunes attribués à l'association, sans mise en relation (ni "
    "étape ultérieure : honorabilité, convention, démarrage) et sans date de fin à cette "
    "date. Taux de charge : binômes "
    "actifs rapportés à la capacité de l'association (binômes financés par la convention "
    "avec le Département) ; non calculé quand la capacité n'est pas renseignée. Les fiches "
    "du Département pas encore transmises à une association ne sont pas comptées ici."
)

INFLOW_DEFINITION = (
    "Flux mensuel : nombre de jeunes attribués à chaque association, par mois de la date "
    "d'attribution (date à laquelle le Département a transmis la fiche, ou date d'inscription "
    "auprès de l'association), sur la période."
)

DELAY_DEFINITION = (
    "Délai pour trouver un mentor : nombre médian de jours entre l'attribution à "
    "l'association et la mise en relation avec un mentor, pour les jeunes inscrits sur la "
    "période et mis en relation à la date d'arrêté. Les jeunes encore en attente ne sont pas "
    "comptés ici : voir « Jeunes en attente de mentor »."
)

SHARE_DEFINITION = (
    "Part du flux départemental : jeunes inscrits sur la période et confiés à chaque "
    "association, rapportés à l'ensemble des jeunes inscrits sur la période qui ont une "
    "association (les fiches pas encore transmises ne sont pas comptées)."
)

LOAD_COLUMNS = ["association", "binomes_actifs", "en_attente_binome", "capacite", "taux_charge"]

OVERLOAD = 1.0  # load from which an association is reported as over capacity
UNDERUSE = 0.5  # load below which it is reported as under-used


def known(dates: pd.Series, au: dt.date | pd.Timestamp) -> pd.Series:
    """True where the date is known by `au` (NaT and later dates are unknown)."""
    return known_by(dates, au).notna()


def active_mask(parcours: pd.DataFrame, au: dt.date) -> pd.Series:
    """Binômes running at `au`."""
    return known(parcours["date_debut"], au) & ~known(parcours["date_fin"], au)


def waiting_mask(parcours: pd.DataFrame, au: dt.date) -> pd.Series:
    """Youths with an association, attributed by `au`, still without a mentor at `au`."""
    matched = reached(parcours, au)["mise_en_relation"]
    return (
        parcours["association"].notna()
        & known(parcours["date_attribution"], au)
        & ~matched
        & ~known(parcours["date_fin"], au)
    )


def ratios(numerators: pd.Series, denominators: pd.Series) -> pd.Series:
    """Element-wise `indicators.stats.rate` (fraction rounded to 4 the way Python rounds,
    as every other rate of the dashboard); NaN where the denominator is 0 or unknown."""
    values = [
        rate(n, d) if pd.notna(n) else None
        for n, d in zip(numerators.tolist(), denominators.tolist(), strict=True)
    ]
    return pd.Series(
        [np.nan if v is None else v for v in values], index=numerators.index, dtype="float64"
    )


def association_names(dataset: Dataset) -> list[str]:
    """Associations of the referential or of the parcours, sorted by name (accents ignored)."""
    names: set[str] = set(dataset.parcours["association"].dropna())
    if not dataset.associations.empty and "nom" in dataset.associations:
        names |= set(dataset.associations["nom"].dropna())
    return sorted(names, key=lambda n: (normalise_key(n), n))


def capacities(dataset: Dataset) -> pd.Series:
    """Capacity by association name (Int64, <NA> when unknown)."""
    a = dataset.associations
    if a.empty or "capacite" not in a:
        return pd.Series(dtype="Int64")
    return a.drop_duplicates("nom").set_index("nom")["capacite"].astype("Int64")


@memoized
def association_load(dataset: Dataset, au: dt.date) -> pd.DataFrame:
    """One row per association: `association`, `binomes_actifs`, `en_attente_binome`,
    `capacite` (Int64), `taux_charge` (fraction rounded to 4, NaN without capacity)."""
    p = dataset.parcours
    names = association_names(dataset)
    active = p.loc[active_mask(p, au), "association"].value_counts()
    waiting = p.loc[waiting_mask(p, au), "association"].value_counts()
    frame = pd.DataFrame({"association": names})
    frame["binomes_actifs"] = active.reindex(names, fill_value=0).to_numpy(dtype="int64")
    frame["en_attente_binome"] = waiting.reindex(names, fill_value=0).to_numpy(dtype="int64")
    frame["capacite"] = capacities(dataset).reindex(names).to_numpy()
    frame["capacite"] = frame["capacite"].astype("Int64")
    capacity = frame["capacite"].astype("float64")
    capacity = capacity.where(capacity > 0)
    frame["taux_charge"] = ratios(frame["binomes_actifs"], capacity)
    return frame[LOAD_COLUMNS]


def association_load_records(dataset: Dataset, au: dt.date) -> list[dict]:
    """`association_load` as plain JSON-ready dicts (None for unknown capacity or load)."""
    records = []
    for row in association_load(dataset, au).itertuples(index=False):
        records.append(
            {
                "association": row.association,
                "binomes_actifs": int(row.binomes_actifs),
                "en_attente_binome": int(row.en_attente_binome),
                "capacite": None if pd.isna(row.capacite) else int(row.capacite),
                "taux_charge": None if pd.isna(row.taux_charge) else float(row.taux_charge),
            }
        )
    return records


def waiting(dataset: Dataset, au: dt.date) -> pd.DataFrame:
    """Youths waiting for a mentor at `au`: `association`, `id_source`, `commune_insee`,
    `date_attribution`, `jours_attente` (days since attribution), longest wait first."""
    p = dataset.parcours
    rows = p.loc[
        waiting_mask(p, au), ["association", "id_source", "commune_insee", "date_attribution"]
    ].copy()
    rows["jours_attente"] = (as_of(au) - rows["date_attribution"]).dt.days.astype("int64")
    return rows.sort_values(
        ["jours_attente", "association", "id_source"], ascending=[False, True, True]
    ).reset_index(drop=True)


def waiting_summary(dataset: Dataset, au: dt.date) -> pd.DataFrame:
    """Per association: `en_attente_binome` (count) and `attente_mediane_jours` (NaN when none)."""
    rows = waiting(dataset, au)
    names = association_names(dataset)
    grouped = rows.groupby("association")["jours_attente"]
    return pd.DataFrame(
        {
            "association": names,
            "en_attente_binome": grouped.size()
            .reindex(names, fill_value=0)
            .to_numpy(dtype="int64"),
            "attente_mediane_jours": grouped.median().reindex(names).to_numpy(dtype=float),
        }
    )


def monthly_inflow(
    dataset: Dataset, period: Period, known_until: dt.date | None = None
) -> pd.DataFrame:
    """Youths attributed to each association per month of `date_attribution` (in the
    period): `association`, `mois` (first day of the month), `attributions`; every
    association × month of the period, zeros included, up to the month of `known_until`
    (the data date: a later month is not known yet, it is left out rather than drawn as
    zero)."""
    p = dataset.parcours
    inflow = p[p["association"].notna() & period.contains(p["date_attribution"])]
    month = month_start(inflow["date_attribution"])
    counts = inflow.groupby([inflow["association"], month]).size()
    grid = pd.MultiIndex.from_product(
        [association_names(dataset), months(period, known_until)], names=["association", "mois"]
    )
    counts.index = counts.index.set_names(["association", "mois"])
    return counts.reindex(grid, fill_value=0).astype("int64").rename("attributions").reset_index()


@memoized
def _cohort(dataset: Dataset, period: Period) -> pd.DataFrame:
    p = dataset.parcours
    return p[period.contains(p["date_inscription"])]


def median_days_to_mentor(dataset: Dataset, period: Period) -> pd.DataFrame:
    """Per association, for the cohort (inscription in the period) matched with a mentor
    by `au`: `mis_en_relation` (count) and `delai_mise_en_relation` (attribution → mise en
    relation, NaN when none). Negative delays (dates out of order) are left out."""
    cohort = _cohort(dataset, period)
    au = period.au
    days = (cohort["date_mise_en_relation"] - cohort["date_attribution"]).dt.days
    keep = (
        cohort["association"].notna()
        & known(cohort["date_mise_en_relation"], au)
        & known(cohort["date_attribution"], au)
        & (days >= 0).fillna(False).astype(bool)
    )
    grouped = days[keep].groupby(cohort.loc[keep, "association"])
    names = association_names(dataset)
    return pd.DataFrame(
        {
            "association": names,
            "mis_en_relation": grouped.size().reindex(names, fill_value=0).to_numpy("int64"),
            "delai_mise_en_relation": grouped.median().reindex(names).to_numpy(dtype=float),
        }
    )


def flow_share(dataset: Dataset, period: Period) -> pd.DataFrame:
    """Per association: `jeunes_confies` of the cohort and `part_du_flux` of the cohort
    parcours that have an association (fraction rounded to 4; NaN when the cohort is empty)."""
    cohort = _cohort(dataset, period)
    counts = cohort["association"].dropna().value_counts()
    names = association_names(dataset)
    jeunes = counts.reindex(names, fill_value=0).to_numpy(dtype="int64")
    total = jeunes.sum()
    share = ratios(pd.Series(jeunes), pd.Series(total, index=range(len(names))))
    return pd.DataFrame(
        {"association": names, "jeunes_confies": jeunes, "part_du_flux": share.to_numpy()}
    )


# --- plain-French reading ------------------------------------------------------------------------


def _youths(n: int) -> str:
    return f"{n} jeune{'s' if n > 1 else ''} en attente"


def _binomes(n: int) -> str:
    return f"{n} binôme{'s' if n > 1 else ''} actif{'s' if n > 1 else ''}"


def _places(n: int) -> str:
    return f"{n} place{'s' if n > 1 else ''} disponible{'s' if n > 1 else ''}"


def served_communes(value: object) -> frozenset[str]:
    """INSEE codes of a `communes_servies` cell (";", "," or spaces between codes; a code
    that lost its leading zero, "1004", is padded back). Empty set: not known."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return frozenset()
    codes = set()
    for token in str(value).replace(",", ";").replace(" ", ";").split(";"):
        token = token.strip().upper()
        if token.isdigit() and len(token) == 4:
            token = token.zfill(5)
        if len(token) == 5:
            codes.add(token)
    return frozenset(codes)


def imbalance(load_frame: pd.DataFrame, associations: pd.DataFrame | None = None) -> list[str]:
    """Plain French findings on an `association_load` frame, one per association at most,
    most pressing first:
    1. at or over capacity (load ≥ 100 %), with its youths waiting and, when the
       referential `associations` lists served communes, the association serving some of
       the same communes with the most places left;
    2. under-used (load < 50 %), with its places left and youths waiting (waiting youths
       beside free places: the lack is of mentors, not of funded places);
    3. active binômes or waiting youths but no capacity in the referential.
    Associations between 50 % and 100 % are not mentioned."""
    frame = load_frame.copy()
    capacity = frame["capacite"].astype("float64")
    frame["places"] = (capacity - frame["binomes_actifs"]).clip(lower=0)
    rate = frame["taux_charge"]
    served: dict[str, frozenset[str]] = {}
    if associations is not None and not associations.empty and "communes_servies" in associations:
        for ref in associations.itertuples():
            codes = served_communes(ref.communes_servies)
            if codes:
                served[ref.nom] = codes
    spare = frame[(frame["places"] > 0) & (rate < OVERLOAD)]
    findings: list[str] = []

    for row in frame[rate >= OVERLOAD].sort_values("taux_charge", ascending=False).itertuples():
        text = f"{row.association} est à {percent(row.taux_charge, 0)} de sa capacité"
        if row.en_attente_binome:
            text += f" avec {_youths(int(row.en_attente_binome))}"
        mine = served.get(row.association, frozenset())
        others = [o for o in spare.itertuples() if served.get(o.association, frozenset()) & mine]
        if others:
            best = max(others, key=lambda o: o.places)
            text += (
                f", alors que {best.association}, qui dessert une partie des mêmes communes, "
                f"a {_places(int(best.places))}"
            )
        findings.append(text)

    for row in frame[rate < UNDERUSE].sort_values("taux_charge").itertuples():
        text = f"{row.association} est à {percent(row.taux_charge, 0)} de sa capacité "
        text += f"({_places(int(row.places))}"
        if row.en_attente_binome:
            text += f", {_youths(int(row.en_attente_binome))} de mentor"
        findings.append(text + ")")

    unknown = frame[
        frame["capacite"].isna()
        & ((frame["binomes_actifs"] > 0) | (frame["en_attente_binome"] > 0))
    ]
    for row in unknown.itertuples():
        findings.append(
            f"{row.association} : capacité non renseignée dans le référentiel, "
            f"taux de charge non calculé ({_binomes(int(row.binomes_actifs))})"
        )
    return findings
