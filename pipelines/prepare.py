"""The *normalise*, *pseudonymise* and *validate* stages: a mapped raw table becomes canonical
rows ready to load, plus the quarantine of rows that cannot be loaded.

Every row read ends up in exactly one of three: loaded, quarantined, or set aside as no data
(a total, a section's name): `len(rows) + quarantined lines + set aside == read`.
Identity columns (names, birth dates) are consumed here and dropped before anything leaves.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import pandas as pd

from domain.schema import FIELDS, FieldType, Kind, identity_fields
from pipelines import normalise as norm
from pipelines.communes import resolve_communes
from pipelines.extract import RawTable
from pipelines.limits import too_long
from pipelines.mapping import ColumnMapping
from pipelines.non_data_rows import set_aside
from pipelines.pseudonyms import ids_jeunes, ids_mentors

QUARANTINE_COLUMNS = ["ligne", "colonne", "motif", "id_source"]
UNKNOWN_COLUMNS = ["champ", "valeur", "lignes"]
ASIDE_COLUMNS = ["ligne", "motif"]
MAX_LABEL = 200  # longest unknown label kept
YOUTH_KINDS = (Kind.ASSOCIATION, Kind.FICHE_CD)
MIN_AGE, MAX_AGE = 5, 30  # outside this range at inscription, the birth date is a typo


@dataclass
class Prepared:
    kind: Kind
    rows: pd.DataFrame  # canonical, no identity column; index = line in the file
    quarantine: pd.DataFrame  # QUARANTINE_COLUMNS, one row per (line, column, reason)
    rows_read: int  # = len(rows) + quarantined lines + len(set_aside)
    # UNKNOWN_COLUMNS: labels of category fields no table knows; their rows are loaded with
    # the field unknown (a label never costs a row), and the report lists them.
    unknown: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=UNKNOWN_COLUMNS))
    # Rows that are no data (totals, section names: pipelines/non_data_rows.py): `ligne`,
    # `motif`; neither loaded nor quarantined, listed in the report.
    set_aside: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=ASIDE_COLUMNS))

    @property
    def quarantined_lines(self) -> int:
        return int(self.quarantine["ligne"].nunique()) if len(self.quarantine) else 0


class _Problems:
    """Collects (line, column, reason) triples; a line with any problem is quarantined."""

    def __init__(self) -> None:
        self.parts: list[pd.DataFrame] = []

    def add(self, errors: pd.Series, column: str) -> None:
        bad = errors.dropna()
        if len(bad):
            self.parts.append(
                pd.DataFrame({"ligne": bad.index, "colonne": column, "motif": bad.to_numpy()})
            )

    def add_mask(self, mask: pd.Series, column: str, reason: str) -> None:
        self.add(pd.Series(reason, index=mask.index).where(mask.fillna(False)), column)

    def lines(self, column: str | None = None) -> set[int]:
        """Lines already in error (in `column`, or in any column)."""
        return {
            line
            for part in self.parts
            if column is None or (part["colonne"] == column).all()
            for line in part["ligne"]
        }

    def frame(self) -> pd.DataFrame:
        if not self.parts:
            return pd.DataFrame(columns=["ligne", "colonne", "motif"])
        return pd.concat(self.parts, ignore_index=True)


def _apply_overrides(values: pd.Series, overrides: dict[str, str]) -> pd.Series:
    """Layout-specific labels (profile [valeurs]) become canonical values first."""
    if not overrides:
        return values
    keys = values.map(lambda v: norm.normalise_key(str(v)) if v is not None else None)
    mapped = keys.map(overrides)
    return mapped.where(mapped.notna(), values)


def _normalise_fields(
    raw: RawTable, mapping: ColumnMapping, problems: _Problems, unknown: list[pd.DataFrame]
) -> pd.DataFrame:
    """Each mapped column cleaned by its field type; bad values go to `problems`, except the
    labels of category fields no table knows: those go to `unknown` (field left empty)."""
    out = pd.DataFrame(index=raw.frame.index)
    positions = mapping.field_positions()
    for f in FIELDS[mapping.kind]:
        pos = positions.get(f.name)
        if pos is None:
            continue
        values = raw.frame[pos]
        if f.table is not None:
            values = _apply_overrides(values, mapping.values.get(f.table, {}))
        out[f.name], errors = norm.normalise_column(values, f)
        if f.table is not None:
            multi = f.type == FieldType.CATEGORIES
            unknown.append(_unknown_labels(f.name, f.table, values, errors, multi))
        else:
            problems.add(errors, raw.header[pos])
    return out


def _unknown_labels(
    name: str, table: str, values: pd.Series, errors: pd.Series, multi: bool
) -> pd.DataFrame:
    """(field, label, rows) for each label the value table did not recognise."""
    bad = errors.notna()
    if not bad.any():
        return pd.DataFrame(columns=UNKNOWN_COLUMNS)
    labels = values[bad].map(lambda v: norm.unknown_parts(v, table, multi)).explode().dropna()
    return _counted(name, labels)


def _counted(name: str, labels: pd.Series) -> pd.DataFrame:
    """(field, label, rows): how many rows carry each label."""
    counts = labels.map(lambda t: t[:MAX_LABEL]).value_counts(sort=False)
    return pd.DataFrame(
        {"champ": name, "valeur": counts.index.astype(str), "lignes": counts.to_numpy()}
    )


def _label(mapping: ColumnMapping, raw: RawTable, name: str, default: str) -> str:
    pos = mapping.field_positions().get(name)
    return raw.header[pos] if pos is not None else default


def _require(
    frame: pd.DataFrame, names: list[str], mapping: ColumnMapping, raw: RawTable, p: _Problems
) -> None:
    """An empty required value; a value already reported as unreadable is not reported twice."""
    for name in names:
        if name not in frame:
            continue
        column = _label(mapping, raw, name, name)
        already = frame.index.isin(list(p.lines(column)))
        p.add_mask(frame[name].isna() & ~already, column, "valeur obligatoire vide")


def _duplicates(values: pd.Series, what: str, p: _Problems) -> pd.Series:
    """Reason for each repeated value after its first line ("… déjà présent ligne N"), among
    the lines that have no other problem (a quarantined line takes no identifier)."""
    present = values.dropna()
    present = present[~present.index.isin(list(p.lines()))]
    repeated = present.duplicated(keep="first").to_numpy()
    reasons = pd.Series(pd.NA, index=values.index, dtype="object")
    if not repeated.any():
        return reasons
    # Value -> line of its first occurrence, looked up for the repeats only (vectorised: a
    # per-group lambda costs seconds on 100,000 distinct values).
    first_line = pd.Series(present.index[~repeated], index=present.to_numpy()[~repeated])
    lines = first_line.reindex(present.to_numpy()[repeated]).to_numpy()
    reasons.loc[present.index[repeated]] = [
        f"{what} déjà présent ligne {int(line)}" for line in lines
    ]
    return reasons


def _communes(frame: pd.DataFrame, unknown: list[pd.DataFrame]) -> None:
    """The youth's commune as an INSEE code; a commune the referential cannot resolve is
    left unknown and listed (an optional field never costs a row)."""
    cols = [c for c in ("commune_insee", "commune", "code_postal") if c in frame]
    if not cols:
        return
    empty = pd.Series(pd.NA, index=frame.index, dtype="object")
    insee, errors = resolve_communes(
        frame.get("commune_insee", empty),
        frame.get("commune", empty),
        frame.get("code_postal", empty),
    )
    bad = errors.notna()
    if bad.any():
        typed = frame.get("commune", empty).astype("object")
        for col in ("code_postal", "commune_insee"):
            if col in frame:
                typed = typed.where(typed.notna(), frame[col].astype("object"))
        unknown.append(_counted("commune", typed[bad].dropna().astype(str)))
    frame["commune_insee"] = insee
    for col in ("commune", "code_postal"):
        if col in frame:
            del frame[col]


def prepare(
    raw: RawTable,
    mapping: ColumnMapping,
    key: bytes,
    association: str | None,
) -> Prepared:
    """Normalise, pseudonymise and validate every row; identity columns are dropped here.
    Totals and section rows are set aside first, and said."""
    read = len(raw.frame)
    records = mapping.kind != Kind.ASSOCIATIONS  # a referential row may be a name alone
    data, aside = set_aside(raw.frame, mapping.field_positions().get("id_source"), records)
    raw = replace(raw, frame=data)
    p = _Problems()
    for line, problems in raw.row_problems.items():
        for column, reason in problems:
            p.add(pd.Series([reason], index=[line], dtype="object"), column)
    unknown: list[pd.DataFrame] = []
    frame = _normalise_fields(raw, mapping, p, unknown)
    kind = mapping.kind
    if kind in YOUTH_KINDS:
        _prepare_youths(frame, raw, mapping, key, association, p, unknown)
    elif kind == Kind.HONORABILITE:
        _prepare_checks(frame, raw, mapping, key, association, p)
    else:
        _require(frame, ["association"], mapping, raw, p)
        if "commune_antenne" in frame:
            insee, errors = _antenne_communes(frame["commune_antenne"])
            p.add(errors, _label(mapping, raw, "commune_antenne", "Commune de l'antenne"))
            frame["commune_antenne"] = insee

    frame = frame.drop(columns=[c for c in identity_fields() if c in frame])
    for column, (long, limit) in too_long(frame, kind).items():
        label = _label(mapping, raw, column, column)
        p.add_mask(long, label, f"valeur de plus de {limit} caractères : raccourcissez-la")
    problems = p.frame()
    bad_lines = pd.Index(problems["ligne"].unique())
    ids = frame.get("id_source")
    problems["id_source"] = (
        None if ids is None or problems.empty else ids.reindex(problems["ligne"]).to_numpy()
    )
    rows = frame.drop(index=bad_lines)
    labels = [u for u in unknown if len(u)]
    return Prepared(
        kind=kind,
        rows=rows,
        quarantine=problems[QUARANTINE_COLUMNS].sort_values(["ligne", "colonne"], kind="stable"),
        rows_read=read,
        set_aside=aside,
        unknown=(
            pd.concat(labels, ignore_index=True)
            if labels
            else pd.DataFrame(columns=UNKNOWN_COLUMNS)
        ),
    )


def _antenne_communes(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """An antenne's commune is given as an INSEE code or as a name."""
    text = values.astype("object").where(values.notna(), None)
    is_code = text.map(lambda v: isinstance(v, str) and v[:2].isalnum() and v[2:].isdigit())
    empty = pd.Series(pd.NA, index=values.index, dtype="object")
    return resolve_communes(text.where(is_code), text.where(~is_code), empty)


