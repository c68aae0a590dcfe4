"""Turn a layout description (tests/layouts/README.md) into a real file and its answers.

The rows are fictional youths, mentors and checks simulated by the demo generator; the
description decides only how they are written (headers, shapes, labels, sheets, title rows).
`Built.truth` holds, per row, the canonical value of every field the layout carries: what
the database must hold once the file is imported with the right mapping.

Besides flat tables (`forme = "tableau"`, the default), a description may write an event
log (`forme = "journal"`: one row per event of a dossier) or a workbook of linked sheets
(`forme = "classeur"`), and a table may be a CRM extraction (two-row header, hidden columns,
section, sub-total and total rows). `Built` then also carries the answers a user gives to
the new questions: step label -> date field, sheet -> joindre / ignorer, and the rows the
import should report as skipped.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import tomllib
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from demo.journeys import HonoRequest, Mentor, Parcours
from demo.people import BOYS, GIRLS, SURNAMES
from demo.scenario import DemoData, build_demo
from demo.writers import statut
from domain.schema import FIELDS, FieldType, Kind

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
HOLDOUT = HERE / "holdout"
AS_OF = dt.date(2026, 10, 31)
EXCEL_EPOCH = dt.date(1899, 12, 30)
MONTHS = [
    "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
    "octobre", "novembre", "décembre",
]  # fmt: skip
EXCEL_MONTHS = [
    "janv.",
    "févr.",
    "mars",
    "avr.",
    "mai",
    "juin",
    "juil.",
    "août",
    "sept.",
    "oct.",
    "nov.",
    "déc.",
]  # fmt: skip  (Excel's French short months: "03-mars-25", "15-janv.-25")
WEEKDAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
COMMENTS = [
    "RAS", "Très motivé", "Relancer la famille", "À revoir en comité", "Binôme solide",
    "Difficultés de transport", "Souhaite changer de créneau", None, None, None,
]  # fmt: skip

# The shapes of issue 21 a layout may exercise (its `defis`); a layout without `defis` is a
# flat layout of the first corpus, measured and asserted as before.
DEFIS = ("journal", "classeur", "extraction", "dates_en_attente", "indices_cellules")
# Pseudo-fields of the new shapes: the columns of an event log that are not one field
# (step label, event date, detail whose meaning depends on the step) and a workbook's mentor
# code (the key shared by a pairs sheet and a mentors sheet). Their answer is "".
ROLES = ("@etape", "@date", "@detail")
MENTOR_CODE = "@code_mentor"
SHEET_ROLES = ("principale", "jointe", "sans_cle", "notes")
SHEET_ANSWERS = {
    "principale": "joindre",
    "jointe": "joindre",
    "sans_cle": "ignorer",
    "notes": "ignorer",
}


def layout_paths(*folders: Path, defis: bool = False) -> list[Path]:
    """The flat layouts of the folders (no `defis` key); with `defis=True`, the layouts of
    the shapes of issue 21 instead."""
    return sorted(
        p
        for folder in folders
        for p in folder.glob("*.toml")
        if bool(load_layout(p).get("defis")) == defis
    )


def load_layout(path: Path) -> dict:
    return tomllib.loads(path.read_text(encoding="utf-8"))


@lru_cache(maxsize=4)
def _population(as_of: dt.date) -> DemoData:
    return build_demo(seed=909, n_parcours=3000, as_of=as_of)


@dataclass(frozen=True)
class Column:
    """One column of the built file as a user who knows it understands it."""

    sheet: str | None  # its sheet in a workbook (forme = "classeur"); None otherwise
    header: str  # as written in its header cell
    display: str  # as the import names it: "Groupe - En-tête" under a merged group row,
    # "Groupe / En-tête" under a two-row header, "Feuille / En-tête" on a joined sheet
    field: str  # the answer: canonical field, "" for none, or a pseudo-field (ROLES, MENTOR_CODE)
    holds: str  # "date" | "libelles" | "": what its cells hold (never to be dropped silently
    # when `field` is set)
    hidden: bool = False

    @property
    def answer(self) -> str:
        """What a user answers when asked about this column."""
        return "" if self.field.startswith("@") else self.field


@dataclass
class Built:
    name: str  # the layout's file stem
    layout: dict
    filename: str
    data: bytes
    truth: list[dict]  # per data row: canonical field -> value (only the layout's fields)
    answers: dict[str, str] = field(default_factory=dict)  # display header -> field ("" = none)
    cols: list[Column] = field(default_factory=list)  # every column of every sheet, in order
    steps: dict[str, str] = field(default_factory=dict)  # journal: label as written -> date
    # field, "" for a label that is no step
    step_rows: dict[str, int] = field(default_factory=dict)  # journal: label -> rows
    sheets: dict[str, str] = field(default_factory=dict)  # classeur: sheet -> joindre | ignorer
    sheet_roles: dict[str, str] = field(default_factory=dict)  # sheet -> SHEET_ROLES
    sheet_keys: dict[str, str | None] = field(default_factory=dict)  # sheet -> key header
    skipped: list[dict] = field(default_factory=list)  # rows that are no data, as the import
    # should report them: {"ligne": Excel row or CSV record number, "motif": "section" |
    # "sous-total" | "total"} (+ "feuille" in a workbook)
    rows_read: int = 0  # rows under the header of the data sheet (journal: event rows)

    @property
    def kind(self) -> str:
        return self.layout["type"]

    @property
    def columns(self) -> list[dict]:
        return self.layout.get("colonnes", [])

    @property
    def forme(self) -> str:
        return self.layout.get("forme", "tableau")

    @property
    def defis(self) -> list[str]:
        return list(self.layout.get("defis", []))


def _as_of(layout: dict) -> dt.date:
    given = layout.get("date_extraction")
    return dt.date.fromisoformat(str(given)) if given else AS_OF


def _holds(kind: str, column: dict) -> str:
    """ "date" or "libelles" when the column's cells are dates or labels, else ""."""
    name = column["champ"]
    if name == "@date":
        return "date"
    if name in ("@etape", "@detail"):
        return "libelles"
    if not name:
        content = column.get("contenu", "texte")
        return {"date": "date", "date_prevue": "date", "categorie": "libelles"}.get(content, "")
    if name.startswith("date_"):
        return "date"
    for f in FIELDS[Kind(kind)]:
        if f.name == name:
            if f.type in (FieldType.DATE, FieldType.IDENTITY_DATE):
                return "date"
            if f.type in (FieldType.CATEGORY, FieldType.CATEGORIES):
                return "libelles"
    return ""


