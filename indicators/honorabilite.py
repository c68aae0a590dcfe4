"""Honorabilité checks of mentors (B2 + FIJAIS): delays against a target, pending requests.

See docs/domaine.md (« Indicateurs »). The requests of a period are those whose
`date_transmission_cd` falls in it; `au` is the as-of date: a return dated after `au` is not
yet known, so the request is pending at `au`.

Targets are in working days (jours ouvrés, `indicators.workdays`: Monday to Friday without
the public holidays of the département served, `settings.DEPARTEMENT`):
- `cd_b2_fijais`: 3 working days by default (the guide expects 2-3 days);
- `attestation_nationale`: the guide says "about 15 days", read as calendar days (the
  online request goes through the postal-free national service); 15 calendar days are
  about 11 working days, so the default target is 11 working days. Both are parameters.
"""

from __future__ import annotations

import pandas as pd

from domain.formatting import number
from indicators.dataset import Dataset, Period, memoized
from indicators.stats import (
    as_of,
    known_by,
    median,
    month_start,
    none_if_nan,
    p90,
    rate,
    rounded,
)
from indicators.territory import served_departement
from indicators.workdays import working_days_between

DEFAULT_TARGET_WORKING_DAYS = 3  # cd_b2_fijais
ATTESTATION_TARGET_WORKING_DAYS = 11  # attestation_nationale: ~15 calendar days
DEFAULT_VOIE = "cd_b2_fijais"
TARGETS = {
    "cd_b2_fijais": DEFAULT_TARGET_WORKING_DAYS,
    "attestation_nationale": ATTESTATION_TARGET_WORKING_DAYS,
}
VOIE_LABELS = {
    "cd_b2_fijais": "B2 / FIJAIS par le CD",
    "attestation_nationale": "Attestation nationale d'honorabilité",
}

SUMMARY_KEYS = [
    "demandes",
    "traitees",
    "en_attente",
    "delai_median_jours",
    "delai_p90_jours",
    "delai_median_jours_ouvres",
    "part_dans_objectif",
    "objectif_jours_ouvres",
]

DEFINITION = (
    "**Demandes** : les demandes de vérification d'honorabilité (B2 et FIJAIS) dont la date "
    "de transmission au CD tombe dans la période choisie (bornes incluses).\n\n"
    "**Délai** : du jour de transmission au CD au jour du retour, en jours calendaires et en "
    "jours ouvrés (du lundi au vendredi, hors jours fériés du département servi : les fériés "
    "nationaux, plus le vendredi saint et le 26 décembre en Alsace-Moselle, l'abolition de "
    "l'esclavage outre-mer). Une demande transmise un vendredi et revenue le lundi suivant a "
    "pris 1 jour ouvré.\n\n"
    f"**Objectif** : {DEFAULT_TARGET_WORKING_DAYS} jours ouvrés par défaut pour la voie B2 / "
    f"FIJAIS du CD ; {ATTESTATION_TARGET_WORKING_DAYS} jours ouvrés (environ 15 jours "
    "calendaires) pour l'attestation nationale d'honorabilité. La part dans l'objectif se "
    "calcule sur les demandes traitées.\n\n"
    "**En attente** : une demande sans retour connu à la date de fin de période ; son "
    "ancienneté se compte depuis la transmission au CD. Elle est en retard quand son "
    "ancienneté en jours ouvrés dépasse l'objectif."
)

SEGMENTS = [  # (key, label, start column, end column)
    ("association_cd", "Association → CD", "date_collecte", "date_transmission_cd"),
    ("cd_service", "CD → service", "date_transmission_cd", "date_demande_service"),
    ("service_retour", "Service → retour au CD", "date_demande_service", "date_retour"),
]

REQUEST_COLUMNS = [
    "id_source",
    "association",
    "id_mentor",
    "voie",
    "date_collecte",
    "date_transmission_cd",
    "date_demande_service",
    "date_retour",
    "resultat",
    "delai_jours",
    "delai_jours_ouvres",
    "objectif_jours_ouvres",
    "dans_objectif",
    "en_attente",
    "age_jours",
    "age_jours_ouvres",
]


