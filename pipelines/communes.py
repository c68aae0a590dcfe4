"""The communes referential: loading it and resolving the commune given in an imported file.

The referential (`data/referentiels/communes.csv.gz`, built by `scripts/build_communes.py`,
sources in `data/referentiels/SOURCES.md`) has one row per current French commune. Paris,
Lyon and Marseille are one row each: the codes of their arrondissements municipaux are
resolved to the commune.

A youth's commune is optional in every source file. When given, it is resolved to an INSEE
code from the INSEE code if present, else from the name and/or the postcode; a row that
cannot be resolved gets a French reason the user can act on.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from indicators.outlines import departement_of
from indicators.territory import served_departement

DEFAULT_PATH = Path(__file__).resolve().parents[1] / "data" / "referentiels" / "communes.csv.gz"

TEXT_COLUMNS = ["insee", "nom", "departement", "epci", "epci_nom", "classe", "codes_postaux"]

# Arrondissements municipaux -> their commune (INSEE codes, stable).
ARRONDISSEMENTS = {
    **{f"751{n:02d}": "75056" for n in range(1, 21)},
    **{f"6938{n}": "69123" for n in range(1, 10)},
    **{f"132{n:02d}": "13055" for n in range(1, 17)},
}
_ARRONDISSEMENT_CITIES = [("PARIS", "75056", 20), ("MARSEILLE", "13055", 16), ("LYON", "69123", 9)]

_AMBIGUOUS = "?"  # marker in the lookup tables: several communes match
_EXCEL_INTEGER = re.compile(r"^(\d+)\.0*$")  # 1004.0 read from a numeric Excel cell
_ARTICLE_SUFFIX = re.compile(r"^(.*\S)\s*\((L'|L’|LE|LA|LES)\)$")  # "CATEAU (LE)"
_NON_ALNUM = re.compile(r"[^A-Z0-9]+")
_SPACES = re.compile(r"\s+")
_COMBINING = re.compile("[\u0300-\u036f]")  # accents once decomposed by NFKD
_LEADING_ARTICLE = r"^(?:LE|LA|LES|L|AUX|LAS|LOS) (.+)$"
_ABBREVIATIONS = {"ST": "SAINT", "STE": "SAINTE"}


@functools.lru_cache(maxsize=4)
def _read_communes(path: str) -> pd.DataFrame:
    return pd.read_csv(
        path,
        dtype={col: str for col in TEXT_COLUMNS}
        | {
            "population": "Int64",
            "latitude": "float64",
            "longitude": "float64",
            "superficie_km2": "float64",
            "densite": "float64",
            "niveau_densite": "Int64",
        },
        keep_default_na=False,
        na_values=[""],
    )


def load_communes(path: str | Path | None = None) -> pd.DataFrame:
    """Return the communes referential (one row per commune, sorted by INSEE code).

    Code columns (`insee`, `departement`, `epci`, `codes_postaux`) are text; missing values
    are NA (`epci` for the few communes outside any EPCI, `population`/`densite` where the
    source has no population or no outline, `niveau_densite`/`classe` where INSEE's grid
    has no level). `codes_postaux` holds the postcodes separated by `;`.

    The frame is cached and shared by every caller: do not mutate it (copy it first).
    """
    return _read_communes(str(Path(path or DEFAULT_PATH).resolve()))


def normalise_commune_name(name: str) -> str:
    """Comparable form of a commune name: "Villeneuve-d'Ascq" -> "VILLENEUVE D ASCQ".

    Uppercase without accents (Œ -> OE, Æ -> AE), punctuation as spaces, ST/STE spelled
    SAINT/SAINTE, a trailing article in parentheses moved to the front ("Cateau (Le)").
    """
    text = name.replace("Œ", "OE").replace("œ", "OE").replace("Æ", "AE").replace("æ", "AE")
    text = unicodedata.normalize("NFKD", text)
    text = _COMBINING.sub("", text).upper().strip()
    match = _ARTICLE_SUFFIX.match(text)
    if match:
        text = f"{match.group(2)} {match.group(1)}"
    words = _NON_ALNUM.sub(" ", text).split()
    return " ".join(_ABBREVIATIONS.get(word, word) for word in words)


@dataclass(frozen=True)
class _Index:
    codes: frozenset[str]
    by_name: dict[str, str]  # name key -> INSEE code or _AMBIGUOUS
    by_name_cp: dict[str, str]  # "name key|postcode" -> INSEE code or _AMBIGUOUS
    by_cp: dict[str, str]  # postcode -> INSEE code or _AMBIGUOUS
    # "name key|département" -> INSEE code or _AMBIGUOUS: a name shared across France
    by_name_dep: dict[str, str] = field(default_factory=dict)


def _unique_or_ambiguous(keys: pd.Series, codes: pd.Series) -> dict[str, str]:
    pairs = pd.DataFrame({"key": keys, "code": codes}).dropna().drop_duplicates()
    grouped = pairs.groupby("key")["code"]
    first = grouped.first()
    return first.where(grouped.nunique() == 1, _AMBIGUOUS).to_dict()


@functools.lru_cache(maxsize=4)
def _codes_only(path: str) -> _Index:
    """The INSEE codes alone: enough when every row gives its code (no name index to build)."""
    return _Index(
        codes=frozenset(_read_communes(path)["insee"]), by_name={}, by_name_cp={}, by_cp={}
    )


@functools.lru_cache(maxsize=4)
def _index(path: str) -> _Index:
    communes = _read_communes(path)
    keys = communes["nom"].map(normalise_commune_name).astype(object)
    names = pd.DataFrame({"key": keys, "code": communes["insee"]})
    aliases = [
        (f"{city} {label}{suffix}", code)
        for city, code, count in _ARRONDISSEMENT_CITIES
        for n in range(1, count + 1)
        for label in ([str(n), "1ER", "1ERE"] if n == 1 else [str(n), f"{n}E", f"{n}EME"])
        for suffix in ("", " ARRONDISSEMENT")
    ]
    # The name without its article ("CATEAU CAMBRESIS" for "Le Cateau-Cambrésis").
    bare = keys.str.extract(_LEADING_ARTICLE, expand=False)
    aliases += list(zip(bare[bare.notna()], communes["insee"][bare.notna()], strict=True))
    aliases_frame = pd.DataFrame(aliases, columns=["key", "code"])
    names = pd.concat([names, aliases_frame[~aliases_frame["key"].isin(keys)]])

    split_cp = communes["codes_postaux"].str.split(";")
    postcodes = pd.DataFrame({"key": keys, "code": communes["insee"], "cp": split_cp})
    bare_postcodes = pd.DataFrame({"key": bare, "code": communes["insee"], "cp": split_cp})
    bare_postcodes = bare_postcodes[bare.notna() & ~bare.isin(keys)]
    postcodes = pd.concat([postcodes, bare_postcodes]).explode("cp")
    return _Index(
        codes=frozenset(communes["insee"]),
        by_name=_unique_or_ambiguous(names["key"], names["code"]),
        by_name_cp=_unique_or_ambiguous(
            postcodes["key"] + "|" + postcodes["cp"], postcodes["code"]
        ),
        by_cp=_unique_or_ambiguous(postcodes["cp"], postcodes["code"]),
        by_name_dep=_unique_or_ambiguous(
            names["key"] + "|" + names["code"].map(departement_of), names["code"]
        ),
    )


def _clean_code(value: object, width: int = 5) -> str | None:
    """Strip spaces, uppercase, undo Excel's numeric form (1004.0 -> 1004 -> 01004)."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    code = _SPACES.sub("", str(value)).upper()
    code = _EXCEL_INTEGER.sub(r"\1", code)
    if len(code) == width - 1 and code.isdigit():
        code = code.zfill(width)
    return code or None


