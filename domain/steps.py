"""The steps of the funnel, in order, with their French labels and the date that marks
each (docs/domaine.md, « Les étapes »). The "reaches" rule is computed in indicators/steps.py.
"""

from __future__ import annotations

STEPS = [
    "inscription",
    "attribution",
    "autorisation_parentale",
    "mise_en_relation",
    "honorabilite",
    "convention",
    "demarrage",
    "cloture",
]

STEP_LABELS = {
    "inscription": "Inscription",
    "attribution": "Attribution",
    "autorisation_parentale": "Autorisation parentale",
    "mise_en_relation": "Mise en relation",
    "honorabilite": "Honorabilité",
    "convention": "Convention",
    "demarrage": "Démarrage",
    "cloture": "Clôture",
}

STEP_DATE = {
    "inscription": "date_inscription",
    "attribution": "date_attribution",
    "autorisation_parentale": "date_autorisation_parentale",
    "mise_en_relation": "date_mise_en_relation",
    "honorabilite": "date_honorabilite",
    "convention": "date_convention",
    "demarrage": "date_debut",
    "cloture": "date_fin",
}

ADULT_AGE = 18  # no autorisation parentale needed from this age at inscription

STATUS_LABELS = {"en_cours": "En cours", "perdu": "Perdu", "termine": "Terminé"}