def _full_names(
    frame: pd.DataFrame,
    full: str,
    nom: str,
    prenom: str,
    mapping: ColumnMapping,
    raw: RawTable,
    p: _Problems,
    whose: str = "du mentor",
) -> None:
    """A full name in one cell stands for the two columns: the pseudonym sorts the words of
    nom and prénom together, so « DUPONT Marie » gives the same as "Dupont" + "Marie". A
    cell of one word cannot be a full name: that row is quarantined."""
    if full not in frame:
        return
    if nom not in frame and prenom not in frame:
        words = frame[full].map(lambda v: str(v).replace(",", " ").split(), na_action="ignore")
        column = _label(mapping, raw, full, full)
        single = words.map(len, na_action="ignore") == 1
        p.add_mask(single, column, f"nom et prénom {whose} attendus dans la même cellule")
        # The pseudonym sorts every word of nom and prénom: any split of the cell gives the
        # key of the two columns ("DUPONT Marie" = "Dupont" + "Marie").
        frame[nom] = words.map(lambda w: " ".join(w[:-1]) or w[0], na_action="ignore")
        frame[prenom] = words.map(lambda w: w[-1], na_action="ignore")
    del frame[full]


def _century(birth: pd.Series, cells: pd.Series, reference: pd.Series) -> pd.Series:
    """A birth date typed with a two-digit year is never after the inscription: « 12/03/30 »
    read as 2030 is 1930 (then refused as implausible, not silently a toddler)."""
    short = norm.two_digit_years(cells)
    later = birth.notna() & (birth > reference.fillna(pd.Timestamp.today().normalize()))
    fix = short & later
    if not fix.any():
        return birth
    return birth.where(~fix, birth[fix] - pd.DateOffset(years=100))


