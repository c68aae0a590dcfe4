"""Simulated parcours: one youth with one association, from inscription to clôture.

Everything is drawn from one `random.Random(seed)`, in a fixed order, so a seed always
gives the same parcours. Dates are simulated without looking at the as-of date, then every
date after it is forgotten (a step that has not happened yet is not in any file).
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import lru_cache

from demo.people import (
    BIRTH_PLACES,
    SURNAMES,
    Person,
    cd_spelling,
    draw_mentor,
    draw_youth,
    identity_key,
)
from demo.territory import BY_KEY, DEPARTEMENT, TILLEULS, TILLEULS_ASSOCIATION, Geography
from indicators.workdays import holidays_for

ATTESTATION_SINCE = date(2025, 10, 1)  # national attestation d'honorabilité exists from then
HISTORY_DAYS = 730  # inscriptions spread over the 24 months before the as-of date
# (commune INSEE, association) of youths placed on purpose, so the CSV layout always has
# Marcq-en-Barœul (œ, not in latin-1) and Villeneuve-d'Ascq (apostrophe).
FORCED_COMMUNES = [("59378", "envol"), ("59009", "envol")]


@dataclass
class Fiche:
    nom: str  # as the CD typed it (may differ from the association's spelling)
    prenom: str
    variant: str
    association_named: bool  # False when the chargé left "association choisie" blank
    id_source: str = ""


@dataclass
class Mentor:
    association: str
    person: Person
    lieu_naissance: str
    request: HonoRequest | None = None
    binomes: int = 0


@dataclass
class HonoRequest:
    association: str
    mentor: Mentor
    voie: str
    date_collecte: date | None
    date_transmission_cd: date | None
    date_demande_service: date | None
    date_retour: date | None
    resultat: str | None
    id_source: str = ""

    def favourable_by(self, day: date) -> bool:
        return (
            self.resultat == "favorable"
            and self.date_retour is not None
            and (self.date_retour <= day)
        )


@dataclass
class Parcours:
    uid: int
    youth: Person
    commune_insee: str
    territoire: str
    rural: bool
    type_accueil: str
    etablissement: str | None
    objectifs: list[str]
    initiateur: str
    canal: str
    association: str | None  # None: a fiche not (yet) sent to any association
    date_proposition: date | None
    date_inscription: date  # fiche received by the CD, else registration at the association
    date_attribution: date | None
    date_autorisation_parentale: date | None = None
    date_mise_en_relation: date | None = None
    mentor: Mentor | None = None
    modalite: str | None = None
    date_convention: date | None = None
    date_debut: date | None = None
    date_fin: date | None = None
    motif_fin: str | None = None
    fiche: Fiche | None = None
    id_source: str | None = None  # id in the association's export
    in_export: bool = True  # False: left out of the association's snapshot
    # Follow-up of a started binôme (issue 23), drawn by `follow_up` from its own random
    # stream once every date is final, so the other draws do not shift.
    nb_rencontres: int | None = None  # meetings held, the first one included
    date_derniere_rencontre: date | None = None
    date_bilan_3_mois: date | None = None
    satisfaction_jeune: str | None = None
    satisfaction_mentor: str | None = None
    situation_sortie: str | None = None  # ended binômes only
    defects: list[str] = field(default_factory=list)
    overrides: dict[str, str] = field(default_factory=dict)  # field -> text written instead

    @property
    def age_inscription(self) -> int:
        born, day = self.youth.date_naissance, self.date_inscription
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    @property
    def minor(self) -> bool:
        return self.age_inscription < 18

    @property
    def has_association_record(self) -> bool:
        return self.association is not None and self.in_export

    @property
    def date_inscription_association(self) -> date | None:
        """The association's own registration date (a fiche is registered when received)."""
        if self.association is None:
            return None
        return self.date_attribution if self.fiche else self.date_inscription


@lru_cache(maxsize=16)
def _holidays(year: int) -> frozenset[date]:
    """The demo département's public holidays (the same list the B2 delays skip)."""
    return frozenset(d.astype(date) for d in holidays_for(DEPARTEMENT, year))


def workday(day: date, step: int = 1) -> date:
    """The same day or the next (`step=-1`: previous) jour ouvré: the CD works Monday-Friday."""
    while day.weekday() >= 5 or day in _holidays(day.year):
        day += timedelta(days=step)
    return day


