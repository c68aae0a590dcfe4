"""The whole demo département in memory: parcours with their ids, requests, planted defects.

Planted defects (so the compliance alerts and the quarantine have something to show); each
is listed in `DemoData.defects` with the id it carries in its file:

- `convention_avant_mise_en_relation` (3): convention signed before the mise en relation;
- `fin_avant_debut` (2): date de fin before the date de démarrage;
- `debut_sans_convention` (3): a start with the convention date left blank;
- `debut_avant_honorabilite` (2): a start before the mentor's favourable B2/FIJAIS return;
- `mineur_sans_autorisation` (2): a minor started without autorisation parentale;
- `doublon` (1): a row written twice, identical, in Tremplin Avenir 59's export;
- `date_illisible` (1): "31/02/2025" as the convention date in Envol Mentorat Nord's CSV;
- `commune_inconnue` (1): a commune and postcode that exist nowhere, in the same CSV.

Snapshot effect: Tremplin Avenir 59 exports "active" youths, so about 5 % of its finished
parcours are missing from its file (`Parcours.in_export` is False for them).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from demo.journeys import HonoRequest, Parcours, follow_up, simulate
from demo.territory import ASSOCIATIONS, BY_KEY, Geography, nord_communes

SNAPSHOT_ASSOCIATION = "tremplin"
SNAPSHOT_SHARE = 0.05
DUPLICATE_ASSOCIATION = "tremplin"
CSV_ASSOCIATION = "envol"
UNREADABLE_DATE = "31/02/2025"
UNKNOWN_COMMUNE = ("Bellevue-en-Flandre", "59999")

# kind -> how many; spread over the associations in turn
DEFECT_PLAN = [
    ("convention_avant_mise_en_relation", 3),
    ("fin_avant_debut", 2),
    ("debut_sans_convention", 3),
    ("debut_avant_honorabilite", 2),
    ("mineur_sans_autorisation", 2),
]


@dataclass(frozen=True)
class Defect:
    kind: str
    association: str  # full name of the association whose file carries it
    id_source: str
    detail: str


@dataclass
class DemoData:
    as_of: date
    geo: Geography
    parcours: list[Parcours]
    requests: list[HonoRequest]
    defects: list[Defect]

    def of(self, key: str) -> list[Parcours]:
        """The rows of one association's export, in file order (duplicates not included)."""
        rows = [p for p in self.parcours if p.association == key and p.in_export]
        return sorted(rows, key=lambda p: (p.date_inscription_association, p.uid))

    def fiches(self) -> list[Parcours]:
        return [p for p in self.parcours if p.fiche is not None]

    def cd_requests(self) -> list[HonoRequest]:
        """Requests the CD knows of: transmitted to it by the as-of date."""
        rows = [r for r in self.requests if r.date_transmission_cd is not None]
        return sorted(rows, key=lambda r: (r.date_transmission_cd, r.id_source))


def _assign_ids(parcours: list[Parcours], requests: list[HonoRequest]) -> None:
    for a in ASSOCIATIONS:
        rows = [p for p in parcours if p.association == a.key]
        rows.sort(key=lambda p: (p.date_inscription_association, p.uid))
        per_year: dict[int, int] = {}
        for seq, p in enumerate(rows, start=1):
            day = p.date_inscription_association
            per_year[day.year] = per_year.get(day.year, 0) + 1
            if a.key == "envol":
                p.id_source = f"EMN-{1000 + seq:05d}"
            elif a.key == "ailes":
                p.id_source = f"ADP-{day.year % 100:02d}-{per_year[day.year]:03d}"
            elif a.key == "tremplin":
                p.id_source = str(20400 + seq)  # a plain number in the file
            else:
                p.id_source = f"BOU{seq:04d}"
    per_year = {}
    for p in sorted((p for p in parcours if p.fiche), key=lambda p: (p.date_inscription, p.uid)):
        year = p.date_inscription.year
        per_year[year] = per_year.get(year, 0) + 1
        p.fiche.id_source = f"FC-{year}-{per_year[year]:04d}"
    per_year = {}
    ordered = sorted(
        requests,
        key=lambda r: (r.date_transmission_cd or r.date_collecte, r.mentor.person.nom),
    )
    for r in ordered:
        year = (r.date_transmission_cd or r.date_collecte).year
        per_year[year] = per_year.get(year, 0) + 1
        r.id_source = f"HON-{year}-{per_year[year]:04d}"


def _snapshot(rng: random.Random, parcours: list[Parcours]) -> None:
    for p in parcours:
        if p.association == SNAPSHOT_ASSOCIATION and p.date_fin is not None:
            p.in_export = rng.random() >= SNAPSHOT_SHARE


