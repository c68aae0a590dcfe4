"""The catalogue of figures: every figure the app shows (tile, chart, table column, JSON key,
CSV export) has one id, one French name, one unit and one definition here.

Two different figures never share a name: the cohort's started binômes and every binôme
started by the as-of date are two entries. Pages, the command line's JSON and the exports
read names and units from here; the columns of an indicator's table are catalogue ids, so a
table is renamed in French by `french_names`. Descriptive columns (association, commune,
step…) are entries too, with the unit `texte` or `date`.

The figures are computed by the functions of `indicators/` named in each definition; the
headline figures of the Synthèse are `indicators.headline.figures`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from domain.formatting import number, percent
from domain.steps import STEP_LABELS
from domain.values import category_labels
from indicators import followup as _followup


class Unit(StrEnum):
    COUNT = "nombre"
    SHARE = "part"  # a fraction 0-1, shown as a percentage
    DAYS = "jours"  # calendar days
    WORKING_DAYS = "jours ouvrés"
    MONTHS = "mois"
    KM = "km"
    POINTS = "points sur 100"
    DATE = "date"
    TEXT = "texte"


# what follows a value of the unit, on screen and in a change ("4 j", "+1,5 j ouvrés")
SUFFIXES = {Unit.DAYS: " j", Unit.WORKING_DAYS: " j ouvrés", Unit.KM: " km"}


@dataclass(frozen=True)
class Entry:
    id: str
    name: str
    unit: Unit
    definition: str
    rise_is_good: bool | None = None  # for a change between two periods; None: neither

    @property
    def is_figure(self) -> bool:
        return self.unit not in (Unit.TEXT, Unit.DATE)


_C, _S, _D, _W = Unit.COUNT, Unit.SHARE, Unit.DAYS, Unit.WORKING_DAYS
COHORT = "parcours dont l'inscription tombe dans la période"

ENTRIES: tuple[Entry, ...] = (
    # --- headline figures (Synthèse, command line `chiffres_cles`) --------------------------
    Entry("jeunes_inscrits", "Jeunes inscrits", _C, f"Nombre de {COHORT} (la cohorte).", True),
    Entry(
        "binomes_demarres_cohorte",
        "Binômes démarrés (cohorte)",
        _C,
        "Parcours de la cohorte dont la première séance a eu lieu au plus tard à la date de "
        "fin de période.",
        True,
    ),
    Entry(
        "binomes_actifs",
        "Binômes actifs",
        _C,
        "Mentorats démarrés et non terminés à la date de fin de période, toutes cohortes "
        "confondues.",
        True,
    ),
    Entry(
        "taux_demarrage",
        "Taux de démarrage",
        _S,
        "Binômes démarrés de la cohorte rapportés aux jeunes inscrits de la cohorte.",
        True,
    ),
    Entry(
        "delai_avant_demarrage",
        "Délai médian inscription → démarrage",
        _D,
        "Médiane des jours calendaires de l'inscription au démarrage, binômes démarrés de la "
        "cohorte.",
        False,
    ),
    Entry(
        "delai_median_b2",
        "Délai médian B2 / FIJAIS (jours ouvrés)",
        _W,
        "Médiane des jours ouvrés (l'unité de l'objectif) de la transmission au CD au retour, "
        "demandes B2 / FIJAIS transmises dans la période et revenues.",
        False,
    ),
    Entry(
        "delai_median_b2_calendaires",
        "Délai médian B2 / FIJAIS (jours calendaires)",
        _D,
        "Médiane des jours calendaires de la transmission au CD au retour, demandes B2 / "
        "FIJAIS transmises dans la période et revenues.",
        False,
    ),
    Entry(
        "part_b2_dans_objectif",
        "B2 / FIJAIS dans l'objectif",
        _S,
        "Part des demandes B2 / FIJAIS revenues dont le délai en jours ouvrés ne dépasse pas "
        "l'objectif.",
        True,
    ),
    Entry(
        "part_rurale",
        "Part rurale",
        _S,
        "Part des jeunes inscrits habitant une commune rurale (niveaux 5 à 7 de la grille "
        "communale de densité de l'INSEE), parmi ceux dont la commune est connue.",
        True,
    ),
    Entry(
        "parcours_bloques",
        "Parcours bloqués",
        _C,
        "Parcours en cours de la cohorte, hors binômes actifs (démarrés et non terminés), sans "
        "nouvelle étape depuis au moins le seuil de jours (un seul réglage pour toute "
        "l'application) à la date de fin de période.",
        False,
    ),
    # --- funnel --------------------------------------------------------------------------
    Entry("periode", "Période", Unit.TEXT, "Période de la ligne."),
    Entry("etape", "Étape", Unit.TEXT, "Étape du parcours."),
    Entry("libelle", "Libellé", Unit.TEXT, "Libellé de la ligne (étape, règle, motif…)."),
    Entry("mois", "Mois", Unit.DATE, "Mois de la date que la table nomme."),
    Entry(
        "effectif",
        "Parcours ayant atteint l'étape",
        _C,
        "Parcours de la cohorte qui ont atteint l'étape à la date de fin de période.",
    ),
    Entry(
        "taux_etape_precedente",
        "Taux depuis l'étape précédente",
        _S,
        "Parcours ayant atteint l'étape rapportés à ceux de l'étape précédente.",
    ),
    Entry(
        "taux_depuis_inscription",
        "Taux depuis l'inscription",
        _S,
        "Parcours ayant atteint l'étape rapportés aux jeunes inscrits.",
    ),
    Entry(
        "delai_etape_jours",
        "Délai médian depuis l'étape précédente (jours)",
        _D,
        "Médiane des jours calendaires entre l'étape précédente et l'étape, parcours dont les "
        "deux dates sont connues et dans l'ordre.",
    ),
    Entry(
        "delai_etape_p90_jours",
        "Délai depuis l'étape précédente, 90e centile (jours)",
        _D,
        "90e centile (interpolation linéaire) des mêmes délais.",
    ),
    Entry("etape_atteinte", "Dernière étape atteinte", Unit.TEXT, "Dernière étape du parcours."),
    Entry("depuis", "Depuis le", Unit.DATE, "Date de la dernière étape, ou de l'alerte."),
    Entry("jours_sans_etape", "Jours sans nouvelle étape", _D, "Jours depuis la dernière étape."),
    Entry("tranche", "Ancienneté", Unit.TEXT, "Tranche d'ancienneté."),
    # --- associations --------------------------------------------------------------------
    Entry("association", "Association", Unit.TEXT, "Association du parcours."),
    Entry(
        "id_source",
        "Identifiant (association)",
        Unit.TEXT,
        "Identifiant du parcours dans le fichier de l'association (jamais un nom).",
    ),
    Entry(
        "capacite",
        "Capacité (binômes financés)",
        _C,
        "Binômes financés par la convention de l'association (référentiel).",
    ),
    Entry(
        "en_attente_binome",
        "Jeunes en attente de mentor",
        _C,
        "Jeunes attribués à l'association, sans mise en relation ni sortie, à la date d'arrêté.",
        False,
    ),
    Entry(
        "taux_charge",
        "Taux de charge",
        _S,
        "Binômes actifs rapportés à la capacité financée.",
    ),
    Entry(
        "attente_mediane_jours",
        "Attente médiane (jours)",
        _D,
        "Médiane des jours d'attente des jeunes en attente de mentor.",
        False,
    ),
    Entry("commune_insee", "Commune (code INSEE)", Unit.TEXT, "Code INSEE de la commune."),
    Entry("date_attribution", "Attribué le", Unit.DATE, "Date d'attribution à l'association."),
    Entry("jours_attente", "Jours d'attente", _D, "Jours depuis l'attribution."),
    Entry(
        "attributions",
        "Jeunes attribués",
        _C,
        "Jeunes attribués à l'association pendant le mois.",
    ),
    Entry(
        "mis_en_relation",
        "Jeunes mis en relation",
        _C,
        "Jeunes de la cohorte mis en relation avec un mentor.",
    ),
    Entry(
        "jeunes_confies",
        "Jeunes inscrits confiés à l'association",
        _C,
        "Jeunes de la cohorte confiés à l'association (les fiches pas encore transmises à une "
        "association ne sont pas comptées).",
    ),
    Entry(
        "part_du_flux",
        "Part du flux départemental",
        _S,
        "Jeunes confiés à l'association rapportés aux jeunes de la cohorte qui ont une "
        "association.",
    ),
    Entry("rang", "Rang", _C, "Rang de l'association pour la fiche (1 = la plus indiquée)."),
    Entry("score", "Score (sur 100)", Unit.POINTS, "Score sur 100 points."),
    Entry("raisons", "Raisons", Unit.TEXT, "Ce qui a compté dans le score."),
    # --- honorabilité --------------------------------------------------------------------
    Entry(
        "demandes_b2",
        "Demandes B2 / FIJAIS transmises",
        _C,
        "Demandes B2 / FIJAIS transmises au CD dans la période.",
    ),
    Entry(
        "en_attente_b2",
        "Demandes B2 / FIJAIS en attente",
        _C,
        "Demandes B2 / FIJAIS transmises dans la période et sans retour.",
        False,
    ),
    Entry(
        "demandes_attestation",
        "Attestations nationales demandées",
        _C,
        "Attestations d'honorabilité demandées dans la période.",
    ),
    Entry(
        "en_attente_attestation",
        "Attestations nationales en attente",
        _C,
        "Attestations demandées dans la période et sans retour.",
        False,
    ),
    Entry(
        "delai_median_attestation",
        "Délai médian attestation nationale (jours ouvrés)",
        _W,
        "Médiane des jours ouvrés de la demande au retour de l'attestation.",
        False,
    ),
    Entry(
        "delai_median_attestation_calendaires",
        "Délai médian attestation nationale (jours calendaires)",
        _D,
        "Médiane des jours calendaires de la demande au retour de l'attestation.",
        False,
    ),
    Entry(
        "delai_jours_ouvres",
        "Délai (jours ouvrés)",
        _W,
        "Jours ouvrés de la transmission au retour.",
    ),
    Entry(
        "part_attestation_dans_objectif",
        "Attestations dans l'objectif",
        _S,
        "Part des attestations revenues dans l'objectif en jours ouvrés.",
        True,
    ),
    Entry(
        "demandes_en_retard",
        "Demandes en retard sur l'objectif",
        _C,
        "Demandes sans retour dont l'ancienneté en jours ouvrés dépasse l'objectif de leur voie.",
        False,
    ),
    Entry(
        "delai_mise_en_relation",
        "Délai médian attribution → mise en relation (jours)",
        _D,
        "Médiane des jours calendaires de l'attribution à la mise en relation, jeunes de la "
        "cohorte mis en relation.",
        False,
    ),
    Entry("demandes", "Demandes", _C, "Demandes transmises."),
    Entry(
        "demandes_mesurees",
        "Demandes mesurées",
        _C,
        "Demandes dont les deux dates du segment sont connues et dans l'ordre.",
    ),
    Entry(
        "delai_median_jours",
        "Délai médian du contrôle (jours)",
        _D,
        "Médiane des jours calendaires de la transmission au retour (ou du segment).",
        False,
    ),
    Entry(
        "delai_p90_jours",
        "Délai du contrôle, 90e centile (jours)",
        _D,
        "90e centile (interpolation linéaire) des mêmes délais.",
        False,
    ),
    Entry("delai_jours", "Délai (jours)", _D, "Jours calendaires de la transmission au retour."),
    Entry("traitees", "Traitées", _C, "Demandes revenues."),
    Entry("en_attente", "En attente", _C, "Demandes transmises et sans retour.", False),
    Entry(
        "delai_median_jours_ouvres",
        "Délai médian du contrôle (jours ouvrés)",
        _W,
        "Médiane des jours ouvrés (hors week-ends et jours fériés) de la transmission au retour.",
        False,
    ),
    Entry(
        "part_dans_objectif",
        "Part dans l'objectif",
        _S,
        "Part des demandes revenues dont le délai en jours ouvrés ne dépasse pas l'objectif.",
    ),
    Entry("objectif_jours_ouvres", "Objectif (jours ouvrés)", _W, "Objectif de la voie."),
    Entry("part", "Part", _S, "Part du total de la table."),
    Entry("segment", "Segment", Unit.TEXT, "Portion du circuit de la demande."),
    Entry("voie", "Voie", Unit.TEXT, "Voie de la demande d'honorabilité."),
    Entry("id_demande", "Identifiant de la demande", Unit.TEXT, "Identifiant de la demande."),
    Entry("date_transmission_cd", "Transmise au CD le", Unit.DATE, "Date de transmission."),
    Entry("age_jours", "Ancienneté (jours)", _D, "Jours depuis la transmission."),
    Entry("age_jours_ouvres", "Ancienneté (jours ouvrés)", _W, "Jours ouvrés écoulés."),
    Entry("en_retard", "En retard", Unit.TEXT, "Ancienneté au-delà de l'objectif."),
    # --- durations -----------------------------------------------------------------------
    Entry(
        "binomes_suivis",
        "Binômes démarrés pris en compte",
        _C,
        "Binômes démarrés au plus tard à la date d'arrêté (ou pendant la période, selon le "
        "choix de la page), dont la durée est suivie.",
    ),
    Entry(
        "binomes_termines", "Binômes terminés", _C, "Binômes suivis terminés à la date d'arrêté."
    ),
    *(
        item
        for months in (3, 6, 12)
        for item in (
            Entry(
                f"part_{months}_mois",
                f"Durent au moins {months} mois",
                _S,
                "Estimation de Kaplan-Meier de la part des binômes qui durent au moins "
                f"{months} mois, avec son intervalle de confiance à 95 % (log-log, variance de "
                "Greenwood) ; « fragile » avec moins de 20 binômes encore suivis à "
                f"{months} mois.",
                True,
            ),
            Entry(
                f"part_{months}_mois_ic_bas",
                f"Durent au moins {months} mois : borne basse de l'IC 95 %",
                _S,
                "Borne basse de l'intervalle de confiance à 95 % (log-log, variance de Greenwood).",
            ),
            Entry(
                f"part_{months}_mois_ic_haut",
                f"Durent au moins {months} mois : borne haute de l'IC 95 %",
                _S,
                "Borne haute de l'intervalle de confiance à 95 % (log-log, variance de Greenwood).",
            ),
            Entry(
                f"part_{months}_mois_a_risque",
                f"Binômes encore suivis à {months} mois",
                _C,
                f"Binômes dont la durée suivie atteint {months} mois (en cours ou terminés "
                "depuis) : moins de 20, l'estimation est fragile.",
            ),
        )
    ),
    Entry(
        "duree_mediane_jours",
        "Durée médiane des binômes",
        _D,
        "Médiane de Kaplan-Meier de la durée des binômes (binômes en cours censurés).",
        True,
    ),
    Entry("jours", "Jours depuis le démarrage", _D, "Durée écoulée depuis le démarrage."),
    Entry("duree_mois", "Mois depuis le démarrage", Unit.MONTHS, "La même durée en mois."),
    Entry("motif_fin", "Motif de fin", Unit.TEXT, "Motif de fin du binôme."),
    Entry("survie", "Encore en cours (estimation)", _S, "Estimation de Kaplan-Meier."),
    Entry(
        "ic_bas",
        "IC 95 % : borne basse",
        _S,
        "Borne basse de l'intervalle de confiance à 95 % de l'estimation de Kaplan-Meier.",
    ),
    Entry(
        "ic_haut",
        "IC 95 % : borne haute",
        _S,
        "Borne haute de l'intervalle de confiance à 95 % de l'estimation de Kaplan-Meier.",
    ),
    Entry("a_risque", "Binômes suivis jusque-là", _C, "Binômes encore suivis ce jour-là."),
    Entry("evenements", "Fins ce jour-là", _C, "Binômes terminés ce jour-là."),
    # --- binôme follow-up (indicators/followup.py, page « Suivi des binômes ») ----------
    Entry("indicateur", "Indicateur", Unit.TEXT, "Ce que la ligne compte."),
    Entry(
        "sans_rencontre_30j",
        "Binômes sans rencontre récente",
        _C,
        _followup.generic(_followup.SILENCE_DEFINITION),
        False,
    ),
    Entry(
        "derniere_rencontre_inconnue",
        "Binômes actifs sans date de dernière rencontre",
        _C,
        _followup.generic(_followup.SILENCE_DEFINITION),
        False,
    ),
    *(
        Entry(f"rythme_{key}", name, _C, _followup.generic(_followup.RHYTHM_DEFINITION), good)
        for key, name, good in (
            ("evalues", "Binômes au rythme évalué", None),
            ("dans_la_norme", "Binômes au rythme dans la norme", True),
            ("sous_la_norme", "Binômes au rythme sous la norme", False),
            ("au_dessus", "Binômes au rythme au-dessus de la norme", None),
            ("mediane", "Rythme médian (rencontres par mois)", None),
        )
    ),
    Entry(
        "cohorte_ruptures",
        "Binômes démarrés depuis au moins 3 mois (cohorte)",
        _C,
        _followup.EARLY_BREAKS_DEFINITION,
    ),
    Entry("ruptures_precoces", "Ruptures précoces", _C, _followup.EARLY_BREAKS_DEFINITION, False),
    Entry("bilans_attendus", "Bilans à 3 mois attendus", _C, _followup.REVIEWS_DEFINITION),
    Entry("bilans_faits", "Bilans à 3 mois faits", _C, _followup.REVIEWS_DEFINITION, True),
    *(
        Entry(f"{who}_{key}", name, _C, _followup.SATISFACTION_DEFINITION, good)
        for who, whom in (("jeunes", "Jeunes"), ("mentors", "Mentors"))
        for key, name, good in (
            ("repondants", f"{whom} répondants (satisfaction)", None),
            ("satisfaits", f"{whom} satisfaits", True),
        )
    ),
    *(
        Entry(f"sortie_{key}", f"Sorties : {label}", _C, _followup.EXITS_DEFINITION)
        for key, label in {
            **category_labels("situation_sortie"),
            _followup.NOT_GIVEN: "situation non renseignée",
        }.items()
    ),
    Entry("jeune", "Jeune (pseudonyme)", Unit.TEXT, "Pseudonyme du jeune, jamais son nom."),
    Entry(
        "jours_sans_rencontre",
        "Jours sans rencontre",
        _D,
        "Jours entre la dernière rencontre du binôme et la date d'arrêté.",
    ),
    Entry("mentor_connu", "Mentor connu", Unit.TEXT, "Le mentor du binôme est identifié."),
    # --- territories ---------------------------------------------------------------------
    Entry(
        "classe",
        "Classe",
        Unit.TEXT,
        "Rural (niveaux 5 à 7 de la grille de densité de l'INSEE), urbain (niveaux 1 à 4), "
        "ou commune inconnue.",
    ),
    Entry("insee", "Code INSEE", Unit.TEXT, "Code INSEE de la commune."),
    Entry("nom", "Commune", Unit.TEXT, "Nom de la commune."),
    Entry("epci_nom", "EPCI", Unit.TEXT, "Intercommunalité de la commune."),
    Entry("communes", "Communes avec jeunes", _C, "Communes où habite au moins un jeune."),
    Entry("population", "Population", _C, "Population municipale (INSEE)."),
    Entry("demarrages", "Démarrages", _C, "Binômes démarrés de la cohorte, dans ce lieu."),
    Entry("part_presentiel", "Part en présentiel", _S, "Part des démarrages en présentiel."),
    Entry("part_mixte", "Part en mixte", _S, "Part des démarrages en mixte."),
    Entry(
        "distance_mediane_km",
        "Distance médiane à une antenne (km)",
        Unit.KM,
        "Médiane de la distance à vol d'oiseau à l'antenne la plus proche.",
        False,
    ),
    Entry("antenne_proche", "Antenne la plus proche", Unit.TEXT, "Antenne la plus proche."),
    Entry("association_antenne", "Association de l'antenne", Unit.TEXT, "Son association."),
    Entry("distance_km", "Distance à l'antenne (km)", Unit.KM, "Distance à vol d'oiseau."),
    Entry("tranche_distance", "Distance", Unit.TEXT, "Tranche de distance à l'antenne."),
    Entry(
        "communes_non_couvertes",
        "Communes non couvertes avec des jeunes en attente",
        _C,
        "Communes avec des jeunes en attente de mentor et sans antenne dans le rayon choisi.",
        False,
    ),
    # --- quality and compliance ----------------------------------------------------------
    Entry("parcours", "Parcours", _C, "Parcours de l'association."),
    Entry("completude", "Complétude moyenne", _S, "Part moyenne des champs utiles remplis."),
    Entry("dernier_import", "Données au", Unit.DATE, "Date décrite par le dernier import."),
    Entry("jours_depuis_import", "Âge des données (jours)", _D, "Jours depuis cette date."),
    Entry("part_quarantaine", "Part en quarantaine", _S, "Lignes mises en quarantaine."),
    Entry("alertes", "Alertes", _C, "Alertes de conformité."),
    Entry("alertes_critiques", "Alertes critiques", _C, "Alertes de gravité critique.", False),
    Entry("alertes_majeures", "Alertes majeures", _C, "Alertes de gravité majeure.", False),
    Entry("alertes_a_verifier", "Alertes à vérifier", _C, "Alertes à vérifier.", False),
    Entry("dates_desordre", "Dates dans le désordre", _C, "Parcours aux étapes non ordonnées."),
    Entry("regle", "Règle", Unit.TEXT, "Règle de conformité."),
    Entry("gravite", "Gravité", Unit.TEXT, "Gravité de la règle."),
    Entry("nombre", "Alertes de la règle", _C, "Alertes trouvées par la règle."),
    Entry("detail", "Détail", Unit.TEXT, "Ce que la ligne décrit (règle, action…)."),
    # --- consolidated data and imports ---------------------------------------------------
    Entry("parcours_consolides", "Parcours consolidés", _C, "Parcours dans la base."),
    Entry(
        "parcours_avec_demarrage",
        "Parcours avec un démarrage enregistré",
        _C,
        "Parcours de la base dont la date de démarrage est connue, quelle que soit la date.",
    ),
    Entry("associations", "Associations", _C, "Associations qui ont des parcours."),
    Entry("entrees_journal", "Entrées du journal", _C, "Entrées du journal d'audit."),
    Entry("horodatage", "Quand", Unit.TEXT, "Date et heure (Paris)."),
    Entry("utilisateur", "Qui", Unit.TEXT, "Identifiant de la personne."),
    Entry("role", "Rôle", Unit.TEXT, "Rôle de la personne."),
    Entry("action", "Action", Unit.TEXT, "Ce qui a été fait."),
    Entry("origine", "Depuis", Unit.TEXT, "Adresse ou « ligne de commande »."),
    Entry("lignes_lues", "Lignes lues", _C, "Lignes de données du fichier."),
    Entry("lignes_a_charger", "Lignes qui seront chargées", _C, "Lignes qui seront chargées."),
    Entry("lignes_quarantaine", "Lignes en quarantaine", _C, "Lignes qui ne seront pas chargées."),
)


def check(entries: Iterable[Entry]) -> dict[str, Entry]:
    """Id -> entry; ValueError when an id is declared twice or two figures share a name."""
    by_id: dict[str, Entry] = {}
    names: dict[str, str] = {}
    for item in entries:
        if item.id in by_id:
            raise ValueError(f"catalogue: id {item.id} declared twice")
        by_id[item.id] = item
        if item.is_figure and names.setdefault(item.name, item.id) != item.id:
            raise ValueError(f"catalogue: « {item.name} » names {names[item.name]} and {item.id}")
    return by_id


BY_ID: dict[str, Entry] = check(ENTRIES)


def entry(id_: str) -> Entry:
    """The entry of `id_`; KeyError for an id the catalogue does not declare."""
    return BY_ID[id_]


def name(id_: str) -> str:
    return BY_ID[id_].name


def french_names(columns: Iterable[str]) -> dict[str, str]:
    """Column id -> French name, for renaming a table; KeyError for an undeclared id (so a
    page test catches a column shown without a catalogue entry). Step codes used as
    columns (cohort tables) take the step's label."""
    return {c: STEP_LABELS[c] if c in STEP_LABELS else BY_ID[c].name for c in columns}


def figure_names() -> dict[str, str]:
    """French name -> id of every figure (not the descriptive columns)."""
    return {e.name: e.id for e in ENTRIES if e.is_figure}


def shown(id_: str, value) -> str:
    """A value in French by its unit: "1 234", "12,5 %", "4 j", "3,5 km"; "–" when None."""

    if value is None or value != value:  # None or NaN
        return "–"
    unit = BY_ID[id_].unit
    if unit is Unit.SHARE:
        return percent(value)
    if unit is Unit.KM:
        return number(value, 1) + SUFFIXES[unit]
    return number(value, 1 if value % 1 else 0) + SUFFIXES.get(unit, "")