def _days(rng: random.Random, low: int, high: int, mode: float | None = None) -> timedelta:
    value = rng.triangular(low, high, low if mode is None else mode)
    return timedelta(days=round(value))


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    keys = list(weights)
    return rng.choices(keys, [weights[k] for k in keys])[0]


_AGES = {11: 2, 12: 4, 13: 7, 14: 11, 15: 14, 16: 16, 17: 16, 18: 12, 19: 8, 20: 6, 21: 4}
_ACCUEIL = {"famille_accueil": 50, "etablissement": 35, "domicile": 10, "autre": 5}
_INITIATEUR = {
    "famille_accueil": {"referent_ase": 40, "educateur": 20, "assistant_familial": 30},
    "etablissement": {"referent_ase": 40, "educateur": 50},
    "domicile": {"referent_ase": 70, "educateur": 15},
    "autre": {"referent_ase": 70, "educateur": 15},
}
_MOTIFS = {
    "objectifs_atteints": 30,
    "fin_programme": 35,
    "arret_jeune": 13,
    "arret_mentor": 9,
    "changement_situation": 10,
    "autre": 3,
}


_SATISFACTION = {"tres_satisfait": 32, "satisfait": 46, "peu_satisfait": 14, "pas_satisfait": 8}
_SATISFACTION_LOW = {"tres_satisfait": 5, "satisfait": 25, "peu_satisfait": 40, "pas_satisfait": 30}
_SITUATION = {  # by age at the end: under 16, 16-17, 18 and over
    16: {"scolarite": 78, "formation_pro": 10, "emploi": 0, "sans_activite": 5, "autre": 7},
    18: {"scolarite": 45, "formation_pro": 28, "emploi": 6, "sans_activite": 13, "autre": 8},
    99: {"scolarite": 20, "formation_pro": 25, "emploi": 30, "sans_activite": 17, "autre": 8},
}
SILENT_SHARE = 0.15  # running binômes with no meeting for 45 to 120 days
REVIEW_DAYS = 91  # the bilan à 3 mois, about three months after the first meeting


def follow_up(p: Parcours, as_of: date) -> None:
    """The binôme's follow-up as its association records it: meetings held (most pairs 2 to
    4 a month, some fewer, a few more), the last one (within 30 days of the as-of date for a
    running pair, 45 to 120 days before it for a silent one, near the end for an ended one),
    the 3-month review (most pairs that ran that long), both sides' satisfaction (mostly
    satisfied, lower when the pair broke or fell silent; some blank) and the youth's
    situation at exit (ended pairs; some blank).

    Drawn from a `random.Random` of the parcours' own, after every other draw: the other
    fields keep their values whatever this draws."""
    start, end = p.date_debut, p.date_fin
    if start is None or start > as_of or (end is not None and end < start):
        return  # not started, or a planted end before the start: nothing coherent to say
    rng = random.Random(f"suivi-{p.uid}-{p.youth.nom}-{p.youth.prenom}-{start.isoformat()}")
    horizon = end or as_of
    span = (horizon - start).days
    silent = False
    if end is None:
        if span >= 60 and rng.random() < SILENT_SHARE:
            silent = True
            gap = rng.randint(45, min(120, span))
        else:
            gap = min(span, round(rng.triangular(0, 30, 6)))
    else:
        gap = min(span, round(rng.triangular(0, 21, 3)))
    last = horizon - timedelta(days=gap)
    u = rng.random()
    rate = (
        rng.uniform(2, 4)
        if u < 0.75
        else rng.uniform(0.6, 1.8)
        if u < 0.9
        else rng.uniform(4.2, 6.5)
    )  # meetings a month: regular, loose, intense
    # the first meeting, then the others up to the last (at least one when it is later)
    later = round(rate * (last - start).days / 30.4)
    p.nb_rencontres = 1 + (max(1, later) if last > start else 0)
    p.date_derniere_rencontre = last
    review = start + timedelta(days=REVIEW_DAYS + round(rng.triangular(-10, 30, 0)))
    if review <= min(horizon, as_of) and rng.random() < 0.82:
        p.date_bilan_3_mois = review
    early_break = end is not None and span < REVIEW_DAYS
    low = silent or early_break or p.motif_fin in ("arret_jeune", "arret_mentor")
    if span >= 30:
        weights = _SATISFACTION_LOW if low else _SATISFACTION
        if rng.random() >= 0.2:
            p.satisfaction_jeune = _pick(rng, weights)
        if rng.random() >= 0.25:
            p.satisfaction_mentor = _pick(rng, weights)
    if end is not None and rng.random() >= 0.2:
        born = p.youth.date_naissance
        age = end.year - born.year - ((end.month, end.day) < (born.month, born.day))
        p.situation_sortie = _pick(rng, next(w for top, w in _SITUATION.items() if age < top))


