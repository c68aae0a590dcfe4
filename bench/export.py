"""A large, realistic, fictional association export for the ingestion benchmark.

30 columns whose French headers the pipeline maps (the headers of tests/test_ingest.py plus
more canonical fields) and three free columns it leaves unmapped. Names are drawn at random
from short lists (fictional people); every youth is distinct (normalised name + birth date),
step dates are in order (proposition ≤ inscription ≤ autorisation ≤ mise en relation ≤ B2 ≤
convention ≤ début ≤ fin) and none is after `LAST_DAY`. Same seed, same file.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

from pipelines.communes import load_communes
from pipelines.pseudonyms import normalise_person

HEADER = [
    "N° dossier",
    "Nom",
    "Prénom",
    "Né(e) le",
    "Sexe",
    "Code INSEE",
    "Commune",
    "CP",
    "Territoire",
    "Lieu d'accueil",
    "Établissement",
    "Proposé par",
    "Date de proposition",
    "Date d'inscription",
    "Date autorisation parentale",
    "Objectifs",
    "Modalité",
    "Statut",
    "Date de mise en relation",
    "Nom mentor",
    "Prénom mentor",
    "Date B2",
    "Résultat B2",
    "Date convention",
    "Date de début",
    "Date de fin",
    "Motif de fin",
    "Heures",  # unmapped
    "Heures réalisées",  # unmapped
    "Commentaire",  # unmapped
]
DATE_COLUMNS = frozenset(h for h in HEADER if h.startswith(("Date", "Né(e)")))


def _words(text: str) -> list[str]:
    return text.split()


FIRST_DAY = dt.date(2021, 1, 4)  # earliest inscription
LAST_DAY = dt.date(2026, 6, 30)  # no date after this day

NOMS = _words(
    "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent "
    "Lefebvre Michel Garcia David Bertrand Roux Vincent Fournier Morel Girard André Lefèvre "
    "Mercier Dupont Lambert Bonnet François Martinez Legrand Garnier Faure Rousseau Blanc "
    "Guérin Muller Henry Roussel Nicolas Perrin Morin Mathieu Clément Gauthier Dumont Lopez "
    "Fontaine Chevalier Robin Masson Sanchez Gérard Nguyen Boyer Denis Lemaire Duval Joly "
    "Gautier Roger Roche Roy Noël Meyer Lucas Meunier Jean Perez Marchand Dufour Blanchard "
    "Marie Barbier Brun Dumas Brunet Schmitt Leroux Colin Fernandez Pierre Renard Arnaud "
    "Rolland Caron Aubert Giraud Leclerc Vidal Bourgeois Renaud Lemoine Picard Gaillard "
    "Philippe Leclercq Lacroix Fabre Dupuis Olivier Rodriguez Da-Silva Hubert Louis Charles "
    "Guillot Rivière Le-Gall Guillaume Adam Rey Moulin Gonzalez Berger Lecomte Menard Fleury "
    "Deschamps Carpentier Julien Benoît Paris Maillard Marchal Aubry Vasseur Le-Roux Renault "
    "Jacquet Collet Prévost Poirier Charpentier Royer Huet Baron Dupuy Pons Paul Laine Carré "
    "Breton Rémy Schneider Perrot Guyot Barre Marty Cousin N'Diaye Diallo Traoré Benali "
    "Haddad Kaci Mansouri Cherif Bouaziz Camara Koné Sylla Diop Fofana Wojcik Kowalski "
    "Nowak Dewulf Vandenbussche Verhaeghe Decroix Delattre Delannoy Desmet Vanhoutte "
    "Lemaître Deleplanque Dhaenens Vermeersch Bouchez Delbecque Catteau Lebrun Descamps"
)
PRENOMS_F = _words(
    "Emma Jade Louise Alice Chloé Lina Léa Rose Anna Mila Inès Ambre Julia Mia Léna Manon "
    "Juliette Lou Zoé Camille Sarah Agathe Jeanne Romane Nina Eva Inaya Léonie Clara Lola "
    "Margaux Lucie Yasmine Aya Maëlys Marie-Claire Anne-Sophie Fatoumata Awa Kenza Salomé "
    "Océane Noémie Laura Élise Héloïse Capucine Maya Anaïs Justine Mathilde Pauline"
)
PRENOMS_M = _words(
    "Gabriel Léo Raphaël Arthur Louis Jules Adam Maël Lucas Hugo Noah Liam Gabin Sacha Paul "
    "Nathan Aaron Mohamed Ethan Tom Éden Léon Noé Tiago Théo Isaac Marius Victor Ayden "
    "Martin Naël Mathis Axel Robin Timéo Enzo Marceau Valentin Nolan Malo Kylian Yanis "
    "Ibrahim Moussa Jean-Baptiste Pierre-Louis Rayan Amir Baptiste Antoine Maxime Clément"
)
SEXES = {"F": ["F", "F", "Fille", "Féminin"], "M": ["M", "M", "Garçon", "Masculin"]}
TERRITOIRES = [
    "UTPAS Lille",
    "UTPAS Roubaix-Tourcoing",
    "UTPAS Métropole Sud",
    "Flandre Maritime",
    "Flandre Intérieure",
    "Douaisis",
    "Cambrésis",
    "Valenciennois",
    "Avesnois",
]
ACCUEILS = [
    ("Famille d'accueil", 40),
    ("Assistante familiale", 8),
    ("MECS", 20),
    ("Foyer de l'enfance", 8),
    ("Lieu de vie", 4),
    ("Domicile", 10),
    ("Tiers digne de confiance", 5),
    ("Appartement autonome", 5),
]
ETABLISSEMENTS = [
    "MECS Les Tilleuls",
    "MECS La Passerelle",
    "MECS Saint-Exupéry",
    "Foyer départemental de l'enfance de Lille",
    "Foyer de l'enfance de Valenciennes",
    "Lieu de vie La Clairière",
    "Village d'enfants de Cambrai",
    "MECS L'Escale",
]
INITIATEURS = ["Référent ASE", "Référente ASE", "Éducateur", "Éducatrice", "Assistante familiale"]
OBJECTIFS = [
    "Scolarité",
    "Orientation",
    "Scolarité, orientation",
    "Insertion professionnelle",
    "Ouverture culturelle",
    "Scolarité / ouverture culturelle",
    "Orientation et insertion professionnelle",
    "Confiance en soi",
]
MODALITES = ["Présentiel", "Présentiel", "À distance", "Mixte", "Visio"]
MOTIFS_FIN = [
    "Objectifs atteints",
    "Fin de programme",
    "Arrêt du jeune",
    "Arrêt du mentor",
    "Déménagement",
    "Autre",
]
COMMENTAIRES = [
    "",
    "",
    "",
    "RAS",
    "Jeune très motivé(e)",
    "Relance du référent faite",
    "Attente retour convention",
    "Binôme à suivre ; rendez-vous mensuel",
    "Préférence pour un mentor du secteur",
    "Rencontres au CDI du collège",
]


def _weighted(rng: random.Random, choices: list[tuple[str, int]]) -> str:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


def _day(rng: random.Random, start: dt.date, low: int, high: int) -> dt.date | None:
    """`start` + a random number of days in [low, high]; None when after LAST_DAY."""
    day = start + dt.timedelta(days=rng.randint(low, high))
    return day if day <= LAST_DAY else None


def _communes_nord() -> list[tuple[str, str, str]]:
    """(INSEE code, name, postcode) of the Nord communes with a single postcode."""
    c = load_communes()
    nord = c[(c["departement"] == "59") & ~c["codes_postaux"].fillna(";").str.contains(";")]
    return list(zip(nord["insee"], nord["nom"], nord["codes_postaux"], strict=True))


def generate_rows(n: int, seed: int = 2026) -> list[list]:
    """`n` data rows (cells as str, int, float, date or None), in HEADER order."""
    rng = random.Random(seed)
    communes = _communes_nord()
    # Denser around the big towns, as real caseloads are.
    weights = [
        1 + 20 * (name in {"Lille", "Roubaix", "Tourcoing", "Valenciennes"})
        for _, name, _ in communes
    ]
    mentors = [(rng.choice(NOMS), rng.choice(PRENOMS_F + PRENOMS_M)) for _ in range(max(n // 2, 1))]
    seen: set[str] = set()
    span = (LAST_DAY - dt.timedelta(days=30) - FIRST_DAY).days
    rows: list[list] = []
    for i in range(n):
        while True:
            sexe = rng.choice("FM")
            nom = rng.choice(NOMS)
            prenom = rng.choice(PRENOMS_F if sexe == "F" else PRENOMS_M)
            inscription = FIRST_DAY + dt.timedelta(days=rng.randint(0, span))
            naissance = inscription - dt.timedelta(days=rng.randint(11 * 366, 20 * 365))
            identity = f"{normalise_person(nom, prenom)}|{naissance.isoformat()}"
            if identity not in seen:
                seen.add(identity)
                break
        minor = (inscription.year - naissance.year) - (
            (inscription.month, inscription.day) < (naissance.month, naissance.day)
        ) < 18
        insee, commune, cp = rng.choices(communes, weights=weights)[0]
        accueil = _weighted(rng, ACCUEILS)
        etablissement = (
            rng.choice(ETABLISSEMENTS)
            if accueil in ("MECS", "Foyer de l'enfance", "Lieu de vie")
            else None
        )
        proposition = inscription - dt.timedelta(days=rng.randint(0, 45))

        relation = _day(rng, inscription, 3, 90) if rng.random() < 0.85 else None
        autorisation = None
        if minor and (relation is not None or rng.random() < 0.5):
            gap = (relation - inscription).days if relation else 60
            autorisation = _day(rng, inscription, 0, gap)
        mentor = b2 = resultat = convention = debut = fin = motif = None
        if relation is not None:
            mentor = rng.choice(mentors)
            b2 = _day(rng, relation, 1, 10)
            resultat = "Favorable" if rng.random() < 0.995 else "Défavorable"
            if b2 is not None and resultat == "Favorable":
                convention = _day(rng, b2, 0, 20)
                debut = _day(rng, convention, 0, 15) if convention else None
                if debut is not None and rng.random() < 0.5:
                    fin = _day(rng, debut, 120, 365)
                    motif = rng.choice(MOTIFS_FIN) if fin else None
        elif rng.random() < 0.1:  # gave up before being matched
            fin = _day(rng, inscription, 20, 200)
            motif = "Arrêt du jeune" if fin else None
        if fin is not None:
            statut = "Terminé" if debut is not None else "Abandonné"
        elif debut is not None:
            statut = "En cours"
        else:
            statut = "En attente"
        heures = rng.choice([1.5, 2.0, 2.5, 3.0, 4.0]) if debut else None
        realisees = rng.randint(0, 60) if debut else None
        rows.append(
            [
                f"BEN-{i + 1:06d}",
                nom,
                prenom,
                naissance,
                rng.choice(SEXES[sexe]),
                insee,
                commune,
                cp,
                rng.choice(TERRITOIRES),
                accueil,
                etablissement,
                rng.choice(INITIATEURS),
                proposition,
                inscription,
                autorisation,
                rng.choice(OBJECTIFS),
                rng.choice(MODALITES),
                statut,
                relation,
                mentor[0] if mentor else None,
                mentor[1] if mentor else None,
                b2,
                resultat,
                convention,
                debut,
                fin,
                motif,
                heures,
                realisees,
                rng.choice(COMMENTAIRES) or None,
            ]
        )
    return rows


def write_xlsx(rows: list[list], path: Path) -> None:
    """Real date cells, numbers as numbers (openpyxl write-only mode)."""
    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Export")
    ws.append(HEADER)
    for row in rows:
        ws.append(row)
    wb.save(path)


def _csv_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    return str(value)


def write_csv(rows: list[list], path: Path) -> None:
    """As French Excel saves a CSV: cp1252, ";" separator, dd/mm/yyyy, decimal comma."""
    with open(path, "w", encoding="cp1252", newline="") as fh:
        writer = csv.writer(fh, delimiter=";", lineterminator="\r\n")
        writer.writerow(HEADER)
        writer.writerows([_csv_cell(v) for v in row] for row in rows)
