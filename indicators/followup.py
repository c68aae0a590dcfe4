"""How the binômes are followed (issue 23, « Suivi de la qualité des binômes»), over a
period [du, au], the as-of date D = au (a date after D counts as not yet known):

- active binômes: `indicators.workload.active_mask` (started by D, not ended by D);
- silent: active binômes whose last meeting is known and more than N days before D
  (N = `settings.SILENT_DAYS`, 30); `derniere_rencontre_inconnue`: active ones without it;
- rhythm: for binômes started at least 30 days before D with a known meeting count,
  meetings per month = count ÷ ((min(date_fin, D) − date_debut) in days ÷ 30.4375); in the
  norm between `settings.MEETINGS_PER_MONTH_MIN` and `…_MAX` (2 and 4, both included);
- early breaks: cohort = binômes started between du and D − 91 days; a break = ended less
  than 91 days after the start for any reason but `objectifs_atteints` (a missing reason
  is a break);
- 3-month reviews: expected for the cohort binômes not ended before start + 91 days, done
  when the review date is known;
- satisfaction of youths and mentors among binômes started by D: respondents (a value)
  and satisfied (`tres_satisfait` or `satisfait`);
- exits: binômes ended within [du, D] by `situation_sortie` (missing: `non_renseignee`).

Parcours without association are left out. An association that sends no value at all for
a field (every one of its parcours empty in that column) has that field's figures "not
provided" (None), never 0; the all-associations figures add up the associations that
provide the field (None when none does).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

import settings
from domain.formatting import number, percent
from domain.schema import FOLLOW_UP_FIELDS
from domain.values import category_labels
from indicators.dataset import Dataset, Period, memoized
from indicators.stats import as_of, known_by, median, rate, rounded
from indicators.workload import active_mask, association_names, known

MONTH_DAYS = 30.4375  # 365.25 / 12
MIN_DAYS_FOR_RHYTHM = 30  # a binôme started more recently has no rhythm yet
EARLY_DAYS = 91  # three months, as in indicators/durations.py
GOAL_REACHED = "objectifs_atteints"
SATISFIED = ("tres_satisfait", "satisfait")
NOT_GIVEN = "non_renseignee"
EXITS = (*category_labels("situation_sortie"), NOT_GIVEN)
NOT_PROVIDED = "non renseigné par l'association"

# the follow-up fields, each governing some of the figures
LAST_MEETING = "date_derniere_rencontre"
MEETINGS = "nb_rencontres"
REVIEW = "date_bilan_3_mois"
YOUTH_SATISFACTION = "satisfaction_jeune"
MENTOR_SATISFACTION = "satisfaction_mentor"
EXIT = "situation_sortie"


def silent_days() -> int:
    return settings.SILENT_DAYS.value()


def norm() -> tuple[int, int]:
    """The guide's norm of meetings a month (both bounds included)."""
    return settings.MEETINGS_PER_MONTH_MIN.value(), settings.MEETINGS_PER_MONTH_MAX.value()


_MISSING = (
    f"Quand une association ne transmet aucune valeur d'un champ (aucun de ses parcours "
    f"ne le renseigne), ses chiffres de ce champ sont « {NOT_PROVIDED} », jamais 0 ; le "
    "total de toutes les associations ne compte que celles qui le renseignent."
)


# Definitions naming a setting hold its place ({n}, {low}, {high}): `explained` fills it.
SILENCE_DEFINITION = (
    "Binômes sans rencontre : binômes actifs à la date d'arrêté (démarrés au plus tard à "
    "cette date et non terminés à cette date) dont la dernière rencontre connue date de "
    "plus de {n} jours avant la date d'arrêté. « Dernière rencontre inconnue » : binômes "
    "actifs sans date de dernière rencontre. " + _MISSING
)

