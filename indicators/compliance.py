"""Compliance alerts: the rules the data must respect (docs/domaine.md, « Règles que les
données doivent respecter »), checked on every parcours known at the as-of date, whatever its
inscription date.

A parcours is *known at `au`* when its inscription date is on or before `au`, or missing
(a CD fiche may carry no inscription date). Apart from `date_future`, every rule reads the
dates as known at `au` (a later date counts as unknown, like in the funnel); a date after
`au` is itself reported by `date_future`, so the rules do not report the same date twice.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from domain.steps import ADULT_AGE
from indicators.dataset import EARLIEST_START, Dataset, memoized
from indicators.stats import as_of, known_by

DEFINITION = (
    "**Parcours contrôlés** : tous les parcours connus à la date d'observation (inscrits au "
    "plus tard ce jour-là, ou sans date d'inscription), quelle que soit leur date "
    "d'inscription, dans le périmètre des filtres.\n\n"
    "**Règles** (une alerte par parcours et par règle non respectée) :\n"
    "- *critique* : démarrage sans convention signée ; démarrage avant un retour favorable "
    "de l'honorabilité du mentor ; convention ou démarrage alors que l'honorabilité est "
    "défavorable ; jeune mineur à l'inscription démarré sans autorisation parentale ;\n"
    "- *majeure* : démarrage avant la date de convention ; dates dans le désordre "
    "(convention avant la mise en relation, fin avant le démarrage) ;\n"
    "- *à vérifier* : date postérieure à la date d'observation (date future au regard de "
    "la période choisie : avec la période par défaut, une date postérieure à aujourd'hui, "
    "donc une erreur de saisie probable) ; date antérieure au 01/01/2015.\n\n"
    "Une date postérieure à la date d'observation est considérée comme inconnue par les "
    "autres règles. **Depuis** : la date à laquelle le manquement a commencé (par exemple "
    "la date de démarrage pour un démarrage sans convention). Les alertes sont triées de "
    "la plus grave à la moins grave, puis de la plus ancienne à la plus récente."
)

ALERT_COLUMNS = ["association", "id_source", "regle", "libelle", "gravite", "depuis", "detail"]

GRAVITY_LABELS = {1: "critique", 2: "majeure", 3: "à vérifier"}

# rule -> (French label, gravity); the order is the fixed order of `counts`
RULES = {
    "activite_apres_defavorable": ("Activité malgré une honorabilité défavorable", 1),
    "debut_avant_honorabilite": ("Démarrage avant une honorabilité favorable", 1),
    "mineur_sans_autorisation": ("Mineur démarré sans autorisation parentale", 1),
    "debut_sans_convention": ("Démarrage sans convention", 1),
    "debut_avant_convention": ("Démarrage avant la convention", 2),
    "dates_desordre": ("Dates dans le désordre", 2),
    "date_future": ("Date future", 3),
    "date_trop_ancienne": ("Date antérieure à 2015", 3),
}

OLDEST_PLAUSIBLE = pd.Timestamp(EARLIEST_START)  # also the first day a period may start

# every date of a parcours checked by `date_future` and `date_trop_ancienne`
DATE_LABELS = {
    "date_proposition": "proposition",
    "date_inscription": "inscription",
    "date_attribution": "attribution",
    "date_autorisation_parentale": "autorisation parentale",
    "date_mise_en_relation": "mise en relation",
    "date_honorabilite": "honorabilité favorable",
    "date_honorabilite_defavorable": "honorabilité défavorable",
    "date_convention": "convention",
    "date_debut": "démarrage",
    "date_fin": "fin",
}


def _day(value) -> str:
    return "–" if pd.isna(value) else pd.Timestamp(value).strftime("%d/%m/%Y")


@memoized
def known_parcours(dataset: Dataset, au: dt.date) -> pd.DataFrame:
    """The parcours known at `au`: inscribed by `au`, or without an inscription date."""
    p = dataset.parcours
    inscription = p["date_inscription"]
    return p[inscription.isna() | (inscription <= as_of(au))]


def _rows(p: pd.DataFrame, mask: pd.Series, rule: str, since: pd.Series, detail) -> pd.DataFrame:
    """The alerts of one rule: the parcours where `mask` holds; `detail` is a Series of
    texts or a function of a row (a namedtuple of the parcours columns)."""
    mask = mask.fillna(False).astype(bool)
    hit = p[mask]
    label, gravity = RULES[rule]
    return pd.DataFrame(
        {
            "association": hit["association"].astype("object"),
            "id_source": hit["id_source"].astype("object"),
            "regle": rule,
            "libelle": label,
            "gravite": gravity,
            "depuis": since[mask],
            "detail": (
                detail[mask].astype("object")
                if isinstance(detail, pd.Series)
                else [detail(row) for row in hit.itertuples(index=False)]
            ),
        },
        columns=ALERT_COLUMNS,
    )


def _date_rule(p: pd.DataFrame, rule: str, wrong) -> pd.DataFrame:
    """One alert per parcours with at least one date for which `wrong(dates)` holds;
    `depuis` is the earliest such date, `detail` lists them."""
    columns = [c for c in DATE_LABELS if c in p.columns]
    flags = pd.DataFrame({c: wrong(p[c]).fillna(False) for c in columns}, index=p.index)
    mask = flags.any(axis=1)
    since = p[columns].where(flags).min(axis=1)
    details = pd.Series("", index=p.index, dtype="object")
    for c in columns:
        on = flags[c]
        text = DATE_LABELS[c] + " le " + p.loc[on, c].dt.strftime("%d/%m/%Y")
        details[on] = details[on].where(details[on] == "", details[on] + ", ") + text
    return _rows(p, mask, rule, since, details)


Dates = dict[str, pd.Series]  # date column -> its values known at the as-of date


def _honorabilite_rules(p: pd.DataFrame, d: Dates, at: pd.Timestamp) -> list[pd.DataFrame]:
    """Activity after a défavorable check; a start before a favourable one."""
    debut, convention = d["date_debut"], d["date_convention"]
    activity = pd.concat([convention, debut], axis=1).min(axis=1)
    defavorable = p["resultat_honorabilite"].astype("object") == "defavorable"
    favourable = d["date_honorabilite"]
    return [
        _rows(
            p,
            defavorable & activity.notna(),
            "activite_apres_defavorable",
            activity,
            lambda r: (
                f"honorabilité défavorable (retour le {_day(r.date_honorabilite_defavorable)}), "
                f"convention le {_day(r.date_convention)}, démarrage le {_day(r.date_debut)}"
            ),
        ),
        _rows(
            p,
            debut.notna() & (favourable.isna() | (favourable > debut)),
            "debut_avant_honorabilite",
            debut,
            lambda r: (
                f"démarrage le {_day(r.date_debut)}, retour favorable "
                + (
                    f"le {_day(r.date_honorabilite)}"
                    if pd.notna(r.date_honorabilite) and r.date_honorabilite <= at
                    else "absent"
                )
            ),
        ),
    ]


def _start_rules(p: pd.DataFrame, d: Dates) -> list[pd.DataFrame]:
    """A minor started without parental authorisation; a start without a convention, or
    before it."""
    debut, convention = d["date_debut"], d["date_convention"]
    started = debut.notna()
    age = p["age_inscription"]
    minor = (age.notna() & (age < ADULT_AGE)).fillna(False).astype(bool)
    return [
        _rows(
            p,
            minor & started & d["date_autorisation_parentale"].isna(),
            "mineur_sans_autorisation",
            debut,
            lambda r: (
                f"{r.age_inscription} ans à l'inscription, démarrage le {_day(r.date_debut)}, "
                "autorisation parentale absente"
            ),
        ),
        _rows(
            p,
            started & convention.isna(),
            "debut_sans_convention",
            debut,
            lambda r: f"démarrage le {_day(r.date_debut)}, convention absente",
        ),
        _rows(
            p,
            started & convention.notna() & (debut < convention),
            "debut_avant_convention",
            debut,
            lambda r: f"démarrage le {_day(r.date_debut)}, convention le {_day(r.date_convention)}",
        ),
    ]


def _order_rule(p: pd.DataFrame, d: Dates, at: pd.Timestamp) -> pd.DataFrame:
    """A convention before the mise en relation, or an end before the start."""
    debut, convention = d["date_debut"], d["date_convention"]
    relation, fin = d["date_mise_en_relation"], d["date_fin"]
    convention_early = convention.notna() & relation.notna() & (convention < relation)
    fin_early = fin.notna() & debut.notna() & (fin < debut)
    since = pd.concat([convention.where(convention_early), fin.where(fin_early)], axis=1)
    return _rows(
        p,
        convention_early | fin_early,
        "dates_desordre",
        since.min(axis=1),
        lambda r: "; ".join(
            part
            for part in (
                f"convention le {_day(r.date_convention)} avant la mise en relation le "
                f"{_day(r.date_mise_en_relation)}"
                if _before(r.date_convention, r.date_mise_en_relation, at)
                else "",
                f"fin le {_day(r.date_fin)} avant le démarrage le {_day(r.date_debut)}"
                if _before(r.date_fin, r.date_debut, at)
                else "",
            )
            if part
        ),
    )


@memoized
def alerts(dataset: Dataset, au: dt.date) -> pd.DataFrame:
    """One row per (parcours known at `au`, rule broken): `association`, `id_source`,
    `regle` (a key of RULES), `libelle`, `gravite` (1 critique, 2 majeure, 3 à vérifier),
    `depuis` (datetime: when the breach started), `detail` (French, the dates involved).
    Most serious first, then oldest `depuis`, then association and id."""
    p = known_parcours(dataset, au)
    at = as_of(au)
    d = {c: known_by(p[c], at) for c in DATE_LABELS}
    frames = [
        *_honorabilite_rules(p, d, at),
        *_start_rules(p, d),
        _order_rule(p, d, at),
        _date_rule(p, "date_future", lambda s: s > at),
        _date_rule(p, "date_trop_ancienne", lambda s: s < OLDEST_PLAUSIBLE),
    ]
    out = pd.concat([f for f in frames if not f.empty] or [frames[0]], ignore_index=True)
    out["gravite"] = out["gravite"].astype("int64")
    out["depuis"] = pd.to_datetime(out["depuis"])
    out = out.sort_values(
        ["gravite", "depuis", "association", "id_source", "regle"], na_position="last"
    )
    return out[ALERT_COLUMNS].reset_index(drop=True)


def _before(first, second, at: pd.Timestamp) -> bool:
    """Both dates known at `at` and `first` strictly earlier than `second`."""
    return pd.notna(first) and pd.notna(second) and first < second and second <= at


def counts(dataset: Dataset, au: dt.date) -> list[dict]:
    """One entry per rule, in RULES order (zeros included): `regle`, `gravite` (the label,
    "critique" | "majeure" | "à vérifier"), `nombre` of alerts."""
    per_rule = alerts(dataset, au)["regle"].value_counts()
    return [
        {"regle": rule, "gravite": GRAVITY_LABELS[gravity], "nombre": int(per_rule.get(rule, 0))}
        for rule, (_label, gravity) in RULES.items()
    ]


def critical_alert(dataset: Dataset, au: dt.date) -> tuple[str, str] | None:
    """Plain French reading of the critical breaches (gravity 1) at `au`: (finding, what to
    do), None when there is none. Each rule broken is named with its count."""
    found = [c for c in counts(dataset, au) if c["gravite"] == GRAVITY_LABELS[1] and c["nombre"]]
    if not found:
        return None
    total = sum(c["nombre"] for c in found)
    parts = " ; ".join(f"{RULES[c['regle']][0].lower()} : {c['nombre']}" for c in found)
    finding = (
        f"{total} alerte{'s' if total > 1 else ''} de conformité critique"
        f"{'s' if total > 1 else ''} ({parts})."
    )
    action = (
        "Régulariser avec les associations concernées avant toute nouvelle séance (liste "
        "détaillée dans la page Qualité et conformité, « Alertes de conformité »)."
    )
    return finding, action


def alert_counts(dataset: Dataset, au: dt.date) -> pd.DataFrame:
    """`counts` as a frame with the French label of each rule (for the page)."""
    frame = pd.DataFrame(counts(dataset, au), columns=["regle", "gravite", "nombre"])
    frame.insert(1, "libelle", frame["regle"].map(lambda r: RULES[r][0]))
    return frame