def target_for(voie: str, targets: dict[str, int] | None = None) -> int:
    """The target in working days of a voie (unknown voie: the B2/FIJAIS target)."""
    merged = {**TARGETS, **(targets or {})}
    return int(merged.get(voie, merged[DEFAULT_VOIE]))


def requests(
    dataset: Dataset, period: Period, targets: dict[str, int] | None = None
) -> pd.DataFrame:
    """One row per request transmitted in the period (REQUEST_COLUMNS).

    Dates after `au` are NaT (not yet known). `delai_jours` / `delai_jours_ouvres`: return −
    transmission, for treated requests (<NA> when the return predates the transmission, an
    inconsistent row left out of the delays); `dans_objectif`: delay in working days ≤ the
    voie's target (<NA> when pending or inconsistent); `en_attente`: no return known by
    `au`; `age_jours` / `age_jours_ouvres`: age at `au` of a pending request. Working days
    skip the public holidays of the département served, read on every call: the memo of
    the dataset is kept per département.
    """
    return _requests(dataset, period, targets, served_departement())


@memoized
def _requests(
    dataset: Dataset, period: Period, targets: dict[str, int] | None, departement: str
) -> pd.DataFrame:
    d = dataset.demandes
    d = d[period.contains(d["date_transmission_cd"])]
    au = as_of(period.au)
    out = pd.DataFrame(index=d.index)
    for col in ("id_source", "association", "id_mentor", "voie"):
        out[col] = d[col].astype("object")
    for col in ("date_collecte", "date_transmission_cd", "date_demande_service", "date_retour"):
        out[col] = known_by(d[col], au)
    sent, back = out["date_transmission_cd"], out["date_retour"]
    out["resultat"] = d["resultat"].astype("object").where(back.notna(), None)
    calendar = (back - sent).dt.days.astype("Int64")
    consistent = calendar.notna() & (calendar >= 0)
    out["delai_jours"] = calendar.where(consistent)
    out["delai_jours_ouvres"] = working_days_between(sent, back, departement).where(consistent)
    merged = {**TARGETS, **(targets or {})}
    out["objectif_jours_ouvres"] = (
        out["voie"].map(merged).fillna(merged[DEFAULT_VOIE]).astype("int64")
    )
    within = out["delai_jours_ouvres"] <= out["objectif_jours_ouvres"]
    out["dans_objectif"] = within.astype("boolean").where(consistent)
    pending = back.isna()
    out["en_attente"] = pending.to_numpy(dtype=bool)
    today = pd.Series(au, index=out.index)
    out["age_jours"] = (today - sent).dt.days.astype("Int64").where(pending)
    out["age_jours_ouvres"] = working_days_between(sent, today, departement).where(pending)
    return out[REQUEST_COLUMNS].reset_index(drop=True)


def _of_voie(frame: pd.DataFrame, voie: str | None) -> pd.DataFrame:
    return frame if voie is None else frame[frame["voie"] == voie]


def _aggregate(r: pd.DataFrame) -> dict:
    treated = r[~r["en_attente"]]
    judged = treated["dans_objectif"].dropna()
    return {
        "demandes": len(r),
        "traitees": len(treated),
        "en_attente": int(r["en_attente"].sum()),
        "delai_median_jours": rounded(median(treated["delai_jours"])),
        "delai_p90_jours": rounded(p90(treated["delai_jours"])),
        "delai_median_jours_ouvres": rounded(median(treated["delai_jours_ouvres"])),
        "part_dans_objectif": rate(int(judged.sum()), len(judged)),
    }


def _targets(voie: str | None, target: int | None) -> dict[str, int] | None:
    return None if voie is None or target is None else {voie: target}


def summary(
    dataset: Dataset,
    period: Period,
    voie: str | None = DEFAULT_VOIE,
    target: int | None = None,
) -> dict:
    """The headline figures of a voie (SUMMARY_KEYS), for the page and the CLI JSON.

    `target` (working days) defaults to the voie's own target (3 for `cd_b2_fijais`).
    `voie=None` takes every request, each judged against its own voie's target
    (`objectif_jours_ouvres` is then None). Delays are medians / p90 over treated requests
    (1 decimal); `part_dans_objectif` is a fraction 0-1 (4 decimals), None when none treated.
    """
    targets = _targets(voie, target)
    r = _of_voie(requests(dataset, period, targets), voie)
    figures = _aggregate(r)
    figures["objectif_jours_ouvres"] = None if voie is None else target_for(voie, targets)
    return {key: figures[key] for key in SUMMARY_KEYS}


