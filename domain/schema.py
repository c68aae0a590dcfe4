"""Canonical fields of each source kind: the contract between mapping, normalising and loading.

A mapping profile or the synonym dictionary turns a file's headers into these field names;
everything downstream only knows these names. Identity fields are read to compute
pseudonyms and then dropped: they never leave the ingestion process.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    """What a file contains."""

    ASSOCIATION = "association"  # an association's export of its parcours
    FICHE_CD = "fiche_cd"  # the CD's list of fiches candidature
    HONORABILITE = "honorabilite"  # the B2/FIJAIS follow-up
    ASSOCIATIONS = "associations"  # referential: associations, capacities, antennes


KIND_LABELS = {
    Kind.ASSOCIATION: "export d'association",
    Kind.FICHE_CD: "fiches candidature du CD",
    Kind.HONORABILITE: "suivi honorabilité (B2/FIJAIS)",
    Kind.ASSOCIATIONS: "référentiel des associations",
}

# Where the date a file's data describe was found (pipelines/data_date.py), in French.
TITLE, CONTENT, IMPORT = "titre", "contenu", "import"
ORIGIN_LABELS = {
    TITLE: "date indiquée dans le fichier",
    CONTENT: "dernière date trouvée dans le fichier",
    IMPORT: "jour de l'import",
}


class FieldType(StrEnum):
    TEXT = "text"  # free text, trimmed
    CODE = "code"  # identifier or code kept as text (leading zeros, 2A004)
    DATE = "date"
    INT = "int"
    CATEGORY = "category"  # one value of a value table (domain/valeurs.toml)
    CATEGORIES = "categories"  # several values of a value table, any separator
    IDENTITY = "identity"  # name or birth data: only feeds a pseudonym, never stored
    IDENTITY_DATE = "identity_date"  # birth date: feeds a pseudonym and the birth year


@dataclass(frozen=True)
class Field:
    name: str
    type: FieldType
    label: str  # French label, used in messages and templates
    table: str | None = None  # value table for CATEGORY / CATEGORIES


def _f(name: str, type_: FieldType, label: str, table: str | None = None) -> Field:
    return Field(name, type_, label, table)


T = FieldType

# Fields describing a youth, shared by association exports and CD fiches.
_YOUTH = [
    _f("id_source", T.CODE, "Identifiant"),
    _f("nom", T.IDENTITY, "Nom du jeune"),
    _f("prenom", T.IDENTITY, "Prénom du jeune"),
    _f("nom_prenom", T.IDENTITY, "Nom et prénom du jeune (une cellule)"),
    _f("date_naissance", T.IDENTITY_DATE, "Date de naissance du jeune"),
    _f("annee_naissance", T.INT, "Année de naissance"),
    _f("sexe", T.CATEGORY, "Sexe", "sexe"),
    _f("commune_insee", T.CODE, "Code INSEE de la commune"),
    _f("commune", T.TEXT, "Commune"),
    _f("code_postal", T.CODE, "Code postal"),
    _f("type_accueil", T.CATEGORY, "Type d'accueil", "type_accueil"),
    _f("etablissement", T.TEXT, "Établissement"),
    _f("territoire", T.TEXT, "Territoire"),
    _f("objectifs", T.CATEGORIES, "Objectifs", "objectifs"),
    _f("modalite", T.CATEGORY, "Modalité", "modalite"),
    _f("initiateur", T.CATEGORY, "Proposé par", "initiateur"),
    _f("canal", T.CATEGORY, "Canal d'inscription", "canal"),
    _f("via_plateforme", T.CATEGORY, "Inscrit par 1jeune1mentor (oui/non)", "oui_non"),
    _f("association", T.TEXT, "Association"),
    _f("date_proposition", T.DATE, "Date de proposition"),
    _f("date_inscription", T.DATE, "Date d'inscription"),
    _f("date_attribution", T.DATE, "Date d'attribution"),
    _f("date_autorisation_parentale", T.DATE, "Date de l'autorisation parentale"),
]

_MENTOR_IDENTITY = [
    _f("nom_mentor", T.IDENTITY, "Nom du mentor"),
    _f("prenom_mentor", T.IDENTITY, "Prénom du mentor"),
    _f("nom_prenom_mentor", T.IDENTITY, "Nom et prénom du mentor (une cellule)"),
    _f("date_naissance_mentor", T.IDENTITY, "Date de naissance du mentor"),
    _f("lieu_naissance_mentor", T.IDENTITY, "Lieu de naissance du mentor"),
]

_MATCH = [
    _f("date_mise_en_relation", T.DATE, "Date de mise en relation"),
    *_MENTOR_IDENTITY,
    _f("date_honorabilite", T.DATE, "Date du retour B2/FIJAIS"),
    _f("resultat_honorabilite", T.CATEGORY, "Résultat B2/FIJAIS", "resultat"),
    _f("date_convention", T.DATE, "Date de signature de la convention"),
    _f("date_debut", T.DATE, "Date de démarrage"),
    _f("date_fin", T.DATE, "Date de fin"),
    _f("motif_fin", T.CATEGORY, "Motif de fin", "motif_fin"),
    _f("statut", T.CATEGORY, "Statut", "statut"),
]

# The follow-up of a running binôme: optional, a file without them loads as before.
_FOLLOW_UP = [
    _f("nb_rencontres", T.INT, "Nombre de rencontres"),
    _f("date_derniere_rencontre", T.DATE, "Date de la dernière rencontre"),
    _f("date_bilan_3_mois", T.DATE, "Date du bilan à 3 mois"),
    _f("satisfaction_jeune", T.CATEGORY, "Satisfaction du jeune", "satisfaction"),
    _f("satisfaction_mentor", T.CATEGORY, "Satisfaction du mentor", "satisfaction"),
    _f("situation_sortie", T.CATEGORY, "Situation à la sortie", "situation_sortie"),
]
FOLLOW_UP_FIELDS = tuple(f.name for f in _FOLLOW_UP)

# A CD fiche names some youth fields its own way; these labels are also what tells a fiche
# list from an association export (their concepts are the fiche's own in vocabulaire.toml).
_FICHE_LABELS = {
    "id_source": _f("id_source", T.CODE, "N° de fiche"),
    "association": _f("association", T.TEXT, "Association choisie"),
    "date_inscription": _f("date_inscription", T.DATE, "Date de réception de la fiche"),
    "date_attribution": _f("date_attribution", T.DATE, "Date d'envoi à l'association"),
}

FIELDS: dict[Kind, list[Field]] = {
    Kind.ASSOCIATION: _YOUTH + _MATCH + _FOLLOW_UP,
    Kind.FICHE_CD: [_FICHE_LABELS.get(f.name, f) for f in _YOUTH],
    Kind.HONORABILITE: [
        _f("id_source", T.CODE, "N° de demande"),
        _f("association", T.TEXT, "Association"),
        *_MENTOR_IDENTITY,
        _f("voie", T.CATEGORY, "Voie", "voie"),
        _f("date_collecte", T.DATE, "Date de collecte"),
        _f("date_transmission_cd", T.DATE, "Date de transmission au CD"),
        _f("date_demande_service", T.DATE, "Date de demande au service"),
        _f("date_retour", T.DATE, "Date de retour"),
        _f("resultat", T.CATEGORY, "Résultat", "resultat"),
    ],
    Kind.ASSOCIATIONS: [
        _f("association", T.TEXT, "Association"),
        _f("capacite", T.INT, "Capacité (binômes financés)"),
        _f("communes_servies", T.TEXT, "Communes desservies"),
        _f("territoires", T.TEXT, "Territoires desservis"),
        _f("objectifs", T.CATEGORIES, "Objectifs proposés", "objectifs"),
        _f("modalites", T.CATEGORIES, "Modalités proposées", "modalite"),
        _f("antenne", T.TEXT, "Antenne"),
        _f("commune_antenne", T.TEXT, "Commune de l'antenne (code INSEE ou nom)"),
    ],
}

# Columns that must be present in the file (after mapping) for it to be read at all.
# A youth is identified by nom + prénom + date de naissance (see docs/domaine.md,
# pseudonyms); a full name in one cell stands for both (ALTERNATIVES).
REQUIRED_COLUMNS: dict[Kind, list[str]] = {
    Kind.ASSOCIATION: ["id_source", "nom", "prenom", "date_naissance", "date_inscription"],
    Kind.FICHE_CD: ["id_source", "nom", "prenom", "date_naissance", "date_inscription"],
    Kind.HONORABILITE: ["nom_mentor", "prenom_mentor", "date_transmission_cd"],
    Kind.ASSOCIATIONS: ["association"],
}

# A required field is also satisfied by its alternative: the full name in one cell.
ALTERNATIVES = {
    "nom": "nom_prenom",
    "prenom": "nom_prenom",
    "nom_mentor": "nom_prenom_mentor",
    "prenom_mentor": "nom_prenom_mentor",
}


def missing_required(kind: Kind, mapped: set[str] | list[str]) -> list[str]:
    """The required fields of `kind` that neither they nor their alternative are mapped."""
    present = set(mapped)
    return [
        f for f in REQUIRED_COLUMNS[kind] if f not in present and ALTERNATIVES.get(f) not in present
    ]


def field(kind: Kind, name: str) -> Field:
    """The field `name` of `kind`; KeyError when the kind has no such field."""
    for f in FIELDS[kind]:
        if f.name == name:
            return f
    raise KeyError(name)


def identity_fields() -> set[str]:
    """Every field that must never be stored, whatever the kind."""
    return {
        f.name
        for fields in FIELDS.values()
        for f in fields
        if f.type in (FieldType.IDENTITY, FieldType.IDENTITY_DATE)
    }
