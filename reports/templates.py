"""Templates handed out to associations and CD staff, generated from `domain.schema`.

Headers are the fields' French labels (always synonyms of their field, see
`pipelines.mapping.synonyms`), so a filled template maps with no manual help; categories are
the French labels of the value tables (`domain/valeurs.toml`, first spelling).
Every function returns the file's bytes; nothing is written to disk. Spreadsheet cells are
written as text through `domain.spreadsheet_cells`, so no label can ever become a formula.
"""

from __future__ import annotations

import datetime as dt
import io

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.shared import Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from domain.fiche_form import (
    DATE_PLACEHOLDER,
    DOCX_HEADER,
    FICHE_COLUMNS,
    UNCHECKED,
    fiche_sections,
)
from domain.schema import (
    ALTERNATIVES,
    FIELDS,
    FOLLOW_UP_FIELDS,
    REQUIRED_COLUMNS,
    Field,
    FieldType,
    Kind,
    field,
)
from domain.spreadsheet_cells import write_cell
from domain.values import category_labels

DATA_SHEET = "Données"
HELP_SHEET = "Aide"
LISTS_SHEET = "Listes"
TEMPLATE_ROWS = 2000  # validations cover the rows below the header up to this line
DATE_FORMAT = "DD/MM/YYYY"
STEP_DATES = (dt.date(2000, 1, 1), dt.date(2100, 12, 31))
BIRTH_DATES = (dt.date(1900, 1, 1), dt.date(2100, 12, 31))  # mentors may be born before 2000
EXCEL_EPOCH = dt.date(1899, 12, 30)

# The binôme's follow-up (issue 23): optional, last in the association template; a file
# without these columns loads as before.
FOLLOW_UP_COLUMNS = list(FOLLOW_UP_FIELDS)
OPTIONAL_NOTE = "Facultatif (suivi du binôme) : laisser vide si l'information n'est pas suivie."

# Columns of each spreadsheet template, in order. Left out on purpose: the birth year and
# postcode (derived from the birth date and the commune), the mentor's birth data in an
# association export (only the B2/FIJAIS follow-up needs them), the canal of a CD fiche
# (always "fiche candidature du CD").
ASSOCIATION_COLUMNS = [
    "id_source", "nom", "prenom", "date_naissance", "sexe", "commune_insee", "commune",
    "type_accueil", "etablissement", "territoire", "objectifs", "modalite", "initiateur",
    "canal", "association", "date_proposition", "date_inscription", "date_attribution",
    "date_autorisation_parentale", "date_mise_en_relation", "nom_mentor", "prenom_mentor",
    "date_honorabilite", "resultat_honorabilite", "date_convention", "date_debut",
    "date_fin", "motif_fin", "statut", *FOLLOW_UP_COLUMNS,
]  # fmt: skip
# The full name in one cell is an alternative to the two name columns, not a column more.
HONORABILITE_COLUMNS = [
    f.name for f in FIELDS[Kind.HONORABILITE] if f.name not in ALTERNATIVES.values()
]
TEMPLATE_COLUMNS = {
    Kind.ASSOCIATION: ASSOCIATION_COLUMNS,
    Kind.FICHE_CD: FICHE_COLUMNS,
    Kind.HONORABILITE: HONORABILITE_COLUMNS,
}

