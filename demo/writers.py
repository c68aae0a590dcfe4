"""The files as each sender would write them: one layout per association, the CD's files.

Each layout's headers and labels are declared here as data (header -> how to get the value).
Most are mirrored by a mapping profile in pipelines/mappings/; two (Tremplin Avenir 59, La
Boussole Mentorat) are read by the matcher alone, as a partner's first file would be. Dates
are `date` objects until the file format decides: text "dd/mm/yyyy" (CSV, typed fields),
real Excel date cells, or Excel serial numbers in plain number cells (a badly configured
export).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.writer.excel import ExcelWriter

from demo.journeys import HonoRequest, Parcours
from demo.people import strip_accents
from demo.scenario import DemoData
from demo.territory import ASSOCIATIONS, BY_KEY, TILLEULS

Value = str | int | float | date | None
Column = tuple[str, Callable[[Parcours], Value]]

EXCEL_EPOCH = date(1899, 12, 30)


def statut(p: Parcours) -> str:
    if p.date_fin is not None:
        return "termine" if p.date_debut is not None else "abandonne"
    return "en_cours" if p.date_debut is not None else "en_attente"


def _get(p: Parcours, name: str) -> Value:
    """A parcours' value for a canonical field, with the planted overrides applied."""
    if name in p.overrides:
        return p.overrides[name]
    mentor = p.mentor.person if p.mentor else None
    request = p.mentor.request if p.mentor else None
    values: dict[str, Callable[[], Value]] = {
        "id_source": lambda: p.id_source,
        "nom": lambda: p.youth.nom,
        "prenom": lambda: p.youth.prenom,
        "date_naissance": lambda: p.youth.date_naissance,
        "sexe": lambda: p.youth.sexe,
        "commune_insee": lambda: p.commune_insee,
        "type_accueil": lambda: p.type_accueil,
        "etablissement": lambda: p.etablissement,
        "territoire": lambda: p.territoire,
        "modalite": lambda: p.modalite,
        "initiateur": lambda: p.initiateur,
        "canal": lambda: p.canal,
        "date_proposition": lambda: p.date_proposition,
        "date_inscription": lambda: p.date_inscription_association,
        "date_attribution": lambda: p.date_inscription_association,
        "date_autorisation_parentale": lambda: p.date_autorisation_parentale,
        "date_mise_en_relation": lambda: p.date_mise_en_relation,
        "nom_mentor": lambda: mentor.nom if mentor else None,
        "prenom_mentor": lambda: mentor.prenom if mentor else None,
        "date_naissance_mentor": lambda: mentor.date_naissance if mentor else None,
        "date_honorabilite": lambda: request.date_retour if request else None,
        "resultat_honorabilite": lambda: request.resultat if request else None,
        "date_convention": lambda: p.date_convention,
        "date_debut": lambda: p.date_debut,
        "date_fin": lambda: p.date_fin,
        "motif_fin": lambda: p.motif_fin,
        "statut": lambda: statut(p),
        "nb_rencontres": lambda: p.nb_rencontres,
        "date_derniere_rencontre": lambda: p.date_derniere_rencontre,
        "date_bilan_3_mois": lambda: p.date_bilan_3_mois,
        "satisfaction_jeune": lambda: p.satisfaction_jeune,
        "satisfaction_mentor": lambda: p.satisfaction_mentor,
        "situation_sortie": lambda: p.situation_sortie,
    }
    return values[name]()


def _label(table: dict[str, str], code: str | None) -> str | None:
    return None if code is None else table[code]


def _labels(table: dict[str, str], codes: Iterable[str], sep: str) -> str:
    return sep.join(table[c] for c in codes)


def _upper(text: str | None) -> str | None:
    return None if text is None else text.upper()


# --- file writing helpers ---------------------------------------------------------------