def _grouped(r: pd.DataFrame, key: str) -> pd.DataFrame:
    """Per value of `key`: demandes, traitees, en_attente, delay medians / p90, share
    within target (vectorised groupby; quantiles with linear interpolation)."""
    treated = r[~r["en_attente"]]
    g = r.groupby(key, sort=True)
    judged = treated[treated["dans_objectif"].notna()]
    j = judged.assign(ok=judged["dans_objectif"].astype(bool)).groupby(key, sort=True)["ok"]
    as_float = treated.assign(
        c=treated["delai_jours"].astype("float"), w=treated["delai_jours_ouvres"].astype("float")
    ).groupby(key, sort=True)
    out = pd.DataFrame(
        {
            "demandes": g.size(),
            "traitees": as_float.size(),
            "en_attente": g["en_attente"].sum(),
            "delai_median_jours": as_float["c"].median(),
            "delai_p90_jours": as_float["c"].quantile(0.9),
            "delai_median_jours_ouvres": as_float["w"].median(),
            "part_dans_objectif": j.sum() / j.size(),
        }
    )
    for col in ("demandes", "traitees", "en_attente"):
        out[col] = out[col].fillna(0).astype("int64")
    for col in ("delai_median_jours", "delai_p90_jours", "delai_median_jours_ouvres"):
        out[col] = out[col].astype(float).round(1)
    out["part_dans_objectif"] = out["part_dans_objectif"].astype(float).round(4)
    out.index.name = key
    return out.reset_index()


_NULLABLE = [
    "delai_median_jours",
    "delai_p90_jours",
    "delai_median_jours_ouvres",
    "part_dans_objectif",
]


def segments(dataset: Dataset, period: Period, voie: str | None = DEFAULT_VOIE) -> pd.DataFrame:
    """Where the time goes, in calendar days: association → CD (collecte → transmission),
    CD → service (transmission → demande au service), service → retour. Columns `segment`,
    `libelle`, `demandes_mesurees` (requests with both dates known by `au` and in order),
    `delai_median_jours`, `delai_p90_jours`. The national attestation has no CD → service
    step, hence `voie` defaults to the CD route."""
    r = _of_voie(requests(dataset, period), voie)
    rows = []
    for key, label, start, end in SEGMENTS:
        days = (r[end] - r[start]).dt.days
        days = days[days.notna() & (days >= 0)]
        rows.append(
            {
                "segment": key,
                "libelle": label,
                "demandes_mesurees": len(days),
                "delai_median_jours": rounded(median(days)),
                "delai_p90_jours": rounded(p90(days)),
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "segment",
            "libelle",
            "demandes_mesurees",
            "delai_median_jours",
            "delai_p90_jours",
        ],
    ).astype({"delai_median_jours": "object", "delai_p90_jours": "object"})


def monthly(
    dataset: Dataset,
    period: Period,
    voie: str | None = DEFAULT_VOIE,
    target: int | None = None,
) -> pd.DataFrame:
    """Per month of transmission (`mois`, first day of the month; months with no request
    are left out): demandes, traitees, en_attente, delai_median_jours, delai_p90_jours,
    delai_median_jours_ouvres, part_dans_objectif (fraction 0-1 or None). `target`
    (working days) replaces the voie's own target, as in `summary`."""
    r = _of_voie(requests(dataset, period, _targets(voie, target)), voie)
    r = r.assign(mois=month_start(r["date_transmission_cd"]))
    return none_if_nan(_grouped(r, "mois"), _NULLABLE)


def by_association(
    dataset: Dataset,
    period: Period,
    voie: str | None = DEFAULT_VOIE,
    target: int | None = None,
) -> pd.DataFrame:
    """Per association: the columns of `monthly` with `association` instead of `mois`,
    sorted by association."""
    r = _of_voie(requests(dataset, period, _targets(voie, target)), voie)
    return none_if_nan(_grouped(r, "association"), _NULLABLE)