# --- truth ----------------------------------------------------------------------------------


def _youth_values(p: Parcours, data: DemoData, association: str, fiche: bool) -> dict:
    geo = data.geo
    youth = p.youth
    nom, prenom = (p.fiche.nom, p.fiche.prenom) if fiche else (youth.nom, youth.prenom)
    values = {
        "nom": nom,
        "prenom": prenom,
        "date_naissance": youth.date_naissance,
        "annee_naissance": youth.date_naissance.year,
        "sexe": youth.sexe,
        "commune_insee": p.commune_insee,
        "commune": geo.name(p.commune_insee),
        "code_postal": geo.postcode(p.commune_insee),
        "type_accueil": p.type_accueil,
        "etablissement": p.etablissement,
        "territoire": p.territoire,
        "objectifs": list(p.objectifs),
        "initiateur": p.initiateur,
        "date_proposition": p.date_proposition,
        "association": association,
    }
    if fiche:
        values |= {
            "date_inscription": p.date_inscription,
            "date_attribution": p.date_attribution,
        }
        return values
    mentor = p.mentor.person if p.mentor else None
    request = p.mentor.request if p.mentor else None
    return values | {
        "modalite": p.modalite,
        "canal": p.canal,
        "via_plateforme": "oui" if p.canal == "plateforme_1j1m" else "non",
        "date_inscription": p.date_inscription_association,
        "date_attribution": p.date_inscription_association,
        "date_autorisation_parentale": p.date_autorisation_parentale,
        "date_mise_en_relation": p.date_mise_en_relation,
        "nom_mentor": mentor.nom if mentor else None,
        "prenom_mentor": mentor.prenom if mentor else None,
        "date_naissance_mentor": mentor.date_naissance if mentor else None,
        "lieu_naissance_mentor": p.mentor.lieu_naissance if p.mentor else None,
        "date_honorabilite": request.date_retour if request else None,
        "resultat_honorabilite": request.resultat if request and request.date_retour else None,
        "date_convention": p.date_convention,
        "date_debut": p.date_debut,
        "date_fin": p.date_fin,
        "motif_fin": p.motif_fin,
        "statut": statut(p),
        # the binôme's follow-up (issue 23), as simulated by the demo
        "nb_rencontres": p.nb_rencontres,
        "date_derniere_rencontre": p.date_derniere_rencontre,
        "date_bilan_3_mois": p.date_bilan_3_mois,
        "satisfaction_jeune": p.satisfaction_jeune,
        "satisfaction_mentor": p.satisfaction_mentor,
        "situation_sortie": p.situation_sortie,
    }


def _mentor_values(mentor: Mentor) -> dict:
    """A mentor's own values (a workbook's mentors sheet), B2 check included."""
    request = mentor.request
    return {
        "nom_mentor": mentor.person.nom,
        "prenom_mentor": mentor.person.prenom,
        "date_naissance_mentor": mentor.person.date_naissance,
        "lieu_naissance_mentor": mentor.lieu_naissance,
        "date_honorabilite": request.date_retour if request else None,
        "resultat_honorabilite": request.resultat if request and request.date_retour else None,
    }


def _check_values(r: HonoRequest, association: str) -> dict:
    person = r.mentor.person
    return {
        "association": association,
        "nom_mentor": person.nom,
        "prenom_mentor": person.prenom,
        "date_naissance_mentor": person.date_naissance,
        "lieu_naissance_mentor": r.mentor.lieu_naissance,
        "voie": r.voie,
        "date_collecte": r.date_collecte,
        "date_transmission_cd": r.date_transmission_cd,
        "date_demande_service": r.date_demande_service,
        "date_retour": r.date_retour,
        "resultat": r.resultat if r.date_retour else None,
    }