class Simulator:
    def __init__(self, rng: random.Random, geo: Geography, as_of: date, n_parcours: int):
        self.rng = rng
        self.geo = geo
        self.as_of = as_of
        self.n = n_parcours
        self.start = as_of - timedelta(days=HISTORY_DAYS)
        self.mentors: dict[str, list[Mentor]] = {key: [] for key in BY_KEY}
        self.requests: list[HonoRequest] = []
        self._youth_keys: set[tuple[str, date]] = set()
        self._mentor_keys: set[tuple[str, str]] = set()
        self.parcours: list[Parcours] = []

    # --- draws -------------------------------------------------------------------------

    def _inscription_day(self) -> date:
        # Density grows linearly over the period (0.5 at the start, 1.5 at the end).
        u = self.rng.random()
        t = -0.5 + (0.25 + 2 * u) ** 0.5
        return self.start + timedelta(days=min(HISTORY_DAYS, int(t * HISTORY_DAYS)))

    def _youth(self, inscription: date) -> Person:
        while True:
            age = _pick(self.rng, {str(k): v for k, v in _AGES.items()})
            born = inscription - timedelta(days=int(age) * 365 + self.rng.randint(5, 360))
            person = draw_youth(self.rng, born)
            key = (identity_key(person.nom, person.prenom), born)
            if key not in self._youth_keys:
                self._youth_keys.add(key)
                return person

    def _mentor(self, association: str) -> Mentor:
        for attempt in itertools.count():
            person = draw_mentor(self.rng, self.as_of)
            if attempt >= 50:  # a large association has used up the simple names
                second = self.rng.choice(SURNAMES)
                person = replace(person, nom=f"{person.nom}-{second}")
            key = (association, identity_key(person.nom, person.prenom))
            if key not in self._mentor_keys:
                self._mentor_keys.add(key)
                mentor = Mentor(association, person, self.rng.choice(BIRTH_PLACES))
                self.mentors[association].append(mentor)
                return mentor

    def _objectifs(self, age: int) -> list[str]:
        weights = {
            "scolarite": 0.55 if age < 17 else 0.25,
            "orientation": 0.45,
            "insertion_pro": 0.1 if age < 16 else 0.45,
            "ouverture_socio_culturelle": 0.35,
            "autre": 0.04,
        }
        chosen = [k for k, w in weights.items() if self.rng.random() < w]
        return chosen or ["orientation"]

    # --- one parcours up to the attribution ---------------------------------------------

    def new_parcours(
        self,
        *,
        tilleuls: bool = False,
        at: tuple[str, str] | None = None,
        youth: Person | None = None,
        inscription: date | None = None,
        exclude_association: str | None = None,
    ) -> Parcours:
        rng, geo = self.rng, self.geo
        inscription = inscription or self._inscription_day()
        accueil = "etablissement" if tilleuls else _pick(rng, _ACCUEIL)
        # Youths in rural communes are over-represented compared with the population
        # (about 20 % of the youths instead of 13 % of the inhabitants).
        commune = geo.draw_commune(rng, rural_share=0.22)
        etablissement = None
        if tilleuls:
            etablissement, commune = TILLEULS, "59400"
        elif at:
            accueil, commune = "famille_accueil", at[0]
        elif accueil == "etablissement":
            found = geo.draw_etablissement(rng, geo.territory(commune))
            if found:
                etablissement, commune = found
        territoire = geo.territory(commune)
        initiateur = _pick(rng, {**_INITIATEUR[accueil], "jeune": 7, "autre": 3})
        if tilleuls or at:
            canal = _pick(rng, {"fiche_cd": 50, "association_directe": 50})
            association = at[1] if at else TILLEULS_ASSOCIATION
        else:
            canal = _pick(rng, {"fiche_cd": 35, "plateforme_1j1m": 20, "association_directe": 45})
            association = geo.draw_association(rng, territoire, exclude=exclude_association)
        if canal == "fiche_cd":
            # the date the CD received the fiche, a working day no later than the as-of date
            received = workday(inscription)
            inscription = received if received <= self.as_of else workday(inscription, -1)
        youth = youth or self._youth(inscription)
        age = inscription.year - youth.date_naissance.year
        parcours = Parcours(
            uid=len(self.parcours),
            youth=youth,
            commune_insee=commune,
            territoire=territoire,
            rural=geo.is_rural(commune),
            type_accueil=accueil,
            etablissement=etablissement,
            objectifs=self._objectifs(age),
            initiateur=initiateur,
            canal=canal,
            association=association,
            date_proposition=inscription - _days(rng, 0, 45, 10),
            date_inscription=inscription,
            date_attribution=inscription,
        )
        if canal == "fiche_cd":
            nom, prenom, variant = cd_spelling(rng, youth)
            stuck = rng.random() < 0.03  # the CD found no association for this profile
            parcours.fiche = Fiche(nom, prenom, variant, association_named=rng.random() >= 0.05)
            parcours.date_attribution = workday(inscription + _days(rng, 3, 20, 7))
            if stuck:
                parcours.association = None
                parcours.date_attribution = None
                parcours.fiche.association_named = False
        self.parcours.append(parcours)
        return parcours

    # --- the rest of the journey ---------------------------------------------------------

    def complete(self, p: Parcours) -> None:
        rng = self.rng
        if p.association is None or p.date_attribution is None:
            return
        start = p.date_attribution
        ap_missing = False
        if p.minor:
            ap_missing = rng.random() < 0.08
            if not ap_missing:
                p.date_autorisation_parentale = start + _days(rng, 5, 40, 12)
        tilleuls = p.etablissement == TILLEULS
        if tilleuls:
            wait, never = _days(rng, 7, 35, 14), 0.05
        elif p.rural:
            wait, never = _days(rng, 30, 150, 60), 0.22
        else:
            wait, never = _days(rng, 15, 90, 30), 0.12
        if rng.random() < never:
            if rng.random() < 0.7:  # the youth gives up while waiting for a mentor
                p.date_fin = start + _days(rng, 45, 240, 90)
                p.motif_fin = "arret_jeune" if rng.random() < 0.8 else "changement_situation"
            return
        p.date_mise_en_relation = mer = start + wait
        p.modalite = self._modalite(p)
        mentor = self._reuse_mentor(p.association, mer) if rng.random() < 0.03 else None
        if mentor is None:
            mentor = self._mentor(p.association)
            mentor.request = self._request(mentor, mer)
        mentor.binomes += 1
        p.mentor = mentor
        request = mentor.request
        if request.resultat == "defavorable":
            p.date_fin = request.date_retour + _days(rng, 1, 10)
            p.motif_fin = "autre"
            return
        cleared = max(mer, request.date_retour)
        if ap_missing:
            if rng.random() < 0.5:
                p.date_fin = cleared + _days(rng, 30, 120, 45)
                p.motif_fin = "arret_jeune"
            return
        if p.date_autorisation_parentale:
            cleared = max(cleared, p.date_autorisation_parentale)
        p.date_convention = workday(cleared + _days(rng, 2, 20, 6))
        p.date_debut = p.date_convention + _days(rng, 0, 15, 5)
        if rng.random() < 0.05:  # stops between the mise en relation and the start
            p.date_fin = mer + _days(rng, 10, 60)
            p.motif_fin = "arret_jeune" if rng.random() < 0.7 else "arret_mentor"
            if p.date_fin <= p.date_debut:
                p.date_debut = None
                if p.date_fin <= p.date_convention:
                    p.date_convention = None
            return
        motif = _pick(rng, _MOTIFS)
        if motif in ("objectifs_atteints", "fin_programme"):
            months = rng.uniform(4, 12) + (rng.uniform(3, 9) if rng.random() < 0.12 else 0)
        else:
            months = rng.uniform(1, 8)
        p.date_fin = p.date_debut + timedelta(days=round(months * 30.4))
        p.motif_fin = motif

    def _modalite(self, p: Parcours) -> str:
        if p.etablissement == TILLEULS:
            return "presentiel"
        if p.rural:
            value = _pick(self.rng, {"presentiel": 30, "distanciel": 40, "mixte": 30})
        else:
            value = _pick(self.rng, {"presentiel": 65, "distanciel": 15, "mixte": 20})
        if value not in BY_KEY[p.association].modalites:
            value = "mixte"
        return value

    def _reuse_mentor(self, association: str, day: date) -> Mentor | None:
        for mentor in self.mentors[association][-40:]:
            if mentor.binomes == 1 and mentor.request and mentor.request.favourable_by(day):
                return mentor
        return None

    def _request(self, mentor: Mentor, mer: date) -> HonoRequest:
        rng = self.rng
        collecte = mer + _days(rng, 1, 10, 3)
        resultat = "defavorable" if rng.random() < 0.01 else "favorable"
        if collecte >= ATTESTATION_SINCE and rng.random() < 0.3:
            transmission = workday(collecte + _days(rng, 0, 3))
            request = HonoRequest(
                mentor.association,
                mentor,
                "attestation_nationale",
                collecte,
                transmission,
                None,  # the volunteer asks online: the CD does not ask the service
                transmission + _days(rng, 8, 25, 14),
                resultat,
            )
        else:
            transmission = workday(collecte + _days(rng, 0, 5, 1))
            demande = workday(transmission + _days(rng, 0, 3, 0))
            back = _days(rng, 20, 40) if rng.random() < 0.05 else _days(rng, 1, 8, 2)
            request = HonoRequest(
                mentor.association,
                mentor,
                "cd_b2_fijais",
                collecte,
                transmission,
                demande,
                workday(demande + back),
                resultat,
            )
        self.requests.append(request)
        return request