def _platform(frame: pd.DataFrame) -> None:
    """« Venu par 1jeune1mentor : oui » sets the canal when the file gives none."""
    via = frame.pop("via_plateforme")
    platform = via.eq("oui").fillna(False)
    canal = frame.get("canal", pd.Series(pd.NA, index=frame.index, dtype="string"))
    frame["canal"] = canal.where(canal.notna() | ~platform, "plateforme_1j1m")


def _prepare_youths(
    frame: pd.DataFrame,
    raw: RawTable,
    mapping: ColumnMapping,
    key: bytes,
    association: str | None,
    p: _Problems,
    unknown: list[pd.DataFrame],
) -> None:
    _full_names(frame, "nom_prenom", "nom", "prenom", mapping, raw, p, "du jeune")
    word_fiches = raw.format == "docx"
    required = ["nom", "prenom", "date_naissance", "date_inscription"]
    _require(frame, required if word_fiches else ["id_source", *required], mapping, raw, p)
    label_birth = _label(mapping, raw, "date_naissance", "Date de naissance")
    frame["date_naissance"] = _century(
        frame["date_naissance"],
        raw.frame[mapping.field_positions()["date_naissance"]],
        frame["date_inscription"],
    )
    birth = frame["date_naissance"]
    age = norm.age_at(birth, frame["date_inscription"])
    p.add_mask(
        (age < MIN_AGE) | (age > MAX_AGE),
        label_birth,
        f"âge à l'inscription hors de {MIN_AGE} à {MAX_AGE} ans : vérifiez la date de naissance",
    )
    frame["age_inscription"] = age
    frame["annee_naissance"] = birth.dt.year.astype("Int64")
    frame["id_jeune"] = ids_jeunes(key, frame["nom"], frame["prenom"], birth)
    if word_fiches:  # a Word fiche without its number: an id from the pseudonym, no name
        derived = ("fiche-" + frame["id_jeune"].str.slice(0, 16)).astype("string")
        frame["id_source"] = frame["id_source"].astype("string").fillna(derived)
    _communes(frame, unknown)
    if "via_plateforme" in frame:
        _platform(frame)
    if mapping.kind == Kind.ASSOCIATION:
        frame["association"] = association
        _full_names(frame, "nom_prenom_mentor", "nom_mentor", "prenom_mentor", mapping, raw, p)
        if "nom_mentor" in frame or "prenom_mentor" in frame:
            empty = pd.Series(pd.NA, index=frame.index, dtype="object")
            frame["id_mentor"] = ids_mentors(
                key, association, frame.get("nom_mentor", empty), frame.get("prenom_mentor", empty)
            )
    id_label = _label(mapping, raw, "id_source", "Identifiant")
    p.add(_duplicates(frame["id_source"], "identifiant", p), id_label)
    if mapping.kind == Kind.ASSOCIATION:
        # One parcours per youth and association: the same youth twice in one export.
        p.add(_duplicates(frame["id_jeune"], "même jeune", p), label_birth)


