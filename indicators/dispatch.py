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


Scored = tuple[float, list[str]]  # points of one criterion, and what counted, in French


def _commune(code: str | None, served: frozenset[str]) -> Scored:
    if not code:
        return WEIGHTS["commune"] * UNKNOWN_CREDIT, ["commune du jeune non renseignée"]
    if not served:
        return WEIGHTS["commune"] * UNKNOWN_CREDIT, ["communes desservies non renseignées"]
    if code in served:
        return WEIGHTS["commune"], ["dessert la commune"]
    return 0.0, ["ne dessert pas la commune"]


def _objectives(wanted: list[str], offered: frozenset[str], labels: dict[str, str]) -> Scored:
    if not wanted:
        return WEIGHTS["objectifs"], []
    if not offered:
        return WEIGHTS["objectifs"] * UNKNOWN_CREDIT, ["objectifs proposés non renseignés"]
    yes = [o for o in wanted if o in offered]
    no = [o for o in wanted if o not in offered]
    reasons = []
    if yes:
        reasons.append("propose " + _listed([labels.get(o, o) for o in yes]))
    if no:
        reasons.append("ne propose pas " + _listed([labels.get(o, o) for o in no]))
    return WEIGHTS["objectifs"] * len(yes) / len(wanted), reasons


def _modality(wanted: str | None, offered: frozenset[str], labels: dict[str, str]) -> Scored:
    if wanted is None:
        return WEIGHTS["modalite"], []
    label = labels.get(wanted, wanted)
    if not offered:
        return WEIGHTS["modalite"] * UNKNOWN_CREDIT, ["modalités proposées non renseignées"]
    if wanted in offered:
        return WEIGHTS["modalite"], [f"propose le {label}"]
    return 0.0, [f"ne propose pas le {label}"]


def _places(capacity: object, running: int, queued: int) -> Scored:
    if capacity is None or pd.isna(capacity):
        return WEIGHTS["places"] * UNKNOWN_CREDIT, ["capacité non renseignée"]
    places = int(capacity) - running
    points = 0.0
    if places > 0:
        points = WEIGHTS["places"] * min(1.0, places / FULL_PLACES)
        text = _plural(places, "place") + (" disponibles" if places > 1 else " disponible")
    else:
        text = f"complet ({running} binômes actifs pour {int(capacity)} financés)"
    if queued:
        text += f", {_plural(queued, 'jeune')} déjà en attente"
    return points, [text]


def _distance(place: pd.DataFrame, antennes: pd.DataFrame) -> tuple[float, list[str], float]:
    """Points, reasons and the distance to the association's nearest antenne (NaN when
    unknown)."""
    if antennes.empty:
        return 0.0, ["aucune antenne connue"], np.nan
    nearest = nearest_antenne(place, antennes) if not place.empty else None
    if nearest is None or pd.isna(nearest["distance_km"].iloc[0]):
        return 0.0, ["distance à l'antenne inconnue"], np.nan
    distance = float(nearest["distance_km"].iloc[0])
    reason = f"antenne à {format_km(distance)} ({nearest['antenne'].iloc[0]})"
    return WEIGHTS["distance"] * _distance_credit(distance), [reason], distance


def _wishes(objectifs: list[str], modalite: str | None) -> tuple[list[str], str | None]:
    """The youth's objectives (canonical, in the order given) and wanted modality."""
    wanted: list[str] = []
    for found in _canonical_sets(pd.Series(list(objectifs), dtype=object), "objectifs"):
        wanted += [o for o in sorted(found) if o not in wanted]
    modality = None
    if modalite:
        found = _canonical_sets(pd.Series([modalite], dtype=object), "modalite")[0]
        modality = next(iter(found)) if len(found) == 1 else modalite
    return wanted, modality


def _place(dataset: Dataset, commune_insee: str | None) -> tuple[str | None, pd.DataFrame]:
    """The commune code as the referential writes it ("1004" -> "01004") and its row."""
    code = str(commune_insee).strip().upper() if commune_insee else None
    if code and code.isdigit() and len(code) == 4:
        code = code.zfill(5)
    place = pd.DataFrame(columns=["insee", "latitude", "longitude"])
    if code and not dataset.communes.empty:
        communes = dataset.communes
        place = communes.loc[communes["insee"] == code, ["insee", "latitude", "longitude"]]
    return code, place.head(1)


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
    objective_labels, modality_labels = category_labels("objectifs"), category_labels("modalite")
    wanted_objectives, wanted_modality = _wishes(objectifs, modalite)
    nothing = pd.Series([None] * len(refs), dtype=object)
    offered_objectives = _canonical_sets(refs.get("objectifs", nothing), "objectifs")
    offered_modalities = _canonical_sets(refs.get("modalites", nothing), "modalite")
    p = dataset.parcours
    active = p.loc[active_mask(p, au), "association"].value_counts()
    waiting = p.loc[waiting_mask(p, au), "association"].value_counts()
    code, place = _place(dataset, commune_insee)
    antennes = dataset.antennes

    rows = []
    for i, ref in refs.iterrows():
        name = ref["nom"]
        mine = antennes[antennes["association"] == name] if not antennes.empty else antennes
        near, near_reasons, distance = _distance(place, mine)
        scored = [
            _commune(code, served_communes(ref.get("communes_servies"))),
            _objectives(wanted_objectives, offered_objectives[i], objective_labels),
            _modality(wanted_modality, offered_modalities[i], modality_labels),
            _places(ref.get("capacite"), int(active.get(name, 0)), int(waiting.get(name, 0))),
            (near, near_reasons),
        ]
        rows.append(
            {
                "association": name,
                "score": round(sum(points for points, _ in scored), 1),
                "raisons": " ; ".join(r for _, reasons in scored for r in reasons),
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