def _clean_name(value: object) -> tuple[str, str] | None:
    """(name as typed, stripped; its normalised key), None when empty."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    text = str(value).strip()
    key = normalise_commune_name(text)
    return (text, key) if key else None


def _factorize(values: pd.Series, clean) -> tuple[np.ndarray, list]:
    """Codes per row and cleaned unique values; the cleaning runs once per distinct value."""
    codes, uniques = pd.factorize(values.astype(object), use_na_sentinel=True)
    return codes, [clean(value) for value in uniques] + [None]  # code -1 -> None


def _resolve_one(
    index: _Index,
    code: str | None,
    name: tuple[str, str] | None,
    cp: str | None,
    departement: str | None = None,
) -> tuple[str | None, str | None]:
    """(INSEE code, reason) for one distinct (code, name, postcode) triple, already cleaned;
    a name alone that several communes of France bear is the one of `departement` (the
    département served) when it has exactly one."""
    if code is not None:
        code = ARRONDISSEMENTS.get(code, code)
        return (code, None) if code in index.codes else (None, f"code INSEE inconnu : {code}")
    if name is not None:
        typed, key = name
        quoted = f"« {typed} »"
        by_name_cp = index.by_name_cp.get(f"{key}|{cp}") if cp is not None else None
        if by_name_cp not in (None, _AMBIGUOUS):
            return by_name_cp, None
        by_name = index.by_name.get(key)
        if by_name not in (None, _AMBIGUOUS):
            return by_name, None
        if by_name_cp == _AMBIGUOUS:
            return None, f"commune {quoted} (code postal {cp}) ambiguë : précisez le code INSEE"
        served = index.by_name_dep.get(f"{key}|{departement}") if departement else None
        if by_name == _AMBIGUOUS and cp is None and served not in (None, _AMBIGUOUS):
            return served, None
        if by_name == _AMBIGUOUS and cp is None:
            return None, f"commune {quoted} ambiguë : précisez le code postal ou le code INSEE"
        if by_name == _AMBIGUOUS:
            return None, (
                f"commune {quoted} ambiguë : le code postal {cp} ne correspond à aucune "
                "commune de ce nom ; précisez le code INSEE"
            )
        suffix = f" (code postal {cp})" if cp is not None else ""
        return None, f"commune inconnue : {quoted}{suffix}"
    if cp is not None:
        by_cp = index.by_cp.get(cp)
        if by_cp is None:
            return None, f"code postal inconnu : {cp}"
        if by_cp == _AMBIGUOUS:
            return None, (
                f"code postal {cp} commun à plusieurs communes : précisez le nom de la "
                "commune ou le code INSEE"
            )
        return by_cp, None
    return None, None


_NAME_WITH_POSTCODE = [
    re.compile(r"^(?P<name>.*?\S)\s*[(\[]\s*(?P<cp>\d{5}|\d{2}\s\d{3})\s*[)\]]$"),  # Ville (59100)
    re.compile(r"^(?P<cp>\d{5}|\d{2}\s\d{3})\s*[-–,/]?\s*(?P<name>\D.*)$"),  # 59100 Ville
    re.compile(r"^(?P<name>\D.*?)\s*[-–,/]?\s*(?P<cp>\d{5})$"),  # Ville - 59100
]


def split_postcode(text: str) -> tuple[str, str | None]:
    """A commune cell that also holds the postcode: « Roubaix (59100) », « 59100 Roubaix »,
    « 59100 - Roubaix », « Roubaix 59100 » -> ("Roubaix", "59100"); else (text, None)."""
    stripped = text.strip()
    for pattern in _NAME_WITH_POSTCODE:
        match = pattern.match(stripped)
        if match:
            return match.group("name").strip(" -–,/"), match.group("cp").replace(" ", "")
    return stripped, None


def _split_postcodes(nom: pd.Series, code_postal: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Names carrying their postcode are split when the row gives no postcode of its own."""
    text = nom.astype(object)
    # Asked once per distinct cell (a commune column repeats a few hundred names); a str is
    # never equal to a non-str, so the distinct values keep their answer.
    codes, uniques = pd.factorize(text, use_na_sentinel=True)
    digits = [isinstance(v, str) and any(c.isdigit() for c in v) for v in uniques]
    has_digits = pd.Series(np.array([*digits, False], dtype=bool)[codes], index=text.index)
    if not has_digits.any():
        return nom, code_postal
    names, cps = text.copy(), code_postal.astype(object).copy()
    for i in np.flatnonzero(has_digits.to_numpy()):
        name, cp = split_postcode(text.iloc[i])
        if cp is None:
            continue
        names.iloc[i] = name
        given = cps.iloc[i]
        if given is None or given is pd.NA or (isinstance(given, float) and np.isnan(given)):
            cps.iloc[i] = cp
    return names, cps