def _forget_future(sim: Simulator) -> None:
    """Blank every date after the as-of date: those steps have not happened yet."""
    as_of = sim.as_of
    dated = [
        "date_proposition",
        "date_attribution",
        "date_autorisation_parentale",
        "date_mise_en_relation",
        "date_convention",
        "date_debut",
        "date_fin",
    ]
    for p in sim.parcours:
        for name in dated:
            value = getattr(p, name)
            if value is not None and value > as_of:
                setattr(p, name, None)
        if p.date_fin is None:
            p.motif_fin = None
        if p.date_mise_en_relation is None:
            p.mentor, p.modalite = None, None
        if p.fiche and p.date_attribution is None and p.association is not None:
            # Received by the CD but not sent on yet: no association knows the youth.
            p.association = None
    for r in sim.requests:
        for name in ("date_collecte", "date_transmission_cd", "date_demande_service"):
            value = getattr(r, name)
            if value is not None and value > as_of:
                setattr(r, name, None)
        if r.date_retour is not None and r.date_retour > as_of:
            r.date_retour, r.resultat = None, None
    # By identity, in sets: a list membership test per parcours was quadratic.
    known = {name: {id(m) for m in mentors} for name, mentors in sim.mentors.items()}
    for p in sim.parcours:
        if (
            p.mentor is not None
            and p.mentor.binomes
            and id(p.mentor) not in known.get(p.association or "", set())
        ):
            p.mentor = None
    # A mentor whose only binôme is not formed yet is not known to anyone.
    formed = {id(p.mentor) for p in sim.parcours if p.mentor is not None}
    sim.requests = [
        r for r in sim.requests if id(r.mentor) in formed and r.date_collecte is not None
    ]


