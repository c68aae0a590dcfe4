"""The CD's fiche candidature as a form: its columns as a list, and the rows of the Word fiche
(sections, labels, tick boxes, the date placeholder). The template writer (reports/templates.py)
and the reader of filled fiches (pipelines/docx_fiches.py) both follow it, so that a fiche
written from the template is always read back."""

from __future__ import annotations

from domain.schema import Kind, field

# Columns of the CD's list of fiches, in order (the birth year and postcode are derived, the
# canal is always "fiche candidature du CD").
FICHE_COLUMNS = [
    "id_source", "nom", "prenom", "date_naissance", "sexe", "commune_insee", "commune",
    "type_accueil", "etablissement", "territoire", "objectifs", "modalite", "initiateur",
    "association", "date_proposition", "date_inscription", "date_attribution",
    "date_autorisation_parentale",
]  # fmt: skip

UNCHECKED = "☐"
CHECKED_MARKS = ("☒", "☑", "X", "x")
DOCX_HEADER = ("Champ", "Réponse")
DATE_PLACEHOLDER = "JJ/MM/AAAA"  # left in a date answer, it means "not filled"

# Rows of the fiche that are not fields of the schema (read back, never imported).
SITUATION_LABEL = "Situation du jeune et projet pour l'enfant (PPE)"
REFERENT_LABEL = "Nom et fonction de la personne qui propose"
SERVICE_LABEL = "Service du référent"


def fiche_sections() -> list[tuple[str, list[str]]]:
    """(section title, [row labels]) of the Word fiche; labels are the fiche fields' French
    labels (`Kind.FICHE_CD`) except the three free-text rows above."""

    def lab(name: str) -> str:
        return field(Kind.FICHE_CD, name).label

    return [
        (
            "Le jeune",
            [
                lab(n)
                for n in (
                    "nom",
                    "prenom",
                    "date_naissance",
                    "sexe",
                    "commune",
                    "type_accueil",
                    "etablissement",
                )
            ],
        ),
        ("Sa situation", [SITUATION_LABEL]),
        ("Le mentorat souhaité", [lab("objectifs"), lab("modalite"), lab("association")]),
        (
            "Proposé par",
            [lab("initiateur"), REFERENT_LABEL, SERVICE_LABEL, lab("territoire")],
        ),
        (
            "Réservé au département",
            [lab("id_source"), lab("date_proposition"), lab("date_inscription")],
        ),
    ]
