"""Fictional identities for the demo: common French given names and surnames only.

Every name is drawn from generic lists of frequent names and combined at random, so no
real person's data is involved. The lists deliberately include what breaks naive
matching: accents, hyphenated given names, apostrophes (N'Diaye, D'Hondt), a surname with
a space (Da Silva) and `œ` (Lebœuf), which NFKD does not decompose.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

GIRLS = [
    "Léa", "Chloé", "Manon", "Emma", "Camille", "Inès", "Sarah", "Jade", "Lina", "Zoé", "Maëlys",
    "Océane", "Anaïs", "Noémie", "Clara", "Lucie", "Louna", "Eva", "Ambre", "Julie", "Laura",
    "Mélissa", "Yasmine", "Aïcha", "Fatoumata", "Kenza", "Élise", "Justine", "Marie-Lou",
    "Lou-Anne", "Anne-Sophie", "Marie-Claire", "Héloïse", "Célia", "Romane", "Charlotte", "Alicia",
    "Maëva", "Nour", "Assia", "Léna", "Pauline", "Margaux", "Agathe",
]  # fmt: skip
BOYS = [
    "Lucas", "Théo", "Enzo", "Hugo", "Nathan", "Mathéo", "Noah", "Louis", "Tom", "Gabriel",
    "Kylian", "Yanis", "Rayan", "Amine", "Bilal", "Mohamed", "Adam", "Ethan", "Maxime", "Clément",
    "Quentin", "Dylan", "Kévin", "Jérémy", "Loïc", "Axel", "Mathis", "Baptiste", "Jean-Baptiste",
    "Paul-Henri", "Jean-Louis", "Anthony", "Florian", "Ibrahim", "Moussa", "Sacha", "Timéo", "Noé",
    "Raphaël", "Benoît", "Samuel", "Valentin", "Killian", "Aurélien",
]  # fmt: skip
MENTOR_WOMEN = [
    "Marie-Claire", "Anne-Sophie", "Marie-Christine", "Hélène", "Françoise", "Cécile", "Agnès",
    "Gaëlle", "Maïté", "Nathalie", "Isabelle", "Sandrine", "Valérie", "Sophie", "Caroline",
    "Émilie", "Céline", "Stéphanie", "Aurélie", "Delphine", "Claire", "Béatrice", "Sylvie",
    "Brigitte", "Karima", "Nadia", "Élodie", "Laëtitia", "Geneviève", "Mélanie", "Amandine",
    "Morgane", "Pauline", "Juliette", "Salomé", "Inès", "Louise", "Anne",
]  # fmt: skip
MENTOR_MEN = [
    "Jean-Baptiste", "Jean-François", "Pierre-Yves", "Jean-Marc", "Stéphane", "Frédéric", "Benoît",
    "Jérôme", "Loïc", "Noël", "Philippe", "Olivier", "Christophe", "Thierry", "Laurent", "Éric",
    "Sébastien", "Nicolas", "Julien", "Guillaume", "Vincent", "Franck", "Hervé", "Bruno", "Didier",
    "Pascal", "François", "Mehdi", "Karim", "Antoine", "Rémi", "Grégory", "Arnaud", "Mathieu",
    "Damien", "Yves", "Bernard", "Hamid",
]  # fmt: skip
SURNAMES = [
    "Lefebvre", "Lefèvre", "Dubois", "Leroy", "Lemaire", "Dupont", "Delattre", "Vandamme",
    "Deschamps", "Caron", "Dewaele", "Lecomte", "Martin", "Petit", "Durand", "Moreau", "Fontaine",
    "Leclercq", "Carpentier", "Debruyne", "Lemoine", "Dufour", "Bernard", "Duhamel", "Desmet",
    "Vasseur", "Boulanger", "Delannoy", "Mahieu", "Ducrocq", "Wallart", "Dequidt", "Vanhoutte",
    "Ghesquière", "Wattiez", "Lemaître", "Herbaut", "Delcourt", "Lévêque", "Bénard", "Évrard",
    "Declercq", "Dumont", "Lambert", "Roussel", "Leblanc", "Masson", "Hennebert", "Coppin",
    "Delmotte", "Descamps", "Duquesne", "Fournier", "Girard", "Lebrun", "Lecocq", "Legrand",
    "Louchart", "Maes", "Noël", "Poulain", "Renard", "Ruffin", "Sauvage", "Vermeersch",
    "Verhaeghe", "Willems", "Baert", "Cuvelier", "Delerue", "Lebœuf", "N'Diaye", "D'Hondt",
    "Da Silva", "Benali", "Haddad", "Mendy", "Diallo", "Traoré", "Kaddouri", "Belkacem", "Nowak",
    "Kowalski", "Dupont-Lefèvre", "Lacroix", "Bouchez", "Flament", "Guilbert", "Hochart",
    "Jacquart", "Lesage", "Macquet", "Pruvost",
]  # fmt: skip
BIRTH_PLACES = [
    "Lille", "Roubaix", "Tourcoing", "Dunkerque", "Valenciennes", "Douai", "Cambrai", "Maubeuge",
    "Arras", "Lens", "Béthune", "Amiens", "Calais", "Boulogne-sur-Mer", "Saint-Quentin", "Paris",
    "Reims", "Rouen", "Villeneuve-d'Ascq", "Armentières", "Hazebrouck", "Mons (Belgique)",
    "Tournai (Belgique)", "Alger (Algérie)", "Casablanca (Maroc)", "Dakar (Sénégal)",
]  # fmt: skip


@dataclass(frozen=True)
class Person:
    nom: str
    prenom: str
    sexe: str  # "F" or "M"
    date_naissance: date


def identity_key(nom: str, prenom: str) -> str:
    """The name part of a pseudonym key, as docs/domaine.md normalises it (avoids collisions)."""
    text = f"{nom} {prenom}".upper().replace("Œ", "OE").replace("Æ", "AE")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("'", "").replace("’", "")
    text = "".join(c if "A" <= c <= "Z" else " " for c in text)
    return " ".join(sorted(text.split()))


def draw_youth(rng: random.Random, birth: date) -> Person:
    sexe = "F" if rng.random() < 0.4 else "M"
    prenom = rng.choice(GIRLS if sexe == "F" else BOYS)
    return Person(rng.choice(SURNAMES), prenom, sexe, birth)


def draw_mentor(rng: random.Random, as_of: date) -> Person:
    sexe = "F" if rng.random() < 0.62 else "M"  # mentors are more often women
    prenom = rng.choice(MENTOR_WOMEN if sexe == "F" else MENTOR_MEN)
    age_days = rng.randint(20 * 365, 72 * 365)
    return Person(rng.choice(SURNAMES), prenom, sexe, as_of - timedelta(days=age_days))


def strip_accents(text: str) -> str:
    text = text.replace("œ", "oe").replace("Œ", "OE")
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c))


def cd_spelling(rng: random.Random, person: Person) -> tuple[str, str, str]:
    """How the CD's fiche spells a youth (nom, prénom, kind of variant).

    The fiche is typed by hand from a Word form, so about a third of the rows differ from
    the association's spelling in ways the pseudonym normalisation absorbs: capitals,
    dropped accents, hyphen written as a space, apostrophe dropped, columns swapped.
    """
    nom, prenom = person.nom, person.prenom
    u = rng.random()
    if u < 0.04:
        return prenom, nom, "inverse"
    if u < 0.14:
        return nom.upper(), prenom.upper(), "majuscules"
    if u < 0.24:
        return strip_accents(nom).upper(), strip_accents(prenom), "sans_accents"
    if u < 0.30 and ("-" in nom + prenom):
        return nom.replace("-", " "), prenom.replace("-", " "), "tiret_espace"
    if u < 0.33 and "'" in nom:
        return nom.replace("'", "").upper(), prenom, "apostrophe"
    return nom, prenom, "identique"