def _checks(layout: dict, data: DemoData, rng: random.Random, wanted: int) -> list[HonoRequest]:
    pool = [r for r in data.cd_requests()]
    share = float(layout.get("part_en_cours", 0))
    if not share:
        return sorted(rng.sample(pool, min(wanted, len(pool))), key=lambda r: r.id_source)
    # A share of checks still waiting for the service's answer (few in the population).
    pending = [r for r in pool if r.date_retour is None]
    answered = [r for r in pool if r.date_retour is not None]
    n = min(len(pending), round(wanted * share))
    chosen = rng.sample(pending, n) + rng.sample(answered, min(wanted - n, len(answered)))
    return sorted(chosen, key=lambda r: r.id_source)


def _association_names(layout: dict, keys: list[str]) -> dict[str, str] | None:
    """The layout's `associations` spellings for the population's associations (each
    population association gets one of them, in turn), or None."""
    names = layout.get("associations")
    if not names:
        return None
    return {k: names[i % len(names)] for i, k in enumerate(sorted(keys))}


def _records(layout: dict, rng: random.Random) -> list[dict]:
    data = _population(_as_of(layout))
    kind, wanted = layout["type"], int(layout.get("lignes", 100))
    association = layout.get("association", "Association du corpus")
    if kind == "honorabilite":
        chosen = _checks(layout, data, rng, wanted)
        names = _association_names(layout, list({r.association for r in data.cd_requests()}))
        return [_check_values(r, names[r.association] if names else association) for r in chosen]
    fiche = kind == "fiche_cd"
    pool = [
        p
        for p in data.parcours
        if not p.defects
        and not p.overrides
        and (p.fiche is not None if fiche else p.association is not None and p.in_export)
    ]
    # One row per youth: the population has youths with two parcours (two associations),
    # who would be the same youth twice in one file.
    seen: set = set()
    pool = [p for p in pool if not (p.youth in seen or seen.add(p.youth))]
    chosen = sorted(rng.sample(pool, min(wanted, len(pool))), key=lambda p: p.uid)
    names = layout.get("associations") or [
        "Passerelle Nord",
        "Main Tendue Mentorat",
        "Déclic Jeunes",
        "Élan Solidaire",
    ]
    rows = []
    for p in chosen:
        name = association
        if fiche:  # the association the CD sent the fiche to, if any
            named = p.association is not None and p.fiche.association_named
            name = rng.choice(names) if named else None
        rows.append(_youth_values(p, data, name, fiche))
    return rows


def _ids(shape: str | None, rows: list[dict]) -> list[str | int]:
    shape = shape or "prefixe:ID-"
    out: list[str | int] = []
    for seq, row in enumerate(rows, start=1):
        if shape == "nombre":
            out.append(1000 + seq)
        elif shape == "annee-num":
            day = row.get("date_inscription") or row.get("date_transmission_cd") or AS_OF
            out.append(f"{day.year}-{seq:03d}")
        else:
            prefix = shape.split(":", 1)[1] if ":" in shape else "ID-"
            out.append(f"{prefix}{seq:04d}")
    return out


def _codes(shape: str | None, n: int) -> list[str | int]:
    """Mentor codes of a workbook: `prefixe:XYZ-` (XYZ-001…) or `nombre` (501…)."""
    shape = shape or "prefixe:M"
    if shape == "nombre":
        return [500 + seq for seq in range(1, n + 1)]
    prefix = shape.split(":", 1)[1] if ":" in shape else "M"
    return [f"{prefix}{seq:03d}" for seq in range(1, n + 1)]


# --- cells ------------------------------------------------------------------------------------


def _date_cell(value: dt.date | None, shape, fmt: str, rng: random.Random):
    if value is None:
        return None
    if isinstance(shape, list):  # several shapes in one column, drawn per cell
        shape = rng.choice(shape)
    shape = shape or ("date" if fmt == "xlsx" else "jj/mm/aaaa")
    if fmt == "csv" and shape in ("date", "datetime", "serie"):
        shape = "jj/mm/aaaa"
    if shape == "date":
        return dt.datetime(value.year, value.month, value.day)
    if shape == "datetime":
        return dt.datetime(
            value.year, value.month, value.day, rng.randint(8, 18), rng.randint(0, 59)
        )
    if shape == "serie":
        return (value - EXCEL_EPOCH).days
    if shape == "jj/mm/aa":
        return f"{value:%d/%m/%y}"
    if shape == "aaaa-mm-jj":
        return value.isoformat()
    if shape == "jj.mm.aaaa":
        return f"{value:%d.%m.%Y}"
    if shape == "jj-mm-aaaa":
        return f"{value:%d-%m-%Y}"
    if shape == "j mois aaaa":
        return f"{value.day} {MONTHS[value.month - 1]} {value.year}"
    if shape == "jj.mm.aa":
        return f"{value:%d.%m.%y}"
    if shape == "1er mois aaaa":
        day = "1er" if value.day == 1 else str(value.day)
        return f"{day} {MONTHS[value.month - 1]} {value.year}"
    if shape == "jour j mois aaaa":
        day = "1er" if value.day == 1 else str(value.day)
        return f"{WEEKDAYS[value.weekday()]} {day} {MONTHS[value.month - 1]} {value.year}"
    if shape == "jj-mmm-aa":
        return f"{value:%d}-{EXCEL_MONTHS[value.month - 1]}-{value:%y}"
    if shape == "j/m/aaaa":
        return f"{value.day}/{value.month}/{value.year}"
    return f"{value:%d/%m/%Y}"