def _stable_save(wb: Workbook, path: Path, stamp: datetime) -> None:
    """Save with fixed document properties and zip timestamps, so a seed gives fixed bytes."""
    wb.properties.created = stamp
    wb.properties.modified = stamp
    buffer = io.BytesIO()
    with ZipFile(buffer, "w", ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(wb, archive).write_data()
    with ZipFile(buffer) as source, ZipFile(path, "w", ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = ZipInfo(info.filename, date_time=stamp.timetuple()[:6])
            fixed.compress_type = ZIP_DEFLATED
            target.writestr(fixed, source.read(info.filename))


def _cell(value: Value, dates: str) -> Value:
    if isinstance(value, date) and dates == "serial":
        return (value - EXCEL_EPOCH).days
    return value


def write_xlsx(
    path: Path,
    sheet: str,
    header: Sequence[str],
    rows: Iterable[Sequence[Value]],
    *,
    stamp: datetime,
    dates: str = "cells",  # "cells": Excel dates; "serial": numbers without a date format
    title_rows: Sequence[str] = (),
    creator: str = "",
    widths: int = 16,
) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    wb.properties.creator = creator
    wb.properties.lastModifiedBy = creator
    for text in title_rows:
        ws.append([text] if text else [])
    if title_rows and title_rows[0]:
        ws.cell(row=1, column=1).font = Font(bold=True, size=14)
    ws.append(list(header))
    header_row = ws.max_row
    for cell in ws[header_row]:
        cell.font = Font(bold=True)
    for line, row in enumerate(rows, start=header_row + 1):
        values = [_cell(v, dates) for v in row]
        ws.append(values)
        if dates == "cells":  # ws.cell is a lookup; ws[line] would scan the whole sheet
            for column, value in enumerate(values, start=1):
                if isinstance(value, datetime | date):
                    ws.cell(row=line, column=column).number_format = "DD/MM/YYYY"
    for letter in {c.column_letter for c in ws[header_row]}:
        ws.column_dimensions[letter].width = widths
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    _stable_save(wb, path, stamp)


def write_grouped_xlsx(
    path: Path,
    readme: Sequence[str],
    sheet: str,
    groups: Sequence[tuple[str, int]],
    header: Sequence[str],
    rows: Iterable[Sequence[Value]],
    *,
    stamp: datetime,
    creator: str = "",
) -> None:
    """A workbook as small associations keep them: a read-me sheet first, then the data under
    a row of merged group cells ("Jeune", "Binôme", "Mentor") whose sub-headers repeat."""
    wb = Workbook()
    notes = wb.active
    notes.title = "À lire"
    for line in readme:
        notes.append([line])
    ws = wb.create_sheet(sheet)
    wb.properties.creator = creator
    wb.properties.lastModifiedBy = creator
    column = 1
    for label, span in groups:
        if label:
            ws.cell(row=1, column=column, value=label).font = Font(bold=True)
            if span > 1:
                ws.merge_cells(
                    start_row=1, start_column=column, end_row=1, end_column=column + span - 1
                )
        column += span
    ws.append(list(header))
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for line, row in enumerate(rows, start=3):
        ws.append(list(row))
        for col, value in enumerate(row, start=1):
            if isinstance(value, datetime | date):
                ws.cell(row=line, column=col).number_format = "DD/MM/YYYY"
    ws.freeze_panes = ws.cell(row=3, column=1)
    _stable_save(wb, path, stamp)


def write_excel_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Value]]) -> None:
    """As French Excel saves "CSV (séparateur: point-virgule)": cp1252, `;`, CRLF, dd/mm/yyyy."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(
            ["" if v is None else f"{v:%d/%m/%Y}" if isinstance(v, date) else v for v in row]
        )
    path.write_bytes(buffer.getvalue().encode("cp1252"))


# --- association layouts ----------------------------------------------------------------


def _envol_columns(data: DemoData) -> list[Column]:
    geo = data.geo
    accueil = {
        "famille_accueil": "Famille d'accueil",
        "etablissement": "Foyer / MECS",
        "domicile": "Domicile familial",
        "autre": "Autre",
    }
    canal = {
        "fiche_cd": "Fiche CD",
        "plateforme_1j1m": "1jeune1mentor",
        "association_directe": "Directe",
    }
    initiateur = {
        "referent_ase": "Référent ASE",
        "educateur": "Educateur",
        "assistant_familial": "Assistant familial",
        "jeune": "Le jeune lui-même",
        "autre": "Autre",
    }
    objectifs = {
        "scolarite": "Scolarité",
        "orientation": "Orientation",
        "insertion_pro": "Insertion pro",
        "ouverture_socio_culturelle": "Ouverture culturelle",
        "autre": "Autre",
    }
    modalite = {
        "presentiel": "Présentiel",
        "distanciel": "À distance",
        "mixte": "Présentiel + visio",
    }
    motif = {
        "objectifs_atteints": "Objectifs atteints",
        "fin_programme": "Fin du programme",
        "arret_jeune": "Arrêt à l'initiative du jeune",
        "arret_mentor": "Arrêt du mentor",
        "changement_situation": "Déménagement / changement de placement",
        "autre": "Autre",
    }
    status = {
        "en_attente": "En attente",
        "en_cours": "En cours",
        "termine": "Terminé",
        "abandonne": "Abandon",
    }
    note = {
        "tres_satisfait": "4/4",
        "satisfait": "3/4",
        "peu_satisfait": "2/4",
        "pas_satisfait": "1/4",
    }
    situation = {
        "scolarite": "Scolarité",
        "formation_pro": "Formation pro / apprentissage",
        "emploi": "Emploi",
        "sans_activite": "Sans activité",
        "autre": "Autre",
    }

    return [
        ("N° dossier", lambda p: p.id_source),
        ("Nom", lambda p: p.youth.nom.upper()),
        ("Prénom", lambda p: p.youth.prenom),
        ("Né(e) le", lambda p: p.youth.date_naissance),
        ("Sexe", lambda p: p.youth.sexe),
        ("Commune de résidence", lambda p: p.overrides.get("commune") or geo.name(p.commune_insee)),
        ("CP", lambda p: p.overrides.get("code_postal") or geo.postcode(p.commune_insee)),
        ("Lieu d'accueil", lambda p: accueil[p.type_accueil]),
        ("Nom de l'établissement", lambda p: p.etablissement),
        ("Origine", lambda p: canal[p.canal]),
        ("Orienté par", lambda p: initiateur[p.initiateur]),
        ("Date d'inscription", lambda p: p.date_inscription_association),
        ("Autorisation parentale reçue le", lambda p: p.date_autorisation_parentale),
        ("Objectifs", lambda p: _labels(objectifs, p.objectifs, ", ")),
        ("Nom mentor", lambda p: _upper(_get(p, "nom_mentor"))),
        ("Prénom mentor", lambda p: _get(p, "prenom_mentor")),
        ("Date mise en relation", lambda p: p.date_mise_en_relation),
        ("Date convention", lambda p: _get(p, "date_convention")),  # may be overridden
        ("Date 1er RDV", lambda p: p.date_debut),
        ("Modalité", lambda p: _label(modalite, p.modalite)),
        ("Statut", lambda p: status[statut(p)]),
        ("Date de fin", lambda p: p.date_fin),
        ("Motif de fin", lambda p: _label(motif, p.motif_fin)),
        ("Heures réalisées", lambda p: _hours(p, data.as_of)),
        # Follow-up (issue 23): no mentor's satisfaction, the youth's as a score out of 4.
        ("Nb séances", lambda p: p.nb_rencontres),
        ("Dernière séance", lambda p: p.date_derniere_rencontre),
        ("Bilan 3 mois", lambda p: p.date_bilan_3_mois),
        ("Satisfaction (note /4)", lambda p: _label(note, p.satisfaction_jeune)),
        ("Situation fin de mentorat", lambda p: _label(situation, p.situation_sortie)),
        ("Commentaire", lambda p: _comment(p)),
    ]


def _hours(p: Parcours, as_of: date) -> str | None:
    """Hours of mentoring so far, with a decimal comma: 1.5 h a meeting held (three a month
    when the count is unknown)."""
    if p.date_debut is None:
        return None
    if p.nb_rencontres is not None:
        return f"{p.nb_rencontres * 1.5:.1f}".replace(".", ",")
    end = min(p.date_fin or as_of, as_of)
    days = max(0, (end - p.date_debut).days)
    hours = round(days / 30.4 * 3 * 1.5 * 2) / 2  # to the half hour
    return f"{hours:.1f}".replace(".", ",")


def _comment(p: Parcours) -> str | None:
    # A small fixed rotation keyed on the uid: typographic apostrophes (cp1252 0x92), accents.
    if p.uid % 9 == 0 and p.date_debut is not None:
        return "RDV à l’antenne, jeune très investi"
    if p.uid % 11 == 0 and p.minor and p.date_autorisation_parentale is None:
        return "Relance de l’éducateur pour l’autorisation parentale"
    if p.uid % 13 == 0 and p.date_mise_en_relation is None:
        return "En attente d’un mentor sur le secteur"
    return None


def _ailes_columns(data: DemoData) -> list[Column]:
    geo = data.geo
    accueil = {
        "famille_accueil": "FA",
        "etablissement": "Établissement",
        "domicile": "Domicile parental",
        "autre": "Autre",
    }
    canal = {
        "fiche_cd": "Département (fiche)",
        "plateforme_1j1m": "1jeune1mentor.fr",
        "association_directe": "Inscription directe",
    }
    initiateur = {
        "referent_ase": "Réf. ASE",
        "educateur": "Éducateur",
        "assistant_familial": "Assistante familiale",
        "jeune": "Jeune",
        "autre": "Autre",
    }
    objectifs = {
        "scolarite": "Scolarité",
        "orientation": "Orientation",
        "insertion_pro": "Insertion professionnelle",
        "ouverture_socio_culturelle": "Ouverture culturelle",
        "autre": "Autre",
    }
    modalite = {"presentiel": "Présentiel", "distanciel": "Visio", "mixte": "Mixte"}
    motif = {
        "objectifs_atteints": "Objectifs atteints",
        "fin_programme": "Fin de parcours",
        "arret_jeune": "Abandon du jeune",
        "arret_mentor": "Désistement du mentor",
        "changement_situation": "Changement de lieu de placement",
        "autre": "Autre",
    }
    return [
        ("Réf.", lambda p: p.id_source),
        ("NOM", lambda p: p.youth.nom.upper()),
        ("Prénom", lambda p: p.youth.prenom),
        ("Date de naissance", lambda p: p.youth.date_naissance),
        ("Genre", lambda p: "Fille" if p.youth.sexe == "F" else "Garçon"),
        ("Code INSEE", lambda p: p.commune_insee),
        ("Ville", lambda p: geo.name(p.commune_insee)),
        ("Accueil", lambda p: accueil[p.type_accueil]),
        ("Structure d'accueil", lambda p: p.etablissement),
        (
            "Antenne",
            lambda p: "Les Tilleuls (Merville)" if p.etablissement == TILLEULS else "Dunkerque",
        ),
        ("Canal", lambda p: canal[p.canal]),
        ("Prescripteur", lambda p: initiateur[p.initiateur]),
        ("Date inscription", lambda p: p.date_inscription_association),
        ("Autorisation parentale", lambda p: p.date_autorisation_parentale),
        ("Thématiques", lambda p: _labels(objectifs, p.objectifs, " / ")),
        ("Mentor - Nom", lambda p: _upper(_get(p, "nom_mentor"))),
        ("Mentor - Prénom", lambda p: _get(p, "prenom_mentor")),
        ("Mentor - Date de naissance", lambda p: _get(p, "date_naissance_mentor")),
        ("Mise en relation", lambda p: p.date_mise_en_relation),
        ("Convention signée le", lambda p: p.date_convention),
        ("Démarrage", lambda p: p.date_debut),
        ("Format", lambda p: _label(modalite, p.modalite)),
        ("Fin", lambda p: p.date_fin),
        ("Motif", lambda p: _label(motif, p.motif_fin)),
    ]


def _tremplin_columns(data: DemoData) -> list[Column]:
    """A layout no profile describes (the matcher reads it): capitals without accents, the
    youth's and the mentor's full names in one cell, « CP VILLE » in one cell, birth dates
    typed with two-digit years, a yes/no column for 1jeune1mentor, Excel serial numbers for
    the steps, abbreviated labels."""
    geo = data.geo
    accueil = {"famille_accueil": "FA", "etablissement": "MECS", "domicile": "AEMO", "autre": "TDC"}
    objectifs = {
        "scolarite": "SCOLARITE",
        "orientation": "ORIENTATION",
        "insertion_pro": "INSERTION PRO",
        "ouverture_socio_culturelle": "OUVERTURE CULTURELLE",
        "autre": "AUTRE",
    }
    modalite = {"presentiel": "PRESENTIEL", "distanciel": "A DISTANCE", "mixte": "MIXTE"}
    motif = {
        "objectifs_atteints": "OBJECTIFS ATTEINTS",
        "fin_programme": "FIN DU TUTORAT",
        "arret_jeune": "ABANDON JEUNE",
        "arret_mentor": "ARRET TUTEUR",
        "changement_situation": "DEMENAGEMENT",
        "autre": "AUTRE",
    }
    status = {
        "en_attente": "EN ATTENTE",
        "en_cours": "ACTIF",
        "termine": "TERMINE",
        "abandonne": "ABANDON",
    }
    resultat = {"favorable": "FAVORABLE", "defavorable": "DEFAVORABLE"}
    score = {
        "tres_satisfait": "5/5",
        "satisfait": "4/5",
        "peu_satisfait": "3/5",
        "pas_satisfait": "2/5",
    }
    situation = {
        "scolarite": "SCOLARITE",
        "formation_pro": "FORMATION",
        "emploi": "EMPLOI",
        "sans_activite": "SANS ACTIVITE",
        "autre": "AUTRE",
    }

    def b2(p: Parcours, what: str) -> Value:
        request = p.mentor.request if p.mentor else None
        if request is None or request.date_retour is None:
            return None
        return request.date_retour if what == "date" else resultat[request.resultat]

    def full(nom: str | None, prenom: str | None) -> str | None:
        return None if nom is None else f"{strip_accents(nom).upper()} {prenom}"

    def place(p: Parcours) -> str:
        name = strip_accents(geo.name(p.commune_insee)).upper()
        return f"{geo.postcode(p.commune_insee)} {name}"

    return [
        ("ID", lambda p: int(p.id_source)),
        ("NOM PRENOM JEUNE", lambda p: full(p.youth.nom, p.youth.prenom)),
        ("NE(E) LE", lambda p: f"{p.youth.date_naissance:%d/%m/%y}"),  # typed, 2-digit year
        ("SEXE", lambda p: "F" if p.youth.sexe == "F" else "G"),
        ("CP VILLE", place),
        ("PLACEMENT", lambda p: accueil[p.type_accueil]),
        ("ETABLISSEMENT", lambda p: p.etablissement),
        ("VIA 1J1M (O/N)", lambda p: "O" if p.canal == "plateforme_1j1m" else "N"),
        ("DATE ENTREE", lambda p: p.date_inscription_association),
        ("DATE AP", lambda p: p.date_autorisation_parentale),
        ("OBJECTIF", lambda p: objectifs[p.objectifs[0]]),
        ("TUTEUR", lambda p: full(_get(p, "nom_mentor"), _get(p, "prenom_mentor"))),
        ("DATE BINOME", lambda p: p.date_mise_en_relation),
        ("B2", lambda p: b2(p, "date")),
        ("RESULTAT B2", lambda p: b2(p, "resultat")),
        ("CONVENTION", lambda p: p.date_convention),
        ("1ERE SEANCE", lambda p: p.date_debut),
        ("MODE", lambda p: _label(modalite, p.modalite)),
        ("SORTIE", lambda p: p.date_fin),
        ("MOTIF SORTIE", lambda p: _label(motif, p.motif_fin)),
        ("STATUT", lambda p: status[statut(p)]),
        # Follow-up (issue 23): satisfaction as a score out of 5, typed as text.
        ("NB RDV", lambda p: p.nb_rencontres),
        ("DERNIER RDV", lambda p: p.date_derniere_rencontre),
        ("POINT 3 MOIS", lambda p: p.date_bilan_3_mois),
        ("SATISFACTION JEUNE /5", lambda p: _label(score, p.satisfaction_jeune)),
        ("SATISFACTION TUTEUR /5", lambda p: _label(score, p.satisfaction_mentor)),
        ("SITUATION SORTIE", lambda p: _label(situation, p.situation_sortie)),
    ]


BOUSSOLE_README = [
    "Tableau de suivi des binômes ASE - La Boussole Mentorat",
    "Une ligne = un jeune inscrit chez nous, mise à jour chaque mois.",
    "Les colonnes « Binôme » ne sont remplies qu'une fois le mentor trouvé.",
    "Merci de ne pas modifier l'ordre des colonnes : le fichier part au Département.",
]
BOUSSOLE_GROUPS = [
    ("", 2),
    ("Jeune", 11),
    ("Binôme", 7),
    ("Mentor", 2),
    ("Suivi du binôme", 6),
    ("", 3),
]


def _boussole_columns(data: DemoData) -> list[Column]:
    """A layout no profile describes (the matcher reads it): under merged group cells
    « Jeune », « Binôme », « Mentor », the sub-headers « Nom », « Prénom » repeat; terse step
    headers; labels with a precision in parentheses or written as a sentence."""
    geo = data.geo
    accueil = {
        "famille_accueil": "Famille d'accueil (AF)",
        "etablissement": "Foyer (MECS)",
        "domicile": "Domicile (AEMO)",
        "autre": "Tiers digne de confiance",
    }
    initiateur = {
        "referent_ase": "Son référent ASE",
        "educateur": "L'éducateur du foyer",
        "assistant_familial": "Son assistante familiale",
        "jeune": "Le jeune lui-même",
        "autre": "Autre",
    }
    canal = {
        "fiche_cd": "Fiche du Département",
        "plateforme_1j1m": "1jeune1mentor",
        "association_directe": "En direct",
    }
    objectifs = {
        "scolarite": "Scolarité",
        "orientation": "Orientation",
        "insertion_pro": "Stage / emploi",
        "ouverture_socio_culturelle": "Loisirs et culture",
        "autre": "Autre",
    }
    modalite = {"presentiel": "En face à face", "distanciel": "Visio", "mixte": "Les deux"}
    motif = {
        "objectifs_atteints": "Objectifs atteints",
        "fin_programme": "Fin du programme (1 an)",
        "arret_jeune": "Arrêt à l'initiative du jeune",
        "arret_mentor": "Le mentor n'est plus disponible",
        "changement_situation": "Le jeune a déménagé",
        "autre": "Autre",
    }

    satisfaction = {
        "tres_satisfait": "Très satisfait",
        "satisfait": "Satisfait",
        "peu_satisfait": "Peu satisfait",
        "pas_satisfait": "Pas satisfait",
    }
    devenir = {
        "scolarite": "Poursuit sa scolarité",
        "formation_pro": "En formation professionnelle",
        "emploi": "A trouvé un emploi",
        "sans_activite": "Sans activité",
        "autre": "Autre",
    }

    def b2(p: Parcours) -> Value:
        request = p.mentor.request if p.mentor else None
        return None if request is None else request.date_retour

    return [
        ("N°", lambda p: p.id_source),
        ("Inscrit(e) le", lambda p: p.date_inscription_association),
        ("Nom", lambda p: p.youth.nom.upper()),
        ("Prénom", lambda p: p.youth.prenom),
        ("Date de naissance", lambda p: p.youth.date_naissance),
        ("Fille / Garçon", lambda p: "Fille" if p.youth.sexe == "F" else "Garçon"),
        (
            "Commune (CP)",
            lambda p: f"{geo.name(p.commune_insee)} ({geo.postcode(p.commune_insee)})",
        ),
        ("Lieu d'accueil", lambda p: accueil[p.type_accueil]),
        ("Structure", lambda p: p.etablissement),
        ("UTPAS", lambda p: p.territoire),
        ("Proposé le", lambda p: p.date_proposition),
        ("Proposé par", lambda p: initiateur[p.initiateur]),
        ("Arrivé(e) par", lambda p: canal[p.canal]),
        ("Date AP", lambda p: p.date_autorisation_parentale),
        ("Mise en relation", lambda p: p.date_mise_en_relation),
        ("B2 reçu le", b2),
        ("Conv. signée le", lambda p: p.date_convention),
        ("1er RDV", lambda p: p.date_debut),
        ("Fin", lambda p: p.date_fin),
        ("Motif d'arrêt", lambda p: _label(motif, p.motif_fin)),
        ("Nom", lambda p: _upper(_get(p, "nom_mentor"))),
        ("Prénom", lambda p: _get(p, "prenom_mentor")),
        ("Nombre de rencontres", lambda p: p.nb_rencontres),
        ("Dernière rencontre", lambda p: p.date_derniere_rencontre),
        ("Bilan à 3 mois", lambda p: p.date_bilan_3_mois),
        ("Satisfaction jeune", lambda p: _label(satisfaction, p.satisfaction_jeune)),
        ("Satisfaction mentor", lambda p: _label(satisfaction, p.satisfaction_mentor)),
        ("Devenir du jeune", lambda p: _label(devenir, p.situation_sortie)),
        ("Modalité", lambda p: _label(modalite, p.modalite)),
        ("Objectif(s)", lambda p: _labels(objectifs, p.objectifs, " / ")),
        ("Commentaires", lambda p: _comment(p)),
    ]


# What each column of the matcher-read layouts holds (for tests and documentation): the
# header as the import reports it ("Groupe - En-tête" under a merged group).
MATCHED_LAYOUTS: dict[str, dict[str, str]] = {
    "tremplin": {
        "ID": "id_source", "NOM PRENOM JEUNE": "nom_prenom", "NE(E) LE": "date_naissance",
        "SEXE": "sexe", "CP VILLE": "commune", "PLACEMENT": "type_accueil",
        "ETABLISSEMENT": "etablissement", "VIA 1J1M (O/N)": "via_plateforme",
        "DATE ENTREE": "date_inscription", "DATE AP": "date_autorisation_parentale",
        "OBJECTIF": "objectifs", "TUTEUR": "nom_prenom_mentor",
        "DATE BINOME": "date_mise_en_relation", "B2": "date_honorabilite",
        "RESULTAT B2": "resultat_honorabilite", "CONVENTION": "date_convention",
        "1ERE SEANCE": "date_debut", "MODE": "modalite", "SORTIE": "date_fin",
        "MOTIF SORTIE": "motif_fin", "STATUT": "statut", "NB RDV": "nb_rencontres",
        "DERNIER RDV": "date_derniere_rencontre", "POINT 3 MOIS": "date_bilan_3_mois",
        "SATISFACTION JEUNE /5": "satisfaction_jeune",
        "SATISFACTION TUTEUR /5": "satisfaction_mentor",
        "SITUATION SORTIE": "situation_sortie",
    },
    "boussole": {
        "N°": "id_source", "Inscrit(e) le": "date_inscription", "Jeune - Nom": "nom",
        "Jeune - Prénom": "prenom", "Jeune - Date de naissance": "date_naissance",
        "Jeune - Fille / Garçon": "sexe", "Jeune - Commune (CP)": "commune",
        "Jeune - Lieu d'accueil": "type_accueil", "Jeune - Structure": "etablissement",
        "Jeune - UTPAS": "territoire", "Jeune - Proposé le": "date_proposition",
        "Jeune - Proposé par": "initiateur", "Jeune - Arrivé(e) par": "canal",
        "Binôme - Date AP": "date_autorisation_parentale",
        "Binôme - Mise en relation": "date_mise_en_relation",
        "Binôme - B2 reçu le": "date_honorabilite", "Binôme - Conv. signée le": "date_convention",
        "Binôme - 1er RDV": "date_debut", "Binôme - Fin": "date_fin",
        "Binôme - Motif d'arrêt": "motif_fin", "Mentor - Nom": "nom_mentor",
        "Mentor - Prénom": "prenom_mentor",
        "Suivi du binôme - Nombre de rencontres": "nb_rencontres",
        "Suivi du binôme - Dernière rencontre": "date_derniere_rencontre",
        "Suivi du binôme - Bilan à 3 mois": "date_bilan_3_mois",
        "Suivi du binôme - Satisfaction jeune": "satisfaction_jeune",
        "Suivi du binôme - Satisfaction mentor": "satisfaction_mentor",
        "Suivi du binôme - Devenir du jeune": "situation_sortie",
        "Modalité": "modalite", "Objectif(s)": "objectifs",
        "Commentaires": "",
    },
}  # fmt: skip


def association_table(data: DemoData, key: str) -> tuple[list[str], list[list[Value]]]:
    """Header and rows of one association's export (planted duplicate included)."""
    cols = {
        "envol": _envol_columns,
        "ailes": _ailes_columns,
        "tremplin": _tremplin_columns,
        "boussole": _boussole_columns,
    }[key](data)
    rows: list[list[Value]] = []
    for p in data.of(key):
        row = [get(p) for _, get in cols]
        rows.append(row)
        if "doublon" in p.defects:
            rows.append(list(row))
    return [h for h, _ in cols], rows


