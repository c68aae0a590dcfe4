"""Which association to send a new CD fiche to: a transparent ranking of the referential.

Each association earns points on five criteria (weights in `WEIGHTS`, 100 in all):
- `commune`: lists the youth's commune among the communes it serves;
- `objectifs`: share of the youth's objectives it offers;
- `modalite`: offers the wanted modality;
- `places`: remaining capacity = capacity − active binômes at the as-of date (as in
  `indicators.workload`), full points from `FULL_PLACES` places, none when full;
- `distance`: straight-line distance from the commune to its nearest antenne, full points
  up to `NEAR_KM`, none from `FAR_KM`, linear in between.
A criterion the referential does not document (empty served communes, objectives,
modalities or capacity) earns `UNKNOWN_CREDIT` of its weight, so an incomplete referential
neither wins nor loses outright; a wish the youth does not express (no objective, no
modality) gives every association full points. Ties go to the nearest antenne, then to
the name. The referential's objectives and modalities are stored canonical by ingestion
("insertion_pro;scolarite"); a part written as a label of the value table ("Scolarité")
is read as its canonical value (`domain.values.canonical_set`). The ranking is an aid: the chargé(e)
de projet decides.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from domain.values import canonical_set, category_labels
from indicators.dataset import Dataset
from indicators.geo import format_km, nearest_antenne
from indicators.workload import active_mask, served_communes, waiting_mask

DEFINITION = (
    "Aide à l'orientation d'une fiche : les associations du référentiel sont classées par "
    "un score sur 100 points : commune du jeune desservie (40), objectifs du jeune proposés "
    "(25, au prorata), modalité souhaitée proposée (10), places disponibles (15 ; capacité "
    "moins binômes actifs, tous les points à partir de 10 places), distance à vol d'oiseau "
    "entre la commune et l'antenne la plus proche de l'association (10 ; tous les points "
    "jusqu'à 10 km, aucun au-delà de 60 km). Un critère non renseigné dans le référentiel "
    "compte pour moitié. Le classement est une aide : la décision reste au chargé de projet."
)

WEIGHTS = {"commune": 40.0, "objectifs": 25.0, "modalite": 10.0, "places": 15.0, "distance": 10.0}
UNKNOWN_CREDIT = 0.5
FULL_PLACES = 10
NEAR_KM = 10.0
FAR_KM = 60.0

COLUMNS = ["rang", "association", "score", "raisons"]


def _canonical_sets(values: pd.Series, table: str) -> list[frozenset[str]]:
    return [canonical_set(v, table) for v in values]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if abs(n) > 1 else ''}"


def _listed(values: list[str]) -> str:
    return ", ".join(values)


def _distance_credit(distance: float) -> float:
    if np.isnan(distance):
        return 0.0
    return float(np.clip((FAR_KM - distance) / (FAR_KM - NEAR_KM), 0.0, 1.0))


def rank_associations(
    dataset: Dataset,
    au: dt.date,
    commune_insee: str | None,
    objectifs: list[str],
    modalite: str | None,
) -> pd.DataFrame:
    """The referential's associations best first: `rang` (1 = best), `association`,
    `score` (0-100, one decimal), `raisons` (what counted, in French, "; "-separated)."""
    refs = dataset.associations
    if refs is None or refs.empty:
        return pd.DataFrame(columns=COLUMNS)
    refs = refs.drop_duplicates("nom").reset_index(drop=True)
    objective_labels = category_labels("objectifs")
    modality_labels = category_labels("modalite")
    wanted_objectives: list[str] = []  # canonical, in the order given
    for found in _canonical_sets(pd.Series(list(objectifs), dtype=object), "objectifs"):
        wanted_objectives += [o for o in sorted(found) if o not in wanted_objectives]
    wanted_modality = None
    if modalite:
        found = _canonical_sets(pd.Series([modalite], dtype=object), "modalite")[0]
        wanted_modality = next(iter(found)) if len(found) == 1 else modalite
    nothing = pd.Series([None] * len(refs), dtype=object)
    offered_objectives = _canonical_sets(refs.get("objectifs", nothing), "objectifs")
    offered_modalities = _canonical_sets(refs.get("modalites", nothing), "modalite")

    p = dataset.parcours
    active = p.loc[active_mask(p, au), "association"].value_counts()
    waiting = p.loc[waiting_mask(p, au), "association"].value_counts()

    code = str(commune_insee).strip().upper() if commune_insee else None
    if code and code.isdigit() and len(code) == 4:
        code = code.zfill(5)
    place = pd.DataFrame(columns=["insee", "latitude", "longitude"])
    if code and not dataset.communes.empty:
        place = dataset.communes.loc[
            dataset.communes["insee"] == code, ["insee", "latitude", "longitude"]
        ].head(1)

    rows = []
    for i, ref in refs.iterrows():
        name = ref["nom"]
        points = 0.0
        reasons: list[str] = []

        served = served_communes(ref.get("communes_servies"))
        if not code:
            points += WEIGHTS["commune"] * UNKNOWN_CREDIT
            reasons.append("commune du jeune non renseignée")
        elif not served:
            points += WEIGHTS["commune"] * UNKNOWN_CREDIT
            reasons.append("communes desservies non renseignées")
        elif code in served:
            points += WEIGHTS["commune"]
            reasons.append("dessert la commune")
        else:
            reasons.append("ne dessert pas la commune")

        offered = offered_objectives[i]
        if not wanted_objectives:
            points += WEIGHTS["objectifs"]
        elif not offered:
            points += WEIGHTS["objectifs"] * UNKNOWN_CREDIT
            reasons.append("objectifs proposés non renseignés")
        else:
            yes = [o for o in wanted_objectives if o in offered]
            no = [o for o in wanted_objectives if o not in offered]
            points += WEIGHTS["objectifs"] * len(yes) / len(wanted_objectives)
            if yes:
                reasons.append("propose " + _listed([objective_labels.get(o, o) for o in yes]))
            if no:
                reasons.append(
                    "ne propose pas " + _listed([objective_labels.get(o, o) for o in no])
                )

        modalities = offered_modalities[i]
        if wanted_modality is None:
            points += WEIGHTS["modalite"]
        else:
            label = modality_labels.get(wanted_modality, wanted_modality)
            if not modalities:
                points += WEIGHTS["modalite"] * UNKNOWN_CREDIT
                reasons.append("modalités proposées non renseignées")
            elif wanted_modality in modalities:
                points += WEIGHTS["modalite"]
                reasons.append(f"propose le {label}")
            else:
                reasons.append(f"ne propose pas le {label}")

        capacity = ref.get("capacite")
        running = int(active.get(name, 0))
        queued = int(waiting.get(name, 0))
        if capacity is None or pd.isna(capacity):
            points += WEIGHTS["places"] * UNKNOWN_CREDIT
            reasons.append("capacité non renseignée")
        else:
            places = int(capacity) - running
            if places > 0:
                points += WEIGHTS["places"] * min(1.0, places / FULL_PLACES)
                text = _plural(places, "place") + (" disponibles" if places > 1 else " disponible")
            else:
                text = f"complet ({running} binômes actifs pour {int(capacity)} financés)"
            if queued:
                text += f", {_plural(queued, 'jeune')} déjà en attente"
            reasons.append(text)

        mine = dataset.antennes
        mine = mine[mine["association"] == name] if not mine.empty else mine
        distance = np.nan
        if mine.empty:
            reasons.append("aucune antenne connue")
        else:
            nearest = nearest_antenne(place, mine) if not place.empty else None
            if nearest is None or pd.isna(nearest["distance_km"].iloc[0]):
                reasons.append("distance à l'antenne inconnue")
            else:
                distance = float(nearest["distance_km"].iloc[0])
                reasons.append(f"antenne à {format_km(distance)} ({nearest['antenne'].iloc[0]})")
        points += WEIGHTS["distance"] * _distance_credit(distance)

        rows.append(
            {
                "association": name,
                "score": round(points, 1),
                "raisons": " ; ".join(reasons),
                "_distance": distance,
            }
        )

    frame = pd.DataFrame(rows)
    frame["_key"] = frame["association"].str.casefold()
    frame = frame.sort_values(
        ["score", "_distance", "_key"], ascending=[False, True, True], na_position="last"
    ).reset_index(drop=True)
    frame["rang"] = np.arange(1, len(frame) + 1)
    return frame[COLUMNS]