def _name_cell(value: str | None, shape: str | None) -> str | None:
    if value is None:
        return None
    if shape == "NOM":
        return value.upper()
    if shape == "minuscules":
        return value.lower()
    return value


def _full_name(nom: str | None, prenom: str | None, shape: str | None) -> str | None:
    if nom is None:
        return None
    shape = shape or "NOM Prénom"
    if shape == "Prénom NOM":
        return f"{prenom} {nom.upper()}"
    if shape == "Prénom Nom":
        return f"{prenom} {nom}"
    if shape == "Nom, Prénom":
        return f"{nom}, {prenom}"
    return f"{nom.upper()} {prenom}"


def _label(spec, value, rng: random.Random):
    if value is None:
        return None
    chosen = spec[value]
    return rng.choice(chosen) if isinstance(chosen, list) else chosen


def _commune_cell(row: dict, shape: str | None) -> str | None:
    name, cp = row["commune"], row["code_postal"]
    shape = shape or "nom"
    if shape == "NOM":
        return name.upper()
    if shape == "nom (cp)":
        return f"{name} ({cp})"
    if shape == "cp nom":
        return f"{cp} {name}"
    if shape == "cp - nom":
        return f"{cp} - {name}"
    return name


def _crm_key(rng: random.Random) -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    return "0035g00000" + "".join(rng.choice(alphabet) for _ in range(8))


def _distractor(column: dict, row: dict, rng: random.Random, fmt: str):
    content = column.get("contenu", "texte")
    start = row.get("date_debut") or row.get("date_inscription") or row.get("date_collecte")
    if content == "texte":
        return rng.choice(COMMENTS)
    if content == "telephone":
        return "06 " + " ".join(f"{rng.randint(0, 99):02d}" for _ in range(4))
    if content == "email":
        return f"contact{rng.randint(100, 999)}@exemple.fr"
    if content == "nombre":
        return rng.randint(0, 24)
    if content == "age":
        born = row.get("date_naissance") or row.get("date_naissance_mentor")
        return None if born is None else (AS_OF - born).days // 365
    if content in ("date", "date_prevue"):
        if start is None:
            return None
        if content == "date_prevue":
            if row.get("date_debut") is None:
                return None
            day = start + dt.timedelta(days=rng.choice([183, 274, 365]))
        else:
            day = start + dt.timedelta(days=rng.randint(3, 200))
        return _date_cell(day, column.get("forme"), fmt, rng)
    if content == "oui_non":
        return rng.choice(["Oui", "Non"])
    if content == "nom_personne":
        return f"{rng.choice(GIRLS + BOYS)} {rng.choice(SURNAMES)}"
    if content == "vide":
        return "x" if rng.random() < 0.03 else None
    if content == "categorie":
        return rng.choice(column["libelles"])
    if content == "cle_crm":
        return _crm_key(rng)
    if content == "compteur":
        return row.get("_rang")
    return None


def _cell_value(column: dict, row: dict, rid, rng: random.Random, fmt: str):
    name, shape = column["champ"], column.get("forme")
    if not name:
        return _distractor(column, row, rng, fmt)
    if name == "id_source":
        return rid
    if name == MENTOR_CODE:
        return row.get(MENTOR_CODE)
    if name == "nom_prenom":
        return _full_name(row["nom"], row["prenom"], shape)
    if name == "nom_prenom_mentor":
        return _full_name(row["nom_mentor"], row["prenom_mentor"], shape)
    if name in ("nom", "prenom", "nom_mentor", "prenom_mentor"):
        return _name_cell(row[name], shape)
    if name == "commune":
        return _commune_cell(row, shape)
    if name in ("commune_insee", "code_postal"):
        return int(row[name]) if shape == "nombre" and row[name].isdigit() else row[name]
    if name == "objectifs":
        codes = row["objectifs"]
        sep = column.get("separateur_valeurs", ", ")
        return sep.join(_label(column["libelles"], c, rng) for c in codes) if codes else None
    if "libelles" in column:
        return _label(column["libelles"], row.get(name), rng)
    value = row.get(name)
    if isinstance(value, dt.date):
        return _date_cell(value, shape, fmt, rng)
    return value


def _cell(column: dict, row: dict, rid, rng: random.Random, fmt: str):
    value = _cell_value(column, row, rid, rng, fmt)
    pending = column.get("en_attente")
    # No value yet in the truth: the cell may say so in words.
    if value is None and pending and rng.random() < float(column.get("part_en_attente", 1.0)):
        return rng.choice([pending] if isinstance(pending, str) else list(pending))
    return value


def _truth(columns: list[dict], row: dict, rid) -> dict:
    out = {"id_source": str(rid)}
    for column in columns:
        name = column["champ"]
        if name == "nom_prenom":
            out |= {"nom": row["nom"], "prenom": row["prenom"]}
        elif name == "nom_prenom_mentor":
            out |= {"nom_mentor": row["nom_mentor"], "prenom_mentor": row["prenom_mentor"]}
        elif name == "commune":
            out |= {"commune_insee": row["commune_insee"]}
        elif name and name != "id_source" and not name.startswith("@"):
            out[name] = row.get(name)
    return out


# --- files ------------------------------------------------------------------------------------


def _group_labels(spec: dict, width: int) -> list[str]:
    groups: list[str] = []
    for label, span in spec.get("groupes", []):
        groups += [label] * int(span)
    return groups + [""] * (width - len(groups))