# --- CD files -----------------------------------------------------------------------------

FICHE_ACCUEIL = {
    "famille_accueil": "Famille d'accueil",
    "etablissement": "MECS / Foyer",
    "domicile": "Domicile",
    "autre": "Autre",
}
FICHE_INITIATEUR = {
    "referent_ase": "Référent ASE",
    "educateur": "Éducateur",
    "assistant_familial": "Assistant familial",
    "jeune": "Jeune",
    "autre": "Autre",
}
FICHE_OBJECTIFS = {
    "scolarite": "Scolarité",
    "orientation": "Orientation",
    "insertion_pro": "Insertion professionnelle",
    "ouverture_socio_culturelle": "Ouverture socio-culturelle",
    "autre": "Autre",
}


def fiches_table(data: DemoData) -> tuple[list[str], list[list[Value]]]:
    geo = data.geo

    def observation(p: Parcours) -> str | None:
        if p.association is None and p.date_attribution is None:
            if (data.as_of - p.date_inscription).days > 30:
                return "Pas d'association sur le secteur : à revoir en comité"
            return "À orienter"
        if not p.fiche.association_named:
            return "Envoyée par mail, association non reportée"
        return None

    header = [
        "N° fiche", "Date de réception", "Nom", "Prénom", "Date de naissance", "Sexe",
        "Commune", "Code commune (INSEE)", "Territoire", "Lieu de vie", "Établissement",
        "Demande formulée par", "Objectifs du mentorat", "Date de proposition (PPE)",
        "Association choisie", "Date d'envoi à l'association", "Observations",
    ]  # fmt: skip
    rows = []
    for p in sorted(data.fiches(), key=lambda p: p.fiche.id_source):
        named = p.association is not None and p.fiche.association_named
        rows.append(
            [
                p.fiche.id_source,
                p.date_inscription,
                p.fiche.nom,
                p.fiche.prenom,
                f"{p.youth.date_naissance:%d/%m/%Y}",  # typed as text from the Word form
                p.youth.sexe,
                geo.name(p.commune_insee),
                p.commune_insee,
                p.territoire,
                FICHE_ACCUEIL[p.type_accueil],
                p.etablissement,
                FICHE_INITIATEUR[p.initiateur],
                _labels(FICHE_OBJECTIFS, p.objectifs, "; "),
                p.date_proposition,
                BY_KEY[p.association].nom if named else None,
                p.date_attribution if p.association is not None else None,
                observation(p),
            ]
        )
    return header, rows


