"""The demo département: realistic input files for the Nord, built by simulation.

`generate_demo_files` writes the files a chargé de projet would receive in a month:
the associations referential, the CD's fiches candidature, four association exports (each
association its own layout) and the CD's B2/FIJAIS follow-up. The demo database is then
built by ingesting these files through the pipeline, never by direct inserts.

Layouts (the first two and the CD's files have a mapping profile in pipelines/mappings/,
named in `FILES`; the last two have none: the matcher reads them as it would read a new
partner's first file, with no question to answer):

- Envol Mentorat Nord: CSV saved by French Excel (cp1252, `;`, CRLF, dates as
  dd/mm/yyyy text, decimal comma in "Heures réalisées", commune by name and postcode);
- Les Ailes du Possible: xlsx with title rows above the header, real date cells, INSEE
  code as text, the mentor's birth date; runs the rural antenne in MECS Les Tilleuls
  (Merville);
- Tremplin Avenir 59: xlsx in capitals without accents, Excel serial dates in plain number
  cells, numeric ids, the youth's and the mentor's (« TUTEUR ») full names in one cell,
  « CP VILLE » in one cell, birth dates typed with two-digit years, a yes/no column for
  1jeune1mentor, abbreviated labels (FA, MECS, AEMO, TDC); exports "active" youths only,
  so about 5 % of its finished parcours are missing;
- La Boussole Mentorat: a read-me sheet first, then merged group cells « Jeune »,
  « Binôme », « Mentor » above repeated sub-headers (« Nom », « Prénom »), terse step
  headers (« Date AP », « Conv. signée le », « 1er RDV »), « Ville (CP) » in one cell,
  labels with a precision in parentheses or written as a sentence.

Binôme follow-up (issue 23: meetings held, last meeting, 3-month review, satisfaction,
situation at exit): three associations write it, each its own way. Envol « Nb séances »,
« Dernière séance », « Bilan 3 mois », the youth's « Satisfaction (note /4) » as « 3/4 »
and « Situation fin de mentorat » (no mentor's satisfaction); Tremplin « NB RDV »,
« DERNIER RDV », « POINT 3 MOIS », both satisfactions as « 4/5 », « SITUATION SORTIE »;
La Boussole a « Suivi du binôme » group (« Nombre de rencontres », « Dernière rencontre »,
« Bilan à 3 mois », satisfactions in words, « Devenir du jeune » as a sentence). Les Ailes
du Possible leaves it out.

Determinism: one `random.Random(seed)` drives everything, so the same seed gives the
same cell values; xlsx files also get fixed document properties and zip timestamps.
Planted defects: see demo/scenario.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from demo.scenario import Defect, DemoData, build_demo
from demo.territory import BY_KEY
from demo.writers import (
    BOUSSOLE_GROUPS,
    BOUSSOLE_README,
    association_table,
    fiches_table,
    honorabilite_table,
    referentiel_table,
    write_excel_csv,
    write_grouped_xlsx,
    write_xlsx,
)

__all__ = ["FILES", "Defect", "DemoData", "DemoFile", "build_demo", "generate_demo_files"]

DEFAULT_AS_OF = date(2026, 10, 31)


@dataclass(frozen=True)
class DemoFile:
    stem: str  # file name without the month suffix and extension
    extension: str
    profile: str | None  # mapping profile (pipelines/mappings/<profile>.toml); None: matcher
    kind: str
    association: str | None = None  # key in territory.BY_KEY

    def name(self, as_of: date) -> str:
        return f"{self.stem}_{as_of:%Y-%m}.{self.extension}"


# In ingestion order: referential, fiches, association exports, honorabilité.
FILES = [
    DemoFile("01_referentiel_associations", "xlsx", "referentiel_associations", "associations"),
    DemoFile("02_fiches_candidature_cd", "xlsx", "fiches_cd", "fiche_cd"),
    DemoFile("03_export_envol_mentorat_nord", "csv", "envol_csv", "association", "envol"),
    DemoFile("04_export_les_ailes_du_possible", "xlsx", "ailes_xlsx", "association", "ailes"),
    DemoFile("05_export_tremplin_avenir_59", "xlsx", None, "association", "tremplin"),
    DemoFile("06_export_la_boussole_mentorat", "xlsx", None, "association", "boussole"),
    DemoFile("07_suivi_honorabilite", "xlsx", "suivi_honorabilite", "honorabilite"),
]


def write_files(data: DemoData, out_dir: Path) -> list[Path]:
    """Write every file of `data` into `out_dir`; returns the paths in ingestion order."""
    out_dir.mkdir(parents=True, exist_ok=True)
    as_of = data.as_of
    stamp = datetime(as_of.year, as_of.month, as_of.day, 18, 0, 0)
    paths = []
    for spec in FILES:
        path = out_dir / spec.name(as_of)
        if spec.kind == "associations":
            header, rows = referentiel_table(data)
            write_xlsx(path, "Associations", header, rows, stamp=stamp, creator="CD Nord")
        elif spec.kind == "fiche_cd":
            header, rows = fiches_table(data)
            write_xlsx(path, "Fiches candidature", header, rows, stamp=stamp, creator="CD Nord")
        elif spec.kind == "honorabilite":
            header, rows = honorabilite_table(data)
            write_xlsx(path, "Suivi B2-FIJAIS", header, rows, stamp=stamp, creator="CD Nord")
        else:
            header, rows = association_table(data, spec.association)
            nom = BY_KEY[spec.association].nom
            if spec.association == "envol":
                write_excel_csv(path, header, rows)
            elif spec.association == "ailes":
                titles = [f"Association {nom}", f"Export du {as_of:%d/%m/%Y}", ""]
                write_xlsx(
                    path, "Jeunes", header, rows, stamp=stamp, title_rows=titles, creator=nom
                )
            elif spec.association == "tremplin":
                write_xlsx(path, "EXPORT", header, rows, stamp=stamp, dates="serial", creator=nom)
            else:
                write_grouped_xlsx(
                    path,
                    BOUSSOLE_README,
                    "Binômes",
                    BOUSSOLE_GROUPS,
                    header,
                    rows,
                    stamp=stamp,
                    creator=nom,
                )
        paths.append(path)
    return paths


def generate_demo_files(
    out_dir: Path,
    *,
    seed: int = 2025,
    n_parcours: int = 1500,
    as_of: date = DEFAULT_AS_OF,
) -> list[Path]:
    """Write the demo département's input files; returns them in ingestion order."""
    data = build_demo(seed=seed, n_parcours=n_parcours, as_of=as_of)
    return write_files(data, Path(out_dir))