def _display_headers(layout: dict) -> list[str]:
    """Headers as the import reports them: "group - header" under a merged group row,
    "group / header" under a two-row header (`en_tete_deux_lignes`)."""
    headers = [c["en_tete"] for c in layout["colonnes"]]
    groups = _group_labels(layout, len(headers))
    sep = " / " if layout.get("en_tete_deux_lignes") else " - "
    return [f"{g}{sep}{h}" if g and h else (h or g) for g, h in zip(groups, headers, strict=True)]


def _arrange(spec: dict, columns: list[dict], rows: list[dict], lines: list[list]):
    """The body with its section, sub-total and total rows (a CRM or pivot extraction):
    (lines, motif per line: None for a data row)."""
    by = spec.get("sections")
    if not by and not spec.get("total"):
        return lines, [None] * len(lines)
    width = len(columns)
    visible = [i for i, c in enumerate(columns) if not c.get("cachee")]
    at = visible[0]
    headers = [c["en_tete"] for c in columns]
    count_at = headers.index(spec["colonne_compte"]) if "colonne_compte" in spec else visible[1]
    if count_at == at:
        raise ValueError(
            "colonne_compte : la colonne du libellé des sections ne peut tenir le compte"
        )

    def special(label: str, count: int | None = None) -> list:
        line: list = [None] * width
        line[at] = label
        if count is not None:
            line[count_at] = count
        return line

    groups: list[tuple[str, list[int]]] = []
    if by:
        values = {i: str(rows[i].get(by) or "(vide)") for i in range(len(lines))}
        for value in sorted(set(values.values())):
            groups.append((value, [i for i in range(len(lines)) if values[i] == value]))
    else:
        groups.append(("", list(range(len(lines)))))
    out: list[list] = []
    motifs: list[str | None] = []
    for value, members in groups:
        if by:
            out.append(special(spec.get("modele_section", "{}").format(value, n=len(members))))
            motifs.append("section")
        out += [lines[i] for i in members]
        motifs += [None] * len(members)
        if by and spec.get("sous_total"):
            out.append(special(spec["sous_total"].format(value, n=len(members)), len(members)))
            motifs.append("sous-total")
    if spec.get("total"):
        out.append(special(spec["total"].format(n=len(lines)), len(lines)))
        motifs.append("total")
    return out, motifs


def _write_sheet(ws, spec: dict, columns: list[dict], body: list[list]) -> int:
    """Title rows, group row(s), header and body of one sheet; the first data row's number."""
    header = [c["en_tete"] for c in columns]
    for title in spec.get("titres", []):
        ws.append([title])
    if spec.get("titres"):
        ws.append([])
    groups = spec.get("groupes", [])
    two_rows = bool(spec.get("en_tete_deux_lignes"))
    merges: list[tuple[int, int, int, int]] = []
    if groups:
        row = ws.max_row + 1 if ws.max_row > 1 or ws["A1"].value is not None else 1
        column = 1
        for label, span in groups:
            span = int(span)
            if label:
                ws.cell(row=row, column=column, value=label)
                if span > 1:
                    merges.append((row, column, row, column + span - 1))
            elif two_rows:  # a header of its own, merged down over the sub-header row
                for k in range(column, column + span):
                    ws.cell(row=row, column=k, value=header[k - 1])
                    merges.append((row, k, row + 1, k))
            column += span
    if two_rows:
        labels = _group_labels(spec, len(header))
        ws.append([h if g else None for g, h in zip(labels, header, strict=True)])
    else:
        ws.append(header)
    for r1, c1, r2, c2 in merges:
        ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)
    start = ws.max_row
    for line in body:
        ws.append(line)
    for r in range(start + 1, ws.max_row + 1):
        for c, column in enumerate(columns, start=1):
            cell = ws.cell(row=r, column=c)
            if isinstance(cell.value, dt.datetime):
                shape = column.get("forme")
                cell.number_format = "DD/MM/YYYY HH:MM" if shape == "datetime" else "DD/MM/YYYY"
    for c, column in enumerate(columns, start=1):
        if column.get("cachee"):
            ws.column_dimensions[get_column_letter(c)].hidden = True
    return start + 1


def _xlsx(layout: dict, body: list[list]) -> tuple[bytes, int]:
    wb = Workbook()
    first = wb.active
    sheets_before = layout.get("feuilles_avant", [])
    for i, (name, *lines) in enumerate(sheets_before):
        ws = first if i == 0 else wb.create_sheet(name)
        ws.title = name
        for line in lines:
            ws.append([line])
    ws = wb.create_sheet(layout.get("feuille", "Données")) if sheets_before else first
    ws.title = layout.get("feuille", "Données")
    start = _write_sheet(ws, layout, layout["colonnes"], body)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue(), start