RHYTHM_DEFINITION = (
    "Rythme des rencontres : pour les binômes démarrés au moins 30 jours avant la date "
    "d'arrêté et dont le nombre de rencontres est connu, nombre de rencontres divisé par "
    "la durée du binôme en mois (jours entre le démarrage et la fin, ou la date d'arrêté "
    "s'il est en cours, divisés par 30,4375). Dans la norme du guide : de {low} à {high} "
    "rencontres par mois, bornes comprises ; médiane arrondie au dixième. " + _MISSING
)

EARLY_BREAKS_DEFINITION = (
    "Ruptures précoces : parmi les binômes démarrés entre le début de la période et 91 jours "
    "avant la date d'arrêté (la cohorte), ceux terminés moins de 91 jours (3 mois) après "
    "leur démarrage pour un autre motif que « objectifs atteints » (un motif non renseigné "
    "compte comme une rupture). Les motifs de ces ruptures sont détaillés."
)

REVIEWS_DEFINITION = (
    "Bilans à 3 mois : attendus pour les binômes de la cohorte des ruptures précoces "
    "(démarrés entre le début de la période et 91 jours avant la date d'arrêté) encore en "
    "cours 91 jours après leur démarrage ; faits quand la date du bilan est connue à la date "
    "d'arrêté. " + _MISSING
)

SATISFACTION_DEFINITION = (
    "Satisfaction : parmi les binômes démarrés au plus tard à la date d'arrêté, répondants "
    "(satisfaction renseignée) et satisfaits (« très satisfait » ou « satisfait »), pour "
    "les jeunes et pour les mentors. " + _MISSING
)

EXITS_DEFINITION = (
    "Situation à la sortie : binômes terminés pendant la période, par situation du jeune à "
    "la sortie ; « non renseignée » quand elle manque. " + _MISSING
)

SILENT_LIST_DEFINITION = (
    "Binômes actifs dont la dernière rencontre date de plus de {n} jours, le silence le plus "
    "long d'abord : à signaler à chaque association. Le jeune est désigné par son "
    "pseudonyme (ou l'identifiant de l'association), jamais par son nom."
)


def generic(definition: str) -> str:
    """A definition with the settings it names as settings (for the catalogue, read once)."""
    return definition.format(
        n=f"N (réglage `{settings.SILENT_DAYS.env}`, {settings.SILENT_DAYS.default} par défaut)",
        low=f"`{settings.MEETINGS_PER_MONTH_MIN.env}` ({settings.MEETINGS_PER_MONTH_MIN.default})",
        high=f"`{settings.MEETINGS_PER_MONTH_MAX.env}` ({settings.MEETINGS_PER_MONTH_MAX.default})",
    )


def explained(definition: str) -> str:
    """A definition with the settings it names filled in (N days, the norm's bounds)."""
    low, high = norm()
    return definition.format(n=silent_days(), low=low, high=high)


def _provided(parcours: pd.DataFrame) -> dict[str, pd.Series]:
    """Field -> True on the rows whose association sends at least one value of it."""
    names = parcours["association"]
    out = {}
    for field in FOLLOW_UP_FIELDS:
        sending = set(names[parcours[field].notna()].dropna())
        out[field] = names.isin(sending)
    return out