@functools.lru_cache(maxsize=4)
def known_codes(path: str | Path | None = None) -> frozenset[str]:
    """Every INSEE code of the referential (arrondissements included)."""
    resolved = str(Path(path or DEFAULT_PATH).resolve())
    return _codes_only(resolved).codes | frozenset(ARRONDISSEMENTS)


@functools.lru_cache(maxsize=4)
def known_postcodes(path: str | Path | None = None) -> frozenset[str]:
    """Every postcode of the referential (cheaper than the resolution index)."""
    codes = _read_communes(str(Path(path or DEFAULT_PATH).resolve()))["codes_postaux"]
    return frozenset(cp for joined in codes.dropna() for cp in joined.split(";"))


@functools.lru_cache(maxsize=4)
def _name_keys(path: str) -> frozenset[str]:
    """Normalised commune names, with and without their leading article."""
    keys = _read_communes(path)["nom"].map(normalise_commune_name)
    bare = keys.str.extract(_LEADING_ARTICLE, expand=False).dropna()
    return frozenset(keys.tolist()) | frozenset(bare.tolist())


@functools.lru_cache(maxsize=1)
def _default_resolved() -> str:
    return str(DEFAULT_PATH.resolve())


def is_commune_name(text: str, path: str | Path | None = None) -> bool:
    """Whether a cell names a commune of the referential (with or without its postcode).
    Asked for every distinct cell of a column: the default path is resolved once."""
    name, _ = split_postcode(text)
    key = normalise_commune_name(name)
    resolved = str(Path(path).resolve()) if path else _default_resolved()
    return bool(key) and key in _name_keys(resolved)