def _csv(layout: dict, body: list[list]) -> tuple[bytes, int]:
    header = [c["en_tete"] for c in layout["colonnes"]]
    buffer = io.StringIO(newline="")
    sep = layout.get("separateur", ";")
    writer = csv.writer(buffer, delimiter=sep, lineterminator="\r\n")
    records = 0
    for title in layout.get("titres", []):
        writer.writerow([title])
        records += 1
    if layout.get("titres"):
        writer.writerow([])
        records += 1
    groups = layout.get("groupes", [])
    two_rows = bool(layout.get("en_tete_deux_lignes"))
    if groups:
        cells: list[str] = []
        for label, span in groups:
            if label or not two_rows:
                cells += [label] + [""] * (int(span) - 1)
            else:
                cells += header[len(cells) : len(cells) + int(span)]
        writer.writerow(cells)
        records += 1
    if two_rows:
        labels = _group_labels(layout, len(header))
        writer.writerow([h if g else "" for g, h in zip(labels, header, strict=True)])
    else:
        writer.writerow(header)
    records += 1
    for line in body:
        writer.writerow(["" if v is None else v for v in line])
    encoding = layout.get("encodage", "utf-8")
    return buffer.getvalue().encode(encoding, errors="replace"), records + 1


def _write(layout: dict, body: list[list]) -> tuple[bytes, int]:
    return _xlsx(layout, body) if layout.get("format", "xlsx") == "xlsx" else _csv(layout, body)


def _cols(kind: str, spec: dict, sheet: str | None = None, prefix: str = "") -> list[Column]:
    displays = _display_headers(spec)
    return [
        Column(
            sheet, c["en_tete"], f"{prefix}{d}", c["champ"], _holds(kind, c), c.get("cachee", False)
        )
        for c, d in zip(spec["colonnes"], displays, strict=True)
    ]


# --- tables -------------------------------------------------------------------------------------


def build(path: Path, seed: int = 0) -> Built:
    """The file of one layout description and what the database must hold after it."""
    layout = load_layout(path)
    rng = random.Random(f"{path.stem}-{seed}")
    forme = layout.get("forme", "tableau")
    if forme == "classeur":
        return _build_workbook(path, layout, rng)
    if forme not in ("tableau", "journal"):
        raise ValueError(f"{path.name}: forme « {forme} » inconnue")
    rows = _records(layout, rng)
    id_column = next((c for c in layout["colonnes"] if c["champ"] == "id_source"), None)
    ids = _ids(id_column.get("forme") if id_column else None, rows)
    fmt = layout.get("format", "xlsx")
    if forme == "journal":
        return _build_journal(path, layout, rng, rows, ids)
    body = [
        [_cell(c, row, rid, rng, fmt) for c in layout["colonnes"]]
        for row, rid in zip(rows, ids, strict=True)
    ]
    body, motifs = _arrange(layout, layout["colonnes"], rows, body)
    data, first = _write(layout, body)
    answers = dict(
        zip(_display_headers(layout), (c["champ"] for c in layout["colonnes"]), strict=True)
    )
    truth = [_truth(layout["colonnes"], row, rid) for row, rid in zip(rows, ids, strict=True)]
    built = Built(
        path.stem, layout, layout.get("nom_fichier", f"{path.stem}.{fmt}"), data, truth, answers
    )
    built.cols = _cols(layout["type"], layout)
    built.skipped = [{"ligne": first + i, "motif": m} for i, m in enumerate(motifs) if m]
    built.rows_read = len(body)
    return built


# --- event logs -------------------------------------------------------------------------------


def _detail_columns(spec: dict) -> dict[str, dict]:
    """Per date field, the column-like spec of what the detail cell holds on its row."""
    out = {}
    for step, name in spec.get("details", {}).items():
        column: dict = {"champ": name}
        if name in spec.get("libelles", {}):
            column["libelles"] = spec["libelles"][name]
            if name == "objectifs":
                column["separateur_valeurs"] = spec.get("separateur_valeurs", ", ")
        if name in spec.get("formes", {}):
            column["forme"] = spec["formes"][name]
        out[step] = column
    return out