# What each column holds, in French, for the Aide sheet and the input help.
DESCRIPTIONS = {
    "id_source": "Identifiant du dossier dans votre outil ; il ne doit pas changer d'un envoi "
    "à l'autre.",
    "nom": "Nom de famille du jeune (sert uniquement à calculer un pseudonyme, jamais conservé).",
    "prenom": "Prénom du jeune (sert uniquement à calculer un pseudonyme, jamais conservé).",
    "date_naissance": "Date de naissance du jeune (seule l'année est conservée).",
    "sexe": "Sexe du jeune.",
    "commune_insee": "Code INSEE de la commune de résidence (5 caractères, ex. 69123 ou "
    "2A004) ; à défaut, remplir la colonne Commune.",
    "commune": "Nom de la commune de résidence du jeune.",
    "type_accueil": "Lieu de vie du jeune.",
    "etablissement": "Nom de l'établissement d'accueil (MECS, foyer…), le cas échéant.",
    "territoire": "Territoire ou service ASE (UTAS, direction territoriale…).",
    "objectifs": "Objectifs du mentorat ; plusieurs possibles, séparés par « ; ».",
    "modalite": "Modalité du mentorat.",
    "initiateur": "Qui a proposé le mentorat au jeune.",
    "canal": "Par quel canal le jeune a été inscrit.",
    "association": "Nom de l'association de mentorat.",
    "date_proposition": "Date à laquelle le mentorat a été proposé au jeune.",
    "date_inscription": "Date d'inscription du jeune.",
    "date_attribution": "Date à laquelle le jeune a été attribué à l'association.",
    "date_autorisation_parentale": "Date de l'autorisation des détenteurs de l'autorité parentale.",
    "date_mise_en_relation": "Date de mise en relation du jeune avec son mentor.",
    "nom_mentor": "Nom du mentor (sert uniquement à calculer un pseudonyme).",
    "prenom_mentor": "Prénom du mentor (sert uniquement à calculer un pseudonyme).",
    "date_naissance_mentor": "Date de naissance du mentor (transmise pour le contrôle, "
    "jamais conservée).",
    "lieu_naissance_mentor": "Lieu de naissance du mentor (transmis pour le contrôle, "
    "jamais conservé).",
    "date_honorabilite": "Date du retour du contrôle d'honorabilité (B2/FIJAIS).",
    "resultat_honorabilite": "Résultat du contrôle d'honorabilité.",
    "date_convention": "Date de signature de la convention de mentorat.",
    "date_debut": "Date de la première rencontre du binôme.",
    "date_fin": "Date de fin du mentorat.",
    "motif_fin": "Motif de fin du mentorat.",
    "statut": "Statut du parcours.",
    "nb_rencontres": "Nombre de rencontres du binôme depuis la première, celle-ci comprise.",
    "date_derniere_rencontre": "Date de la dernière rencontre du binôme.",
    "date_bilan_3_mois": "Date du bilan fait environ trois mois après la première rencontre.",
    "satisfaction_jeune": "Satisfaction du jeune (au dernier bilan) ; une note sur 4 ou sur 5 "
    "est aussi acceptée (ex. 3/4).",
    "satisfaction_mentor": "Satisfaction du mentor (au dernier bilan) ; une note sur 4 ou sur "
    "5 est aussi acceptée (ex. 3/4).",
    "situation_sortie": "Situation du jeune à la fin du mentorat (binômes terminés).",
    "voie": "Voie du contrôle : demande par le CD ou attestation nationale.",
    "date_collecte": "Date de collecte des pièces du mentor par l'association.",
    "date_transmission_cd": "Date de transmission de la demande au CD.",
    "date_demande_service": "Date de la demande au service (casier judiciaire / FIJAIS).",
    "date_retour": "Date de retour du contrôle.",
    "resultat": "Résultat du contrôle.",
}
FICHE_DESCRIPTIONS = {
    "id_source": "Numéro de la fiche candidature, attribué par le CD à la réception.",
    "association": "Association choisie pour le jeune.",
    "date_inscription": "Date de réception de la fiche par le CD.",
    "date_attribution": "Date d'envoi de la fiche à l'association.",
}
REQUIRED_NOTE = "Obligatoire."


def _is_date(f: Field) -> bool:
    return f.type in (FieldType.DATE, FieldType.IDENTITY_DATE) or f.name.startswith(
        "date_naissance"
    )


def _description(kind: Kind, f: Field) -> str:
    if kind == Kind.FICHE_CD and f.name in FICHE_DESCRIPTIONS:
        return FICHE_DESCRIPTIONS[f.name]
    if f.name in FOLLOW_UP_COLUMNS:
        return f"{OPTIONAL_NOTE} {DESCRIPTIONS[f.name]}"
    return DESCRIPTIONS.get(f.name, f.label)