@memoized
def pairs(dataset: Dataset, period: Period) -> pd.DataFrame:
    """One row per binôme started by D (with an association): identifiers, the flags of
    the figures, and, per follow-up field, whether the association sends it
    (`fourni_<field>`)."""
    p = dataset.parcours
    p = p[p["association"].notna() & known(p["date_debut"], period.au)]
    au = as_of(period.au)
    start = p["date_debut"]
    end = known_by(p["date_fin"], au)
    rows = pd.DataFrame(
        {
            "association": p["association"],
            "id_source": p["id_source"],
            "id_jeune": p["id_jeune"],
            "id_mentor": p["id_mentor"],
            "motif_fin": p["motif_fin"],
            "actif": active_mask(p, period.au),
        },
        index=p.index,
    )
    last = known_by(p[LAST_MEETING], au)
    rows["jours_sans_rencontre"] = (au - last).dt.days.astype("Int64")
    rows["rencontre_connue"] = last.notna()
    # rhythm
    count = pd.to_numeric(p[MEETINGS], errors="coerce")
    days = (end.fillna(au) - start).dt.days
    evaluated = ((au - start).dt.days >= MIN_DAYS_FOR_RHYTHM) & count.notna() & (days > 0)
    rows["rythme"] = (count / (days / MONTH_DAYS)).where(evaluated)
    # early breaks and 3-month reviews
    cohort = period.contains(start) & (start <= au - pd.Timedelta(days=EARLY_DAYS))
    early_end = end.notna() & ((end - start).dt.days < EARLY_DAYS)
    rows["cohorte"] = cohort
    rows["rupture"] = cohort & early_end & (p["motif_fin"] != GOAL_REACHED).fillna(True)
    rows["bilan_attendu"] = cohort & ~early_end
    rows["bilan_fait"] = rows["bilan_attendu"] & known(p[REVIEW], au)
    rows["satisfaction_jeune"] = p[YOUTH_SATISFACTION]
    rows["satisfaction_mentor"] = p[MENTOR_SATISFACTION]
    rows["sortie"] = period.contains(end)
    rows["situation_sortie"] = p[EXIT]
    for field, mask in _provided(dataset.parcours).items():
        rows[f"fourni_{field}"] = mask.reindex(rows.index).fillna(False).astype(bool)
    return rows


def _count(mask: pd.Series) -> int:
    return int(mask.sum())


def _figures(rows: pd.DataFrame) -> dict:
    """The `qualite` figures of these binômes (module docstring), None where no row's
    association sends the field."""
    low, high = norm()
    n = silent_days()

    def sent(field: str) -> pd.DataFrame | None:
        kept = rows[rows[f"fourni_{field}"]]
        return kept if kept[f"fourni_{field}"].any() else None

    active = rows[rows["actif"]]
    meeting = sent(LAST_MEETING)
    if meeting is None:
        silent = unknown = None
    else:
        mine = meeting[meeting["actif"]]
        silent = _count(mine["rencontre_connue"] & (mine["jours_sans_rencontre"] > n).fillna(False))
        unknown = _count(~mine["rencontre_connue"])

    counted = sent(MEETINGS)
    if counted is None:
        rhythm = dict.fromkeys(
            ("evalues", "dans_la_norme", "sous_la_norme", "au_dessus", "mediane")
        )
    else:
        r = counted["rythme"].dropna()
        rhythm = {
            "evalues": int(r.size),
            "dans_la_norme": _count((r >= low) & (r <= high)),
            "sous_la_norme": _count(r < low),
            "au_dessus": _count(r > high),
            "mediane": rounded(median(r), 1),
        }

    reviewed = sent(REVIEW)
    reviews = {
        "attendus": _count(rows["bilan_attendu"]),
        "faits": None if reviewed is None else _count(reviewed["bilan_fait"]),
    }

    def satisfaction(field: str) -> dict:
        given = sent(field)
        if given is None:
            return {"repondants": None, "satisfaits": None}
        values = given[field]
        return {"repondants": _count(values.notna()), "satisfaits": _count(values.isin(SATISFIED))}

    ended = rows[rows["sortie"]]
    exits: dict[str, int | None] = dict.fromkeys(EXITS[:-1])
    told = ended[ended[f"fourni_{EXIT}"]]
    if rows[f"fourni_{EXIT}"].any():
        counts = told[EXIT].value_counts()
        exits = {k: int(counts.get(k, 0)) for k in EXITS[:-1]}
    known_exits = sum(v for v in exits.values() if v is not None)
    exits[NOT_GIVEN] = int(len(ended) - known_exits)

    return {
        "actifs": len(active),
        "sans_rencontre_30j": silent,
        "derniere_rencontre_inconnue": unknown,
        "rythme": rhythm,
        "ruptures_precoces": {
            "cohorte": _count(rows["cohorte"]),
            "ruptures": _count(rows["rupture"]),
        },
        "bilans_3_mois": reviews,
        "satisfaction": {
            "jeunes": satisfaction(YOUTH_SATISFACTION),
            "mentors": satisfaction(MENTOR_SATISFACTION),
        },
        "sorties": exits,
    }