def _prepare_checks(
    frame: pd.DataFrame,
    raw: RawTable,
    mapping: ColumnMapping,
    key: bytes,
    association: str | None,
    p: _Problems,
) -> None:
    if "association" not in frame:
        frame["association"] = association
    elif association:
        frame["association"] = frame["association"].fillna(association)
    _require(frame, ["association", "date_transmission_cd"], mapping, raw, p)
    _full_names(frame, "nom_prenom_mentor", "nom_mentor", "prenom_mentor", mapping, raw, p)
    empty = pd.Series(pd.NA, index=frame.index, dtype="object")
    nom, prenom = frame.get("nom_mentor", empty), frame.get("prenom_mentor", empty)
    p.add_mask(
        nom.isna() & prenom.isna(),
        _label(mapping, raw, "nom_mentor", "Nom du mentor"),
        "nom du mentor vide",
    )
    frame["id_mentor"] = ids_mentors(key, frame["association"], nom, prenom)
    if "voie" not in frame:
        frame["voie"] = "cd_b2_fijais"
    frame["voie"] = frame["voie"].fillna("cd_b2_fijais")
    if "id_source" not in frame:
        frame["id_source"] = pd.NA
    # Without a request number, a request is its mentor and its transmission date.
    derived = (
        frame["id_mentor"].str.slice(0, 16)
        + "-"
        + frame["date_transmission_cd"].dt.strftime("%Y%m%d")
    )
    frame["id_source"] = frame["id_source"].fillna(derived)
    p.add(
        _duplicates(frame["id_source"], "demande", p),
        _label(mapping, raw, "id_source", "N° de demande"),
    )
