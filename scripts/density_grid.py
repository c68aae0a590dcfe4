"""Read INSEE's « grille communale de densité à 7 niveaux », whatever its edition.

INSEE publishes the grid each year as a workbook: a title block (« Mise en ligne le
28/05/2024   Géographie au 01/01/2024 »), a row of long French headers, then a row of
short codes (CODGEO, LIBGEO, DENS, LIBDENS, PMUNyy, P1…P7) above one row per commune. The
reader finds the row of codes wherever it is, takes CODGEO, DENS and the PMUN column of any
year, and reads the edition (the geography's year) and the publication date from the title
block. A file without CODGEO and DENS, or with a level outside 1-7, is refused: a build
never guesses a rural class.

`--grille FILE` hands the script a new edition; the extract it writes
(`data/referentiels/grille_densite.csv.gz` + `.json`) is what later rebuilds read.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd

HEADER_SEARCH_ROWS = 30
LEVELS = range(1, 8)
_DATE = r"(\d{2})/(\d{2})/(\d{4})"


@dataclass(frozen=True)
class Edition:
    """Where a grid comes from: `edition` is the year of its geography (2024 for the grid
    published on 28/05/2024 on the communes of 01/01/2024)."""

    edition: int
    mise_en_ligne: str | None  # ISO date, when the title block says it
    fichier: str
    sha256: str
    communes: int

    def as_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def _iso(match: re.Match | None) -> str | None:
    if match is None:
        return None
    day, month, year = (int(g) for g in match.groups())
    return dt.date(year, month, day).isoformat()


def read_grid(path: Path) -> tuple[pd.DataFrame, Edition]:
    """The grid as `insee` (text), `niveau` (1-7) and `population` (the grid's own
    municipal population, used to choose among merged communes), with its edition."""
    data = path.read_bytes()
    raw = pd.read_excel(io.BytesIO(data), engine="calamine", header=None, dtype=str)
    codes_row = None
    for i in range(min(HEADER_SEARCH_ROWS, len(raw))):
        cells = [str(c).strip().upper() for c in raw.iloc[i].tolist()]
        if "CODGEO" in cells and "DENS" in cells:
            codes_row = i
            break
    if codes_row is None:
        raise SystemExit(f"{path}: no row with CODGEO and DENS in the first rows: not the grid")
    header = [str(c).strip().upper() for c in raw.iloc[codes_row].tolist()]
    population = next((j for j, h in enumerate(header) if h.startswith("PMUN")), None)
    body = raw.iloc[codes_row + 1 :]
    grid = pd.DataFrame(
        {
            "insee": body.iloc[:, header.index("CODGEO")].str.strip(),
            "niveau": pd.to_numeric(body.iloc[:, header.index("DENS")], errors="coerce"),
            "population": pd.to_numeric(body.iloc[:, population], errors="coerce")
            if population is not None
            else pd.NA,
        }
    ).dropna(subset=["insee"])
    bad = grid[~grid["niveau"].isin(LEVELS)]
    if not bad.empty:
        raise SystemExit(f"{path}: level outside 1-7 for {', '.join(bad['insee'].head(5))}")
    if grid["insee"].duplicated().any():
        raise SystemExit(f"{path}: a commune appears twice")
    grid["niveau"] = grid["niveau"].astype(int)
    title = " ".join(
        str(c) for c in raw.iloc[:codes_row].to_numpy().ravel().tolist() if isinstance(c, str)
    )
    geography = re.search(r"[Gg][ée]ographie au " + _DATE, title)
    published = re.search(r"[Mm]ise en ligne le " + _DATE, title)
    year = int(geography.group(3)) if geography else None
    if year is None:
        named = re.search(r"(20\d{2})", path.name)
        year = int(named.group(1)) if named else None
    if year is None:
        raise SystemExit(f"{path}: the edition (Géographie au …) is not said; rename the file")
    edition = Edition(
        edition=year,
        mise_en_ligne=_iso(published),
        fichier=path.name,
        sha256=hashlib.sha256(data).hexdigest(),
        communes=len(grid),
    )
    return grid.sort_values("insee").reset_index(drop=True), edition


def extract_csv(grid: pd.DataFrame) -> bytes:
    """The extract kept in the repository: `insee,niveau,population`, sorted."""
    out = grid.assign(population=grid["population"].map(lambda v: "" if pd.isna(v) else int(v)))
    return out.to_csv(index=False, lineterminator="\n").encode("utf-8")


def read_extract(csv_path: Path, json_path: Path) -> tuple[pd.DataFrame, Edition]:
    grid = pd.read_csv(
        csv_path, dtype={"insee": str, "niveau": int, "population": "Int64"}, keep_default_na=False
    )
    return grid, Edition(**json.loads(json_path.read_text(encoding="utf-8")))


def levels_for(
    codes: pd.Series, merged_into: dict[str, list[str]], grid: pd.DataFrame
) -> tuple[pd.Series, dict[str, str]]:
    """The level of each current commune (`codes`): the grid's own when the grid has the
    code; for a commune created after the edition (absent from the grid), the level of the
    most populous of its former communes (`merged_into`: code -> the codes of its communes
    déléguées) that the grid has; else unknown. Returns the levels (nullable integers) and,
    per commune whose level was borrowed, the former commune it was taken from."""
    level = grid.set_index("insee")["niveau"]
    people = grid.set_index("insee")["population"].fillna(0)
    out = codes.map(level).astype("Int64")
    borrowed: dict[str, str] = {}
    for pos in out.index[out.isna()]:
        code = codes[pos]
        known = [c for c in merged_into.get(code, []) if c in level.index]
        if known:
            source = max(known, key=lambda c: (people[c], c))
            out[pos] = level[source]
            borrowed[code] = source
    return out, borrowed