def figures(dataset: Dataset, period: Period) -> dict:
    """The follow-up figures of every association together (the keys of `qualite`)."""
    return _figures(pairs(dataset, period))


def by_association(dataset: Dataset, period: Period) -> dict[str, dict]:
    """Association name -> its `figures`, for every association of the referential or of
    the parcours (sorted by name)."""
    rows = pairs(dataset, period)
    return {
        name: _figures(rows[rows["association"] == name]) for name in association_names(dataset)
    }


def report(dataset: Dataset, period: Period) -> dict:
    """`figures` with `par_association` (the command line's `qualite`)."""
    return {**figures(dataset, period), "par_association": by_association(dataset, period)}


def break_reasons(dataset: Dataset, period: Period) -> pd.DataFrame:
    """Early breaks by association and reason: `association`, `motif_fin` (French label,
    « Non renseigné » when missing), `ruptures_precoces`; most frequent first."""
    rows = pairs(dataset, period)
    broken = rows[rows["rupture"]]
    labels = category_labels("motif_fin")
    reasons = broken["motif_fin"].map(lambda v: labels.get(v, v) if pd.notna(v) else None)
    frame = (
        pd.DataFrame({"association": broken["association"], "motif_fin": reasons})
        .fillna({"motif_fin": "Non renseigné"})
        .value_counts()
        .rename("ruptures_precoces")
        .reset_index()
    )
    return frame.sort_values(
        ["association", "ruptures_precoces", "motif_fin"], ascending=[True, False, True]
    ).reset_index(drop=True)


def silent_pairs(dataset: Dataset, au: dt.date) -> pd.DataFrame:
    """Active binômes silent for more than N days at `au`: `association`, `jeune`
    (pseudonym, or the association's identifier), `jours_sans_rencontre`, `mentor_connu`;
    longest silence first."""
    rows = pairs(dataset, Period(au, au))
    n = silent_days()
    silent = rows[rows["actif"] & (rows["jours_sans_rencontre"] > n).fillna(False)]
    frame = pd.DataFrame(
        {
            "association": silent["association"],
            "jeune": silent["id_jeune"].fillna(silent["id_source"]),
            "jours_sans_rencontre": silent["jours_sans_rencontre"].astype("int64"),
            "mentor_connu": silent["id_mentor"].notna(),
        }
    )
    return frame.sort_values(
        ["jours_sans_rencontre", "association", "jeune"], ascending=[False, True, True]
    ).reset_index(drop=True)


def _cell(value, base=None, decimals: int = 0) -> str:
    if value is None:
        return NOT_PROVIDED
    text = number(value, decimals)
    return text if base is None else f"{text} / {number(base)}"