def simulate(rng: random.Random, geo: Geography, as_of: date, n_parcours: int) -> Simulator:
    """All parcours, in inscription order, with ids not yet assigned."""
    sim = Simulator(rng, geo, as_of, n_parcours)
    n_tilleuls = max(3, round(16 * n_parcours / 1500))
    n_second = round(0.01 * n_parcours)
    primaries = [sim.new_parcours(tilleuls=True) for _ in range(n_tilleuls)]
    # Communes whose names trip encodings and matching, in the CSV layout whatever the size.
    primaries += [sim.new_parcours(at=at) for at in FORCED_COMMUNES]
    while len(primaries) < n_parcours - n_second:
        primaries.append(sim.new_parcours())
    primaries.sort(key=lambda p: p.date_inscription)
    for p in primaries:
        sim.complete(p)
    # A few youths move and are taken on by another association: two parcours, one youth.
    movers = [
        p
        for p in primaries
        if p.motif_fin == "changement_situation"
        and p.date_fin is not None
        and p.date_fin <= as_of - timedelta(days=60)
    ]
    for first in movers[:n_second]:
        second = sim.new_parcours(
            youth=first.youth,
            inscription=first.date_fin + _days(rng, 10, 45, 20),
            exclude_association=first.association,
        )
        sim.complete(second)
    while len(sim.parcours) < n_parcours:
        sim.complete(sim.new_parcours())
    sim.parcours.sort(key=lambda p: (p.date_inscription, p.uid))
    _forget_future(sim)
    return sim