def resolve_communes(
    insee: pd.Series,
    nom: pd.Series,
    code_postal: pd.Series,
    *,
    path: str | Path | None = None,
    departement: str | None = None,
) -> tuple[pd.Series, pd.Series]:
    """Resolve each row's commune to an INSEE code; return (code, reason), both nullable text.

    - an INSEE code, when given, wins: it is cleaned (spaces, Excel numbers such as 1004.0,
      `2a` -> `2A`; an arrondissement of Paris/Lyon/Marseille gives its commune) and must
      exist in the referential;
    - else the name: name + postcode when that pair designates one commune, else the name
      alone when it is unique in France (a postcode that does not match is then ignored), or,
      with no postcode, when it is unique in the département served (`departement`, default
      the setting: « Merville » is 59400 for the Nord, 31341 for the Haute-Garonne); a
      name cell may carry the postcode itself (« Roubaix (59100) », « 59100 Roubaix »);
    - else the postcode alone when a single commune has it;
    - nothing given: both NA (the commune is optional, this is not an error).
    The reason is NA when a code was found, else a French message for the user.
    The three series must have the same length; the result has `insee`'s index. Each
    distinct (code, name, postcode) triple is resolved once, so repeated rows cost nothing.
    """
    if not len(insee) == len(nom) == len(code_postal):
        raise ValueError("insee, nom and code_postal must have the same length")
    nom, code_postal = _split_postcodes(nom, code_postal)
    code_ids, codes = _factorize(insee, _clean_code)
    name_ids, names = _factorize(nom, _clean_name)
    cp_ids, cps = _factorize(code_postal, _clean_code)

    # Each (code, name, postcode) triple as one integer (ids shifted past -1, in mixed
    # radix): the distinct triples come out as np.unique(axis=0) gives them, in the same
    # order, without sorting rows of a structured view.
    sizes = [len(codes) + 1, len(names) + 1, len(cps) + 1]
    packed = ((code_ids + 1) * sizes[1] + (name_ids + 1)) * sizes[2] + (cp_ids + 1)
    keys, inverse = np.unique(packed.astype(np.int64), return_inverse=True)
    distinct = np.stack(
        [keys // (sizes[1] * sizes[2]) - 1, keys // sizes[2] % sizes[1] - 1, keys % sizes[2] - 1],
        axis=1,
    )
    resolved = str(Path(path or DEFAULT_PATH).resolve())
    by_name_needed = any(
        codes[c] is None and (names[n] is not None or cps[p] is not None)
        for c, n, p in distinct.tolist()
    )
    index = _index(resolved) if by_name_needed else _codes_only(resolved)
    served = departement or served_departement()
    results = [
        _resolve_one(index, codes[c], names[n], cps[p], served) for c, n, p in distinct.tolist()
    ]
    found = np.array([r[0] for r in results] + [None], dtype=object)[:-1]
    reasons = np.array([r[1] for r in results] + [None], dtype=object)[:-1]
    inverse = inverse.reshape(-1)
    return (
        pd.Series(found[inverse], index=insee.index, dtype="string"),
        pd.Series(reasons[inverse], index=insee.index, dtype="string"),
    )