def _build_journal(
    path: Path, layout: dict, rng: random.Random, rows: list[dict], ids: list
) -> Built:
    """One row per event of a dossier: the dossier's id and its repeated columns, a step
    label, its date, and a detail whose meaning depends on the step."""
    fmt = layout.get("format", "xlsx")
    spec = layout["journal"]
    steps: dict = spec["etapes"]
    others: list[str] = list(spec.get("evenements", []))
    low, high = spec.get("evenements_par_dossier", [0, 2])
    details = _detail_columns(spec)
    free = bool(spec.get("detail_libre"))
    as_of = _as_of(layout)
    columns = layout["colonnes"]
    for column in columns:
        if column["champ"].startswith("@") and column["champ"] not in ROLES:
            raise ValueError(f"{path.name}: pseudo-champ « {column['champ']} » inconnu")
    step_labels = [x for v in steps.values() for x in ([v] if isinstance(v, str) else v)]
    if len(set(step_labels)) != len(step_labels) or set(step_labels) & set(others):
        raise ValueError(f"{path.name}: un libellé d'étape sert deux fois")
    events: list[tuple] = []  # (dossier, day, rank, label, date field or "")
    truth = []
    for i, (row, rid) in enumerate(zip(rows, ids, strict=True)):
        written = []
        for rank, (name, labels) in enumerate(steps.items()):
            day = row.get(name)
            if day is None or day > as_of:
                continue
            label = labels if isinstance(labels, str) else rng.choice(labels)
            written.append((i, day, rank, label, name))
        if not written:
            continue
        first = min(e[1] for e in written)
        last = min(as_of, max(e[1] for e in written) + dt.timedelta(days=90))
        for _ in range(rng.randint(int(low), int(high)) if others else 0):
            day = first + dt.timedelta(days=rng.randint(0, max(0, (last - first).days)))
            written.append((i, day, len(steps), rng.choice(others), ""))
        events += written
        done = {e[4] for e in written}
        values = _truth([c for c in columns if not c["champ"].startswith("@")], row, rid)
        for name in steps:
            values[name] = row.get(name) if name in done else None
        for name, column in details.items():
            target = column["champ"]
            if target == "nom_prenom_mentor":
                for part in ("nom_mentor", "prenom_mentor"):
                    values[part] = row.get(part) if name in done else None
            else:
                values[target] = row.get(target) if name in done else None
        truth.append(values)
    order = spec.get("ordre", "dossier")
    if order == "melange":
        rng.shuffle(events)
    elif order == "chronologique":
        events.sort(key=lambda e: (e[1], e[0], e[2]))
    else:
        events.sort(key=lambda e: (e[0], e[1], e[2]))
    repeated: dict[int, dict[int, object]] = {}  # dossier -> column -> cell (written once)
    body = []
    for seq, (i, day, _, label, name) in enumerate(events, start=1):
        row, rid = rows[i], ids[i]
        if i not in repeated:
            repeated[i] = {
                k: _cell(c, row, rid, rng, fmt)
                for k, c in enumerate(columns)
                if c["champ"] and not c["champ"].startswith("@")
            }
        line = []
        for k, column in enumerate(columns):
            role = column["champ"]
            if role == "@etape":
                line.append(label)
            elif role == "@date":
                line.append(_date_cell(day, column.get("forme"), fmt, rng))
            elif role == "@detail":
                if name in details:
                    line.append(_cell(details[name], row, rid, rng, fmt))
                else:
                    line.append(rng.choice(COMMENTS) if free else None)
            elif role:
                line.append(repeated[i][k])
            else:
                line.append(_distractor(column, row | {"_rang": 4000 + seq}, rng, fmt))
        body.append(line)
    data, _ = _write(layout, body)
    built = Built(path.stem, layout, layout.get("nom_fichier", f"{path.stem}.{fmt}"), data, truth)
    built.cols = _cols(layout["type"], layout)
    built.answers = {c.display: c.answer for c in built.cols}
    for _, _, _, label, name in events:
        built.steps[label] = name
        built.step_rows[label] = built.step_rows.get(label, 0) + 1
    built.rows_read = len(body)
    return built


# --- workbooks of linked sheets -----------------------------------------------------------------