HONO_RESULTAT = {"favorable": "Favorable", "defavorable": "Défavorable"}
HONO_VOIE = {"cd_b2_fijais": "CD (B2 + FIJAIS)", "attestation_nationale": "Attestation nationale"}


def honorabilite_table(data: DemoData) -> tuple[list[str], list[list[Value]]]:
    header = [
        "N° demande", "Association", "Nom du bénévole", "Prénom du bénévole", "Né(e) le",
        "Lieu de naissance", "Voie", "Date de collecte", "Transmis au CD le",
        "Envoyé au service le", "Retour le", "Résultat", "Commentaire",
    ]  # fmt: skip
    rows = []
    for r in data.cd_requests():
        rows.append(
            [
                r.id_source,
                BY_KEY[r.association].nom,
                r.mentor.person.nom.upper(),
                r.mentor.person.prenom,
                r.mentor.person.date_naissance,
                r.mentor.lieu_naissance,
                HONO_VOIE[r.voie],
                r.date_collecte,
                r.date_transmission_cd,
                r.date_demande_service,
                r.date_retour,
                HONO_RESULTAT.get(r.resultat),
                _hono_comment(r, data.as_of),
            ]
        )
    return header, rows


def _hono_comment(r: HonoRequest, as_of: date) -> str | None:
    if r.date_retour is None:
        return "Relance faite" if (as_of - r.date_transmission_cd).days > 10 else None
    if (r.date_retour - r.date_transmission_cd).days >= 20:
        return "Retour tardif du service"
    return None


