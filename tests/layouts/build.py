"""Turn a layout description (tests/layouts/README.md) into a real file and its answers.

The rows are fictional youths, mentors and checks simulated by the demo generator; the
description decides only how they are written (headers, shapes, labels, sheets, title rows).
`Built.truth` holds, per row, the canonical value of every field the layout carries: what
the database must hold once the file is imported with the right mapping.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from openpyxl import Workbook

from demo.journeys import HonoRequest, Parcours
from demo.people import BOYS, GIRLS, SURNAMES
from demo.scenario import DemoData, build_demo
from demo.writers import statut

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
HOLDOUT = HERE / "holdout"
AS_OF = dt.date(2026, 10, 31)
EXCEL_EPOCH = dt.date(1899, 12, 30)
MONTHS = [
    "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
    "octobre", "novembre", "décembre",
]  # fmt: skip
COMMENTS = [
    "RAS", "Très motivé", "Relancer la famille", "À revoir en comité", "Binôme solide",
    "Difficultés de transport", "Souhaite changer de créneau", None, None, None,
]  # fmt: skip


def layout_paths(*folders: Path) -> list[Path]:
    return sorted(p for folder in folders for p in folder.glob("*.toml"))


def load_layout(path: Path) -> dict:
    return tomllib.loads(path.read_text(encoding="utf-8"))


@lru_cache(maxsize=2)
def _population(as_of: dt.date) -> DemoData:
    return build_demo(seed=909, n_parcours=3000, as_of=as_of)


@dataclass
class Built:
    name: str  # the layout's file stem
    layout: dict
    filename: str
    data: bytes
    truth: list[dict]  # per data row: canonical field -> value (only the layout's fields)
    answers: dict[str, str] = field(default_factory=dict)  # display header -> field ("" = none)

    @property
    def kind(self) -> str:
        return self.layout["type"]

    @property
    def columns(self) -> list[dict]:
        return self.layout["colonnes"]


def _as_of(layout: dict) -> dt.date:
    given = layout.get("date_extraction")
    return dt.date.fromisoformat(str(given)) if given else AS_OF


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


def _records(layout: dict, rng: random.Random) -> list[dict]:
    data = _population(_as_of(layout))
    kind, wanted = layout["type"], int(layout.get("lignes", 100))
    association = layout.get("association", "Association du corpus")
    if kind == "honorabilite":
        pool = [r for r in data.cd_requests()]
        chosen = sorted(rng.sample(pool, min(wanted, len(pool))), key=lambda r: r.id_source)
        return [_check_values(r, association) for r in chosen]
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
    names = ["Passerelle Nord", "Main Tendue Mentorat", "Déclic Jeunes", "Élan Solidaire"]
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


# --- cells ------------------------------------------------------------------------------------


def _date_cell(value: dt.date | None, shape: str | None, fmt: str, rng: random.Random):
    if value is None:
        return None
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
    return None


def _cell(column: dict, row: dict, rid, rng: random.Random, fmt: str):
    name, shape = column["champ"], column.get("forme")
    if not name:
        return _distractor(column, row, rng, fmt)
    if name == "id_source":
        return rid
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
        elif name and name != "id_source":
            out[name] = row.get(name)
    return out


# --- files ------------------------------------------------------------------------------------


def _display_headers(layout: dict) -> list[str]:
    """Headers as the import reports them: "group - header" under a merged group row."""
    headers = [c["en_tete"] for c in layout["colonnes"]]
    groups: list[str] = []
    for label, span in layout.get("groupes", []):
        groups += [label] * int(span)
    groups += [""] * (len(headers) - len(groups))
    return [f"{g} - {h}" if g and h else (h or g) for g, h in zip(groups, headers, strict=True)]


def _xlsx(layout: dict, header: list[str], body: list[list]) -> bytes:
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
    for title in layout.get("titres", []):
        ws.append([title])
    if layout.get("titres"):
        ws.append([])
    groups = layout.get("groupes", [])
    if groups:
        row = ws.max_row + 1 if ws.max_row > 1 or ws["A1"].value is not None else 1
        column = 1
        for label, span in groups:
            if label:
                ws.cell(row=row, column=column, value=label)
                if int(span) > 1:
                    ws.merge_cells(
                        start_row=row, start_column=column, end_row=row,
                        end_column=column + int(span) - 1,
                    )  # fmt: skip
            column += int(span)
    ws.append(header)
    start = ws.max_row
    for line in body:
        ws.append(line)
    for r in range(start + 1, ws.max_row + 1):
        for c, column in enumerate(layout["colonnes"], start=1):
            cell = ws.cell(row=r, column=c)
            if isinstance(cell.value, dt.datetime):
                shape = column.get("forme")
                cell.number_format = "DD/MM/YYYY HH:MM" if shape == "datetime" else "DD/MM/YYYY"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _csv(layout: dict, header: list[str], body: list[list]) -> bytes:
    buffer = io.StringIO(newline="")
    sep = layout.get("separateur", ";")
    writer = csv.writer(buffer, delimiter=sep, lineterminator="\r\n")
    for title in layout.get("titres", []):
        writer.writerow([title])
    if layout.get("titres"):
        writer.writerow([])
    groups = layout.get("groupes", [])
    if groups:
        cells: list[str] = []
        for label, span in groups:
            cells += [label] + [""] * (int(span) - 1)
        writer.writerow(cells)
    writer.writerow(header)
    for line in body:
        writer.writerow(["" if v is None else v for v in line])
    encoding = layout.get("encodage", "utf-8")
    return buffer.getvalue().encode(encoding, errors="replace")


def build(path: Path, seed: int = 0) -> Built:
    """The file of one layout description and what the database must hold after it."""
    layout = load_layout(path)
    rng = random.Random(f"{path.stem}-{seed}")
    rows = _records(layout, rng)
    id_column = next((c for c in layout["colonnes"] if c["champ"] == "id_source"), None)
    ids = _ids(id_column.get("forme") if id_column else None, rows)
    fmt = layout.get("format", "xlsx")
    body = [
        [_cell(c, row, rid, rng, fmt) for c in layout["colonnes"]]
        for row, rid in zip(rows, ids, strict=True)
    ]
    header = [c["en_tete"] for c in layout["colonnes"]]
    data = _xlsx(layout, header, body) if fmt == "xlsx" else _csv(layout, header, body)
    answers = dict(
        zip(_display_headers(layout), (c["champ"] for c in layout["colonnes"]), strict=True)
    )
    truth = [_truth(layout["colonnes"], row, rid) for row, rid in zip(rows, ids, strict=True)]
    return Built(
        path.stem, layout, layout.get("nom_fichier", f"{path.stem}.{fmt}"), data, truth, answers
    )