def _format_text(f: Field) -> str:
    if _is_date(f):
        return "date JJ/MM/AAAA"
    if f.type == FieldType.CATEGORIES:
        return "liste (plusieurs valeurs séparées par « ; »)"
    if f.type == FieldType.CATEGORY:
        return "liste déroulante"
    if f.type == FieldType.CODE:
        return "texte (les zéros en tête sont gardés)"
    if f.type == FieldType.INT:
        return "nombre entier"
    return "texte"


def _allowed_text(f: Field) -> str:
    if f.table:
        return " ; ".join(category_labels(f.table).values())
    if _is_date(f):
        low, high = BIRTH_DATES if f.name.startswith("date_naissance") else STEP_DATES
        return f"du {low:%d/%m/%Y} au {high:%d/%m/%Y}"
    return ""


def _excel_serial(day: dt.date) -> int:
    return (day - EXCEL_EPOCH).days


def _spreadsheet(kind: Kind, title: str) -> bytes:
    fields = [field(kind, name) for name in TEMPLATE_COLUMNS[kind]]
    required = set(REQUIRED_COLUMNS[kind])
    wb = Workbook()
    ws = wb.active
    ws.title = DATA_SHEET
    lists = wb.create_sheet(LISTS_SHEET)
    lists.sheet_state = "hidden"
    help_ws = wb.create_sheet(HELP_SHEET)

    header_fill = PatternFill("solid", fgColor="DDEBF7")
    list_col = 0
    for col, f in enumerate(fields, start=1):
        letter = get_column_letter(col)
        cell = write_cell(ws.cell(row=1, column=col), f.label)
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[letter].width = max(14, min(40, len(f.label) + 4))
        area = f"{letter}2:{letter}{TEMPLATE_ROWS}"
        description = _description(kind, f)
        if f.name in required:
            description = f"{REQUIRED_NOTE} {description}"
        if f.table:
            list_col += 1
            labels = list(category_labels(f.table).values())
            write_cell(lists.cell(row=1, column=list_col), f.label)
            for i, label in enumerate(labels, start=2):
                write_cell(lists.cell(row=i, column=list_col), label)
            lcol = get_column_letter(list_col)
            source = f"{quote_sheetname(LISTS_SHEET)}!${lcol}$2:${lcol}${len(labels) + 1}"
            dv = DataValidation(type="list", formula1=source, allow_blank=True)
            # Several objectives are typed "a ; b": the list only suggests, it doesn't refuse.
            dv.showErrorMessage = f.type == FieldType.CATEGORY
            dv.errorTitle = "Valeur non prévue"
            dv.error = f"Choisissez une valeur de la liste : {_allowed_text(f)}."
        elif _is_date(f):
            low, high = BIRTH_DATES if f.name.startswith("date_naissance") else STEP_DATES
            dv = DataValidation(
                type="date",
                operator="between",
                formula1=str(_excel_serial(low)),
                formula2=str(_excel_serial(high)),
                allow_blank=True,
            )
            dv.showErrorMessage = True
            dv.errorTitle = "Date invalide"
            dv.error = f"Saisissez une date JJ/MM/AAAA {_allowed_text(f)}."
            for row in range(2, TEMPLATE_ROWS + 1):
                ws.cell(row=row, column=col).number_format = DATE_FORMAT
        elif f.type == FieldType.INT:
            dv = DataValidation(
                type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True
            )
            dv.showErrorMessage = True
            dv.errorTitle = "Nombre invalide"
            dv.error = "Saisissez un nombre entier (0 ou plus)."
        else:
            dv = DataValidation(allow_blank=True)
            if f.type == FieldType.CODE:
                for row in range(2, TEMPLATE_ROWS + 1):
                    ws.cell(row=row, column=col).number_format = "@"
        dv.showInputMessage = True
        dv.promptTitle = f.label[:32]  # Excel caps the title at 32 characters
        dv.prompt = f"{description} Format : {_format_text(f)}."[:255]
        dv.add(area)
        ws.add_data_validation(dv)
    ws.freeze_panes = "A2"
    ws.row_dimensions[1].height = 32

    write_cell(help_ws.cell(row=1, column=1), title).font = Font(bold=True, size=13)
    intro = (
        f"Saisissez une ligne par dossier dans la feuille « {DATA_SHEET} », sans modifier "
        "les en-têtes. Les colonnes obligatoires sont signalées ci-dessous."
    )
    if any(f.name in FOLLOW_UP_COLUMNS for f in fields):
        intro += (
            " Les colonnes du suivi du binôme (nombre de rencontres, dernière rencontre, "
            "bilan à 3 mois, satisfaction, situation à la sortie) sont facultatives : "
            "laissez-les vides, ou supprimez-les, si vous ne suivez pas ces informations."
        )
    write_cell(help_ws.cell(row=2, column=1), intro)
    headings = ["Colonne", "Description", "Format", "Valeurs admises", "Obligatoire"]
    for col, heading in enumerate(headings, start=1):  # row 3 stays empty
        cell = write_cell(help_ws.cell(row=4, column=col), heading)
        cell.font = Font(bold=True)
        cell.fill = header_fill
    for row, f in enumerate(fields, start=5):
        texts = [
            f.label,
            _description(kind, f),
            _format_text(f),
            _allowed_text(f),
            "oui" if f.name in required else "non",
        ]
        for col, text in enumerate(texts, start=1):
            write_cell(help_ws.cell(row=row, column=col), text)
    for letter, width in zip("ABCDE", (34, 70, 30, 60, 12), strict=True):
        help_ws.column_dimensions[letter].width = width
    for row in help_ws.iter_rows(min_row=5):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def association_template() -> bytes:
    """The association export: one row per youth, with the binôme's steps."""
    return _spreadsheet(Kind.ASSOCIATION, "Modèle d'export d'association (mentorat ASE)")