REFERENTIEL_OBJECTIFS = FICHE_OBJECTIFS
REFERENTIEL_MODALITES = {"presentiel": "Présentiel", "distanciel": "Distanciel", "mixte": "Mixte"}


def referentiel_table(data: DemoData) -> tuple[list[str], list[list[Value]]]:
    header = [
        "Association", "Capacité (binômes financés)", "Territoires desservis",
        "Communes desservies", "Objectifs", "Modalités", "Antenne", "Commune de l'antenne",
    ]  # fmt: skip
    rows = []
    for a in ASSOCIATIONS:
        communes = ";".join(data.geo.served_communes(a))
        for antenne in a.antennes:
            rows.append(
                [
                    a.nom,
                    a.capacite,
                    ", ".join(a.territoires),
                    communes,
                    _labels(REFERENTIEL_OBJECTIFS, a.objectifs, ", "),
                    _labels(REFERENTIEL_MODALITES, a.modalites, ", "),
                    antenne.nom,
                    antenne.commune_insee,  # a name alone can be ambiguous (Merville)
                ]
            )
    return header, rows


# Columns a profiled layout gained after its profile was written (issue 23's follow-up): the
# profile reads the others, the matcher these, with no question. Header -> field.
ADDED_COLUMNS: dict[str, dict[str, str]] = {
    "envol_csv": {
        "Nb séances": "nb_rencontres",
        "Dernière séance": "date_derniere_rencontre",
        "Bilan 3 mois": "date_bilan_3_mois",
        "Satisfaction (note /4)": "satisfaction_jeune",
        "Situation fin de mentorat": "situation_sortie",
    },
}