def _earlier_pair(row: dict, other: dict, rng: random.Random, motifs: list[str]) -> dict | None:
    """A pair before the youth's current one, ended before it (another mentor)."""
    start, current = row.get("date_inscription"), row.get("date_mise_en_relation")
    if start is None or current is None or (current - start).days < 45:
        return None
    gap = (current - start).days
    matched = start + dt.timedelta(days=rng.randint(5, gap // 3))
    ended = matched + dt.timedelta(days=rng.randint(10, (current - matched).days - 7))
    convention = matched + dt.timedelta(days=rng.randint(3, 15))
    convention = convention if convention < ended else None
    debut = convention + dt.timedelta(days=rng.randint(2, 12)) if convention else None
    debut = debut if debut and debut < ended else None
    return (
        row
        | other
        | {
            "date_mise_en_relation": matched,
            "date_convention": convention,
            "date_debut": debut,
            "date_fin": ended,
            "motif_fin": rng.choice(motifs),
            "modalite": row.get("modalite") or "presentiel",
            "statut": "termine" if debut else "abandonne",
        }
    )


def _pairs(layout: dict, rng: random.Random, rows: list[dict], ids: list):
    """Every pair of the file's youths (the current one, and for a share of them an earlier
    one with another mentor) and the mentors' codes: (pairs, mentors by code)."""
    data = _population(_as_of(layout))
    share = float(layout.get("part_plusieurs_binomes", 0))
    present = {(r["nom_mentor"], r["prenom_mentor"]) for r in rows if r.get("nom_mentor")}
    others = [
        p.mentor
        for p in data.parcours
        if p.mentor and (p.mentor.person.nom, p.mentor.person.prenom) not in present
    ]
    motifs = ["arret_mentor", "arret_jeune", "autre"]
    for sheet in layout["feuilles"]:
        for column in sheet.get("colonnes", []):
            if column["champ"] == "motif_fin" and "libelles" in column:
                motifs = [m for m in motifs if m in column["libelles"]] or list(column["libelles"])
    pairs = []
    for row, rid in zip(rows, ids, strict=True):
        if row.get("nom_mentor") is None:
            continue
        if share and rng.random() < share:
            earlier = _earlier_pair(row, _mentor_values(rng.choice(others)), rng, motifs)
            if earlier is not None:
                pairs.append(earlier | {"_jeune": rid, "_courant": False})
        pairs.append(row | {"_jeune": rid, "_courant": True})
    pairs.sort(key=lambda p: (p["date_mise_en_relation"], str(p["_jeune"])))
    code_shape = next(
        (
            c.get("forme")
            for s in layout["feuilles"]
            for c in s.get("colonnes", [])
            if c["champ"] == MENTOR_CODE
        ),
        None,
    )
    keys: list[tuple] = []
    for p in pairs:
        key = (p["nom_mentor"], p["prenom_mentor"], p["date_naissance_mentor"])
        if key not in keys:
            keys.append(key)
    codes = dict(zip(keys, _codes(code_shape, len(keys)), strict=True))
    mentors = {}
    for p in pairs:
        code = codes[(p["nom_mentor"], p["prenom_mentor"], p["date_naissance_mentor"])]
        p[MENTOR_CODE] = code
        mentors.setdefault(code, {k: p[k] for k in _MENTOR_FIELDS} | {MENTOR_CODE: code})
    return pairs, mentors


_MENTOR_FIELDS = (
    "nom_mentor",
    "prenom_mentor",
    "date_naissance_mentor",
    "lieu_naissance_mentor",
    "date_honorabilite",
    "resultat_honorabilite",
)


def _sheet_records(sheet: dict, rows, ids, pairs, mentors, rng) -> list[tuple[dict, object]]:
    """(record, youth id) per row of a sheet, in the sheet's order."""
    per = sheet.get("lignes_par", "jeune")
    role = sheet["role"]
    if role == "sans_cle":
        return [(rng.choice(rows), None) for _ in range(int(sheet.get("lignes", 20)))]
    if per == "jeune":
        return list(zip(rows, ids, strict=True))
    if per == "binome":
        order = sheet.get("ordre", "jeune")
        chosen = list(pairs)
        if order == "jeune":
            chosen.sort(key=lambda p: (str(p["_jeune"]), p["date_mise_en_relation"]))
        elif order == "melange":
            rng.shuffle(chosen)
        return [(p, p["_jeune"]) for p in chosen]
    if per == "mentor":
        return [(m, None) for _, m in sorted(mentors.items(), key=lambda x: str(x[0]))]
    raise ValueError(f"feuille « {sheet['nom']} » : lignes_par « {per} » inconnu")


def _build_workbook(path: Path, layout: dict, rng: random.Random) -> Built:
    """A workbook of linked sheets: youths, their pairs keyed by the youth's id, mentors keyed
    by a mentor code, sheets that cannot be joined, read-me sheets."""
    kind = layout["type"]
    sheets: list[dict] = layout["feuilles"]
    main = [s for s in sheets if s["role"] == "principale"]
    if len(main) != 1 or any(s["role"] not in SHEET_ROLES for s in sheets):
        raise ValueError(f"{path.name}: une feuille principale, rôles {SHEET_ROLES}")
    main = main[0]
    rows = _records(layout, rng)
    id_column = next(c for c in main["colonnes"] if c["champ"] == "id_source")
    ids = _ids(id_column.get("forme"), rows)
    pairs, mentors = _pairs(layout, rng, rows, ids)
    latest: dict = {}
    for p in pairs:  # by date: the latest pair of a youth counts
        latest[str(p["_jeune"])] = p
    wb = Workbook()
    wb.remove(wb.active)
    built = Built(path.stem, layout, layout.get("nom_fichier", f"{path.stem}.xlsx"), b"", [])
    truth = {
        str(rid): _truth(main["colonnes"], row, rid) for row, rid in zip(rows, ids, strict=True)
    }
    by_id = {str(rid): row for row, rid in zip(rows, ids, strict=True)}
    nothing: dict = defaultdict(lambda: None)
    for sheet in sheets:
        name, role = sheet["nom"], sheet["role"]
        ws = wb.create_sheet(name)
        built.sheet_roles[name] = role
        built.sheets[name] = SHEET_ANSWERS[role]
        if role == "notes":
            for line in sheet.get("texte", []):
                ws.append([line])
            built.sheet_keys[name] = None
            continue
        columns = sheet["colonnes"]
        if role == "sans_cle" and any(c["champ"] for c in columns):
            raise ValueError(
                f"{path.name}: la feuille sans clé « {name} » n'a que des champs vides"
            )
        records = _sheet_records(sheet, rows, ids, pairs, mentors, rng)
        body = [[_cell(c, rec, rid, rng, "xlsx") for c in columns] for rec, rid in records]
        body, motifs = _arrange(sheet, columns, [rec for rec, _ in records], body)
        first = _write_sheet(ws, sheet, columns, body)
        prefix = "" if role == "principale" else f"{name} / "
        built.cols += _cols(kind, sheet, name, prefix)
        key = {"jeune": "id_source", "binome": "id_source", "mentor": MENTOR_CODE}.get(
            sheet.get("lignes_par", "jeune")
        )
        built.sheet_keys[name] = next(
            (c["en_tete"] for c in columns if c["champ"] == key and role != "sans_cle"), None
        )
        if role == "principale":
            built.skipped = [
                {"feuille": name, "ligne": first + i, "motif": m} for i, m in enumerate(motifs) if m
            ]
            built.rows_read = len(body)
            continue
        if role != "jointe":
            continue
        fields = [c for c in columns if c["champ"] not in ("id_source", MENTOR_CODE)]
        for rid, values in truth.items():
            pair = latest.get(rid)
            source = by_id[rid] if sheet.get("lignes_par", "jeune") == "jeune" else pair
            found = _truth(fields, source or nothing, rid)
            values |= {k: v for k, v in found.items() if k != "id_source"}
    buffer = io.BytesIO()
    wb.save(buffer)
    built.data = buffer.getvalue()
    built.truth = list(truth.values())
    built.answers = {c.display: c.answer for c in built.cols}
    return built
