"""What the import page shows before anything is written: how the columns were read (field,
certainty, an example cell that is never a name nor a birth date), which labels no table
knows, and which lines will be quarantined (line, column, reason, the association's id)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from domain.schema import FIELDS, FieldType, Kind, field, identity_fields
from domain.values import category_labels, value_tables
from pipelines.file_report import set_aside_report, set_aside_words
from pipelines.mapping import ColumnMapping
from pipelines.plan import Plan
from pipelines.shape import Shaped

IGNORED = "ignorée"
BY_SYNONYMS = "reconnue par le moteur de reconnaissance"
HIDDEN = "(non affiché)"
EXAMPLE_LENGTH = 40


def shape_lines(shaped: Shaped) -> list[str]:
    """What the shaping did, in French, a sentence each (none for a plain table)."""
    log = shaped.log
    if log is None:
        return []
    kind = log.kind
    steps = [s for s in log.steps if s.field]
    others = [s for s in log.steps if not s.field and s.certain]
    events = sum(s.rows for s in log.steps)
    lines = [
        f"Journal d'événements : {events} lignes, une par événement, regroupées en "
        f"{log.dossiers} dossier(s) (colonne « {log.id_header} »)."
    ]
    if steps:
        lines.append(
            "Étapes : "
            + " ; ".join(f"« {s.label} » → {field(kind, s.field).label} ({s.rows})" for s in steps)
            + "."
        )
    if others:
        lines.append(
            "Événements qui ne sont pas des étapes (non repris) : "
            + ", ".join(f"« {s.label} » ({s.rows})" for s in others)
            + "."
        )
    if log.details:
        lines.append(
            "Précisions lues selon l'étape : "
            + " ; ".join(
                f"« {d.header} » sur les lignes {field(kind, d.step).label.lower()} → "
                f"{field(kind, d.target).label}"
                for d in log.details
            )
            + "."
        )
    if log.repeated:
        lines.append(
            f"{log.repeated} dossier(s) ont une même étape datée deux fois : la date la plus "
            "récente est retenue."
        )
    if log.dropped:
        lines.append(
            "Colonnes propres à chaque événement, non reprises : "
            + ", ".join(f"« {h} »" for h in log.dropped)
            + "."
        )
    return lines


SHEET_WORDS = {
    "principale": "feuille principale",
    "jointe": "jointe",
    "ignoree": "laissée de côté",
    "a_preciser": "à préciser",
}


def sheets_line(shaped: Shaped) -> str:
    """A workbook's sheets and what became of each, in one French sentence."""
    parts = []
    for s in shaped.sheets:
        text = f"« {s.name} » : {SHEET_WORDS[s.decision]}"
        if s.decision == "jointe":
            text += f" par la colonne « {s.key} »"
            if s.several:
                text += f" ({s.several} jeune(s) avec plusieurs lignes : la plus récente retenue)"
        elif s.reason and s.decision != "principale":
            text += f" ({s.reason})"
        parts.append(text)
    return "Classeur : " + " ; ".join(parts) + "."


def step_choices(shaped: Shaped) -> dict[str, str]:
    """French label -> date field of the log's kind, for a select box (« pas une étape »
    is the caller's)."""
    if shaped.log is None:
        return {}
    kind = shaped.log.kind
    return {field(kind, f.name).label: f.name for f in FIELDS[kind] if f.type == FieldType.DATE}


def set_aside_text(plan: Plan) -> str | None:
    """The rows that are no data (totals, section names), said in French."""
    return set_aside_words(set_aside_report(plan.prepared))


def layout_label(plan: Plan) -> str:
    return plan.mapping.profile or BY_SYNONYMS


def example(frame: pd.DataFrame, pos: int, name: str | None, kind: Kind) -> str:
    """The first filled cell of a column, as the page may show it: never for a name, a
    birth date or a birthplace (identity), dates as dd/mm/yyyy, long text cut."""
    if name is not None and (name in identity_fields() or name.startswith("date_naissance")):
        return HIDDEN
    if name is None:
        return HIDDEN  # a column no field explains may hold anything (a referent's name…)
    values = frame[pos].dropna() if pos in frame else pd.Series(dtype=object)
    values = values[values.map(lambda v: str(v).strip() != "")]
    if values.empty:
        return ""
    value = values.iloc[0]
    if isinstance(value, dt.datetime | dt.date):
        return f"{value:%d/%m/%Y}"
    if field(kind, name).type == FieldType.INT and isinstance(value, float):
        value = int(value)
    text = " ".join(str(value).split())
    return text if len(text) <= EXAMPLE_LENGTH else text[: EXAMPLE_LENGTH - 1] + "…"


def percent(certitude: float | None) -> str:
    return "" if certitude is None else f"{round(100 * certitude)} %"


HIDDEN_COLUMN = " (colonne masquée)"


def columns_preview(
    mapping: ColumnMapping,
    header: list[str],
    frame: pd.DataFrame,
    hidden: frozenset[int] = frozenset(),
) -> pd.DataFrame:
    """Every column as read: the field it feeds, how sure, an example cell; a column the
    sheet hides says so."""
    kind = mapping.kind
    rows = []
    for pos, text in enumerate(header):
        name = mapping.columns.get(pos)
        label = IGNORED if name is None else field(kind, name).label
        shown = str(text or f"(colonne {pos + 1} sans titre)")
        rows.append(
            {
                "Colonne du fichier": shown + (HIDDEN_COLUMN if pos in hidden else ""),
                "Champ": label,
                "Certitude": percent(mapping.certitude(pos)),
                "Exemple": example(frame, pos, name, kind),
            }
        )
    return pd.DataFrame(rows, columns=["Colonne du fichier", "Champ", "Certitude", "Exemple"])


def unknown_labels(plan: Plan) -> pd.DataFrame:
    """The labels no value table knows: field, its French label, the label, rows, table."""
    unknown = plan.prepared.unknown.sort_values(["lignes", "champ"], ascending=[False, True])
    kind = plan.mapping.kind
    rows = []
    for r in unknown.itertuples():
        if r.champ == "commune":
            continue  # a commune is not answered with a value table
        f = field(kind, r.champ)
        rows.append(
            {"champ": r.champ, "Champ": f.label, "Libellé": r.valeur, "Lignes": int(r.lignes),
             "table": f.table}
        )  # fmt: skip
    return pd.DataFrame(rows, columns=["champ", "Champ", "Libellé", "Lignes", "table"])


def unknown_communes(plan: Plan) -> pd.DataFrame:
    unknown = plan.prepared.unknown
    communes = unknown[unknown["champ"] == "commune"].sort_values("lignes", ascending=False)
    return pd.DataFrame(
        {"Commune": communes["valeur"].to_numpy(), "Lignes": communes["lignes"].astype(int)}
    )


def value_choices(table: str) -> dict[str, str]:
    """French label -> canonical value of a table, for a select box."""
    assert table in value_tables()
    return {label[:1].upper() + label[1:]: code for code, label in category_labels(table).items()}


def quarantine_preview(plan: Plan) -> pd.DataFrame:
    """The lines that will not be loaded, and why."""
    q = plan.prepared.quarantine
    shown = pd.DataFrame(
        {
            "Ligne": q["ligne"].astype(int).to_numpy() if len(q) else [],
            "Colonne": q["colonne"].to_numpy() if len(q) else [],
            "Motif": q["motif"].to_numpy() if len(q) else [],
            "Identifiant (association)": q["id_source"].to_numpy() if len(q) else [],
        }
    )
    return shown.reset_index(drop=True)