def honorabilite_template() -> bytes:
    """The B2/FIJAIS follow-up: one row per request for a mentor."""
    return _spreadsheet(Kind.HONORABILITE, "Modèle de suivi de l'honorabilité (B2/FIJAIS)")


def fiche_list_template() -> bytes:
    """The CD's list of fiches candidature: one row per fiche."""
    return _spreadsheet(Kind.FICHE_CD, "Modèle de liste des fiches candidature")


# --- Word fiche candidature ---------------------------------------------------------------


def _choices(f: Field) -> list[str]:
    return [f"{UNCHECKED} {label}" for label in category_labels(f.table).values()]


def fiche_docx_template() -> bytes:
    """The guide's fiche candidature as a Word document: one two-column table
    « Champ | Réponse », one row per answer, section titles as merged rows. Category answers
    are boxes to tick: replace « ☐ » by « ☒ » (or « X »)."""
    by_label = {f.label: f for f in FIELDS[Kind.FICHE_CD]}
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Calibri"
    style.font.size = Pt(11)
    doc.add_heading("Fiche candidature – mentorat des jeunes accompagnés par l'ASE", level=1)
    doc.add_paragraph(
        "À remplir par le jeune majeur ou par la personne qui l'accompagne, puis à envoyer au "
        "département. Écrivez dans la colonne « Réponse » ; pour les cases, remplacez « ☐ » "
        "par « ☒ » (ou par « X ») devant chaque choix retenu. Ne modifiez pas la colonne "
        "« Champ »."
    )
    table = doc.add_table(rows=1, cols=2)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    head = table.rows[0].cells
    for cell, text in zip(head, DOCX_HEADER, strict=True):
        cell.text = text
        cell.paragraphs[0].runs[0].bold = True
    for title, labels in fiche_sections():
        row = table.add_row().cells
        merged = row[0].merge(row[1])
        merged.text = title
        merged.paragraphs[0].runs[0].bold = True
        for label in labels:
            cells = table.add_row().cells
            cells[0].text = label
            f = by_label.get(label)
            if f is not None and f.table:
                lines = _choices(f)
                cells[1].text = lines[0]
                for line in lines[1:]:
                    cells[1].add_paragraph(line)
            elif f is not None and _is_date(f):
                cells[1].text = DATE_PLACEHOLDER
            else:
                cells[1].text = ""
    doc.add_paragraph(
        "Les informations d'identité servent uniquement à rapprocher les dossiers ; le tableau "
        "de bord du département n'en conserve qu'un pseudonyme et l'année de naissance."
    )
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