def by_voie(dataset: Dataset, period: Period) -> pd.DataFrame:
    """Per voie (every request judged against its own voie's target): the columns of
    `monthly` with `voie` instead of `mois`, plus `objectif_jours_ouvres`."""
    r = requests(dataset, period)
    out = none_if_nan(_grouped(r, "voie"), _NULLABLE)
    return out.assign(objectif_jours_ouvres=[target_for(v) for v in out["voie"]])


def pending(
    dataset: Dataset, period: Period, targets: dict[str, int] | None = None
) -> pd.DataFrame:
    """Requests of the period without a return at `au`, every voie: `association`,
    `id_source`, `voie`, `date_transmission_cd` (date), `age_jours`, `age_jours_ouvres`,
    `objectif_jours_ouvres`, `en_retard` (age in working days > target; `targets` replaces
    the targets of the voies it names). Overdue first, then oldest first."""
    r = requests(dataset, period, targets)
    r = r[r["en_attente"]]
    out = pd.DataFrame(
        {
            "association": r["association"],
            "id_source": r["id_source"],
            "voie": r["voie"],
            "date_transmission_cd": r["date_transmission_cd"].dt.date,
            "age_jours": r["age_jours"].astype("int64"),
            "age_jours_ouvres": r["age_jours_ouvres"].astype("int64"),
            "objectif_jours_ouvres": r["objectif_jours_ouvres"],
            "en_retard": (r["age_jours_ouvres"] > r["objectif_jours_ouvres"]).to_numpy(bool),
        }
    )
    out = out.sort_values(
        ["en_retard", "age_jours", "association", "id_source"],
        ascending=[False, False, True, True],
    )
    return out.reset_index(drop=True)


def delay_distribution(
    dataset: Dataset,
    period: Period,
    voie: str | None = DEFAULT_VOIE,
    last: int = 15,
    working_days: bool = False,
) -> pd.DataFrame:
    """How many treated requests took each number of calendar days (of working days with
    `working_days`, the unit of the target): `delai_jours` or `delai_jours_ouvres` (every
    day from 0 to the longest delay, zeros included; delays of `last` days or more are
    counted together on the row `last`), `libelle` ("3 j", "15 j et plus"), `traitees`,
    `part` (fraction 0-1 of the treated requests with a consistent delay, 4 decimals).
    Empty when none is treated."""
    r = _of_voie(requests(dataset, period), voie)
    column = "delai_jours_ouvres" if working_days else "delai_jours"
    days = r[column].dropna().astype("int64").clip(upper=last)
    counts = days.value_counts().reindex(range(int(days.max()) + 1 if len(days) else 0))
    counts = counts.fillna(0).astype("int64")
    frame = pd.DataFrame(
        {
            column: counts.index.to_numpy(dtype="int64"),
            "libelle": [f"{d} j" + (" et plus" if d == last else "") for d in counts.index],
            "traitees": counts.to_numpy(dtype="int64"),
            "part": (counts / max(len(days), 1)).round(4).to_numpy(dtype=float),
        }
    )
    return frame


def _plural(n: int, word: str) -> str:
    return f"{number(n)} {word}{'s' if n > 1 else ''}"


_VOIE_SHORT = {
    "cd_b2_fijais": "B2 / FIJAIS par le CD",
    "attestation_nationale": "en attestation nationale",
}


def overdue_alert(waiting: pd.DataFrame) -> tuple[str, str] | None:
    """Plain French reading of a `pending` frame: (finding, what to do) about the overdue
    requests, None when none is overdue."""
    late = waiting[waiting["en_retard"]]
    if late.empty:
        return None
    oldest = late.sort_values("age_jours", ascending=False, kind="stable").iloc[0]
    by_voie = late["voie"].value_counts()
    parts = [f"{number(int(by_voie[v]))} {_VOIE_SHORT[v]}" for v in _VOIE_SHORT if v in by_voie]
    finding = (
        f"{_plural(len(late), 'demande')} d'honorabilité en retard sur l'objectif "
        f"({', '.join(parts)}) ; la plus ancienne attend un retour depuis "
        f"{number(int(oldest['age_jours']))} jours ({oldest['association']})."
    )
    action = (
        "Relancer le service honorabilité pour les demandes transmises par le CD, et les "
        "bénévoles pour les attestations nationales : sans retour favorable, le mentorat ne "
        "peut pas démarrer."
    )
    return finding, action