def side_by_side(per_association: dict[str, dict]) -> pd.DataFrame:
    """The figures of `by_association` as text, one column per association and one row per
    figure (`indicateur`): « 3 / 8 » for a part of a base, « non renseigné par
    l'association » where the association sends no value of the field, never 0."""
    low, high = norm()
    exit_labels = {**category_labels("situation_sortie"), NOT_GIVEN: "non renseignée"}
    rows: list[tuple[str, dict[str, str]]] = []

    def add(label: str, cells) -> None:
        rows.append((label, {name: cells(f) for name, f in per_association.items()}))

    add("Binômes actifs", lambda f: _cell(f["actifs"]))
    add(
        f"Sans rencontre depuis plus de {silent_days()} jours / actifs",
        lambda f: _cell(f["sans_rencontre_30j"], f["actifs"]),
    )
    add("Dernière rencontre inconnue", lambda f: _cell(f["derniere_rencontre_inconnue"]))
    add(
        f"Rythme dans la norme ({low} à {high} par mois) / évalués",
        lambda f: _cell(f["rythme"]["dans_la_norme"], f["rythme"]["evalues"]),
    )
    add("Rythme sous la norme", lambda f: _cell(f["rythme"]["sous_la_norme"]))
    add("Rythme au-dessus de la norme", lambda f: _cell(f["rythme"]["au_dessus"]))
    add(
        "Rythme médian (rencontres par mois)",
        lambda f: "–" if f["rythme"]["evalues"] == 0 else _cell(f["rythme"]["mediane"], decimals=1),
    )
    add(
        "Ruptures précoces / cohorte",
        lambda f: _cell(f["ruptures_precoces"]["ruptures"], f["ruptures_precoces"]["cohorte"]),
    )
    add(
        "Bilans à 3 mois faits / attendus",
        lambda f: _cell(f["bilans_3_mois"]["faits"], f["bilans_3_mois"]["attendus"]),
    )
    for who, label in (("jeunes", "Jeunes"), ("mentors", "Mentors")):
        add(
            f"{label} satisfaits / répondants",
            lambda f, who=who: _cell(
                f["satisfaction"][who]["satisfaits"], f["satisfaction"][who]["repondants"]
            ),
        )
    for key, label in exit_labels.items():
        add(f"Sorties : {label}", lambda f, key=key: _cell(f["sorties"][key]))
    frame = pd.DataFrame([{"indicateur": label, **cells} for label, cells in rows])
    return frame.reindex(columns=["indicateur", *per_association])


def silent_alert(dataset: Dataset, au: dt.date) -> tuple[str, str] | None:
    """The Synthèse's reading of `silent_pairs`: (finding, what to do), None when no active
    binôme is silent (or no association sends its last meeting)."""
    silent = silent_pairs(dataset, au)
    if silent.empty:
        return None
    top = silent["association"].value_counts()
    n = len(silent)
    finding = (
        f"{number(n)} binôme{'s' if n > 1 else ''} actif{'s' if n > 1 else ''} sans rencontre "
        f"depuis plus de {silent_days()} jours, dont {number(int(top.iloc[0]))} chez "
        f"{top.index[0]} ; le plus long silence dure "
        f"{number(int(silent['jours_sans_rencontre'].iloc[0]))} jours."
    )
    action = (
        "Appeler chaque association concernée : le binôme se voit-il encore, faut-il le "
        "relancer ou le clore ? (liste dans la page « Suivi des binômes »)."
    )
    return finding, action


def early_break_alert(dataset: Dataset, period: Period) -> tuple[str, str] | None:
    """Early breaks of the period's cohort: (finding, what to do), None when there is none."""
    breaks = figures(dataset, period)["ruptures_precoces"]
    broken, cohort = breaks["ruptures"], breaks["cohorte"]
    if not broken:
        return None
    reasons = break_reasons(dataset, period)
    by_association = reasons.groupby("association")["ruptures_precoces"].sum()
    most = by_association.sort_values(ascending=False, kind="stable")
    finding = (
        f"{number(broken)} rupture{'s' if broken > 1 else ''} précoce{'s' if broken > 1 else ''} "
        f"(fin avant 3 mois, hors objectifs atteints) sur {number(cohort)} binômes démarrés "
        f"depuis au moins 3 mois ({percent(rate(broken, cohort))}), dont "
        f"{number(int(most.iloc[0]))} chez {most.index[0]}."
    )
    action = (
        "Revoir avec ces associations l'appariement et l'accompagnement des premiers mois "
        "(motifs dans la page « Suivi des binômes ») : une rupture précoce peut laisser le "
        "jeune plus fragile qu'avant."
    )
    return finding, action