def _eligible(kind: str, p: Parcours, as_of: date) -> bool:
    if not p.has_association_record or p.defects or p.date_debut is None:
        return False
    if kind == "convention_avant_mise_en_relation":
        return p.date_convention is not None and p.date_mise_en_relation is not None
    if kind == "fin_avant_debut":
        return p.date_fin is not None
    if kind == "debut_sans_convention":
        return p.date_convention is not None
    if kind == "debut_avant_honorabilite":
        r = p.mentor.request if p.mentor else None
        return (
            r is not None
            and p.mentor.binomes == 1
            and r.favourable_by(as_of)
            and (r.date_retour - p.date_mise_en_relation).days >= 3
        )
    if kind == "mineur_sans_autorisation":
        return p.minor and p.date_autorisation_parentale is not None
    return True


def _plant(kind: str, p: Parcours, rng: random.Random) -> str:
    if kind == "convention_avant_mise_en_relation":
        p.date_convention = p.date_mise_en_relation - timedelta(days=rng.randint(3, 15))
        return f"convention le {p.date_convention:%d/%m/%Y}, mise en relation le " + (
            f"{p.date_mise_en_relation:%d/%m/%Y}"
        )
    if kind == "fin_avant_debut":
        p.date_fin = p.date_debut - timedelta(days=rng.randint(5, 30))
        return f"fin le {p.date_fin:%d/%m/%Y}, démarrage le {p.date_debut:%d/%m/%Y}"
    if kind == "debut_sans_convention":
        p.date_convention = None
        return f"démarrage le {p.date_debut:%d/%m/%Y}, convention vide"
    if kind == "debut_avant_honorabilite":
        retour = p.mentor.request.date_retour
        p.date_convention = p.date_mise_en_relation + timedelta(days=1)
        p.date_debut = retour - timedelta(days=1)
        return f"démarrage le {p.date_debut:%d/%m/%Y}, retour B2 favorable le {retour:%d/%m/%Y}"
    if kind == "mineur_sans_autorisation":
        p.date_autorisation_parentale = None
        return f"{p.age_inscription} ans à l'inscription, démarrage le {p.date_debut:%d/%m/%Y}"
    raise ValueError(kind)


def _plant_defects(rng: random.Random, data: DemoData) -> None:
    keys = [a.key for a in ASSOCIATIONS]
    turn = 0
    for kind, count in DEFECT_PLAN:
        pools = {k: [p for p in data.of(k) if _eligible(kind, p, data.as_of)] for k in keys}
        for pool in pools.values():
            rng.shuffle(pool)
        planted = 0
        for _ in range(count * len(keys)):
            if planted == count or not any(pools.values()):
                break
            key = keys[turn % len(keys)]
            turn += 1
            while pools[key] and pools[key][0].defects:
                pools[key].pop(0)
            if not pools[key]:
                continue
            p = pools[key].pop(0)
            detail = _plant(kind, p, rng)
            p.defects.append(kind)
            data.defects.append(Defect(kind, BY_KEY[key].nom, p.id_source, detail))
            planted += 1

    def single(kind: str, key: str, condition, detail: str) -> Parcours | None:
        pool = [p for p in data.of(key) if not p.defects and condition(p)]
        if not pool:
            return None
        p = rng.choice(pool)
        p.defects.append(kind)
        data.defects.append(Defect(kind, BY_KEY[key].nom, p.id_source, detail))
        return p

    p = single(
        "date_illisible",
        CSV_ASSOCIATION,
        lambda p: p.date_convention is not None and p.date_convention.year == 2025,
        f"date de convention « {UNREADABLE_DATE} »",
    ) or single(
        "date_illisible",
        CSV_ASSOCIATION,
        lambda p: p.date_convention is not None,
        f"date de convention « {UNREADABLE_DATE} »",
    )
    if p:
        p.overrides["date_convention"] = UNREADABLE_DATE
    p = single(
        "commune_inconnue",
        CSV_ASSOCIATION,
        lambda p: True,
        f"commune « {UNKNOWN_COMMUNE[0]} », code postal {UNKNOWN_COMMUNE[1]}",
    )
    if p:
        p.overrides["commune"], p.overrides["code_postal"] = UNKNOWN_COMMUNE
    single("doublon", DUPLICATE_ASSOCIATION, lambda p: True, "ligne répétée à l'identique")


def build_demo(*, seed: int = 2025, n_parcours: int = 1500, as_of: date) -> DemoData:
    """Simulate the département's parcours; no file is written."""
    rng = random.Random(seed)
    geo = Geography(nord_communes())
    sim = simulate(rng, geo, as_of, n_parcours)
    _assign_ids(sim.parcours, sim.requests)
    data = DemoData(as_of, geo, sim.parcours, sim.requests, [])
    _snapshot(rng, data.parcours)
    _plant_defects(rng, data)
    for p in data.parcours:  # each from its own random stream: nothing above shifts
        follow_up(p, as_of)
    return data
