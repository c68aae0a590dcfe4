"""Memory of the worst files the size cap accepts, and of files that must be refused
(`make bench`): each shape imported by the pipeline in its own process (peak memory is its
own), beside the bare reading of the same file in the same run (the baseline).

Shapes: an export at the cell cap (pipelines.bounds.MAX_CELLS) in csv and xlsx; a csv near
its size cap made of long text cells; then hostile files that must be refused cheaply: one
cell at XFD1048576 (a 5 KB xlsx), one at IV65536 (the last cell an xls can hold: the reader
builds that range before it can be checked), a two-million-row csv. Target: under 1.5 GiB
for any file.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import settings

ROOT = Path(__file__).resolve().parent.parent
BENCH_KEY = "cle-du-banc-d-essai-pas-un-secret-0123456789"
TARGET_MIB = 1536


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(mode: str, path: Path, db: Path) -> dict:
    start = time.perf_counter()
    if mode == "lecture":
        if path.suffix == ".csv":
            import csv

            with open(path, encoding="cp1252", newline="") as fh:
                rows = sum(1 for _ in csv.reader(fh, delimiter=";"))
        else:
            from python_calamine import CalamineWorkbook

            workbook = CalamineWorkbook.from_path(str(path))
            rows = len(workbook.get_sheet_by_index(0).to_python())
        return {"statut": "lu", "lignes": rows, "secondes": time.perf_counter() - start}
    from pipelines.api import ingest
    from store.db import init_db, make_engine

    engine = make_engine(f"sqlite:///{db}")
    init_db(engine)
    report = ingest(engine, path.read_bytes(), path.name, BENCH_KEY.encode(), association="B")
    engine.dispose()
    return {
        "statut": report.statut,
        "lignes": report.lignes_chargees,
        "secondes": time.perf_counter() - start,
        "message": (report.erreurs or [""])[0][:90],
    }


def _measure(mode: str, path: Path, workdir: Path) -> dict:
    db = workdir / "hostile.db"
    cmd = [sys.executable, "-m", "bench.hostile", "--enfant", mode, "--fichier", str(path)]
    cmd += ["--base", str(db)]
    env = {**os.environ, settings.SECRET_KEY.env: BENCH_KEY}
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    if done.returncode != 0:
        return {"statut": f"processus tué (code {done.returncode})", "memoire_mio": float("nan")}
    return json.loads(done.stdout.strip().splitlines()[-1])


def _shapes(workdir: Path) -> list[tuple[str, Path, bool]]:
    """(name, file, baseline wanted)."""
    import openpyxl

    from bench.export import HEADER, generate_rows, write_csv, write_xlsx
    from pipelines.bounds import MAX_CELLS

    full = MAX_CELLS // len(HEADER) - 10  # just under the cap
    rows = generate_rows(full)
    shapes = []
    path = workdir / "plein.csv"
    write_csv(rows, path)
    shapes.append((f"csv au plafond ({full} lignes × {len(HEADER)} colonnes)", path, True))
    path = workdir / "plein.xlsx"
    write_xlsx(rows, path)
    shapes.append((f"xlsx au plafond ({full} lignes × {len(HEADER)} colonnes)", path, True))
    del rows

    long_text = "Commentaire très long, " * 200  # about 4.6 KB a cell
    kept = [HEADER.index(h) for h in ("N° dossier", "Nom", "Prénom", "Né(e) le")]
    kept.append(HEADER.index("Date d'inscription"))
    lines = [";".join([*(HEADER[i] for i in kept), "Commentaire"])]
    for row in generate_rows(18_000):
        cells = [row[i] for i in kept]
        text = ";".join(f"{v:%d/%m/%Y}" if hasattr(v, "strftime") else str(v) for v in cells)
        lines.append(f"{text};{long_text}")
    path = workdir / "longues.csv"
    path.write_bytes("\r\n".join(lines).encode("cp1252", errors="replace"))
    size = path.stat().st_size / 2**20
    shapes.append((f"csv de cellules longues ({size:.0f} Mio)", path, True))

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(list(HEADER[:5]))
    ws["XFD1048576"] = 1
    buffer = io.BytesIO()
    wb.save(buffer)
    path = workdir / "bombe.xlsx"
    path.write_bytes(buffer.getvalue())
    shapes.append(
        (f"xlsx, une cellule en XFD1048576 ({len(buffer.getvalue()) // 1024} Ko)", path, False)
    )

    import xlwt  # requirements-dev.txt: the only writer of the old format

    book = xlwt.Workbook()
    sheet = book.add_sheet("Export")
    for column, value in enumerate(HEADER[:5]):
        sheet.write(0, column, value)
    sheet.write(65535, 255, 1)  # the format's last cell: xls cannot go further
    path = workdir / "bombe.xls"
    book.save(str(path))
    size = path.stat().st_size // 1024
    shapes.append((f"xls, une cellule en IV65536 ({size} Ko)", path, False))

    path = workdir / "deux_millions.csv"
    with open(path, "w", encoding="cp1252", newline="") as fh:
        fh.write(";".join(HEADER[:5]) + "\r\n")
        for i in range(2_000_000):
            fh.write(f"J{i};Dupont;Marie;05/03/2009;10/01/2025\r\n")
    size = path.stat().st_size / 2**20
    shapes.append((f"csv de deux millions de lignes ({size:.0f} Mio)", path, False))
    return shapes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Mémoire des pires fichiers acceptés.")
    parser.add_argument("--enfant", choices=["pipeline", "lecture"], help=argparse.SUPPRESS)
    parser.add_argument("--fichier", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--base", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.enfant:
        result = _child(args.enfant, args.fichier, args.base)
        result["memoire_mio"] = _peak_mib()
        print(json.dumps(result))
        return 0
    print("Banc d'essai des fichiers extrêmes (mémoire maximale par processus)")
    missed = 0
    with tempfile.TemporaryDirectory(prefix="bench-hostile-") as tmp:
        workdir = Path(tmp)
        shapes = _shapes(workdir)
        header = f"{'fichier':58} {'statut':10} {'secondes':>9} {'mém. (Mio)':>11}"
        header += f" {'lecture nue (Mio)':>18}"
        print(header)
        print("-" * len(header))
        for name, path, baseline in shapes:
            got = _measure("pipeline", path, workdir)
            base = _measure("lecture", path, workdir) if baseline else None
            memory = got.get("memoire_mio", float("nan"))
            ok = memory < TARGET_MIB
            missed += not ok
            base_text = f"{base['memoire_mio']:.0f}" if base else "—"
            print(
                f"{name:58} {got['statut']:10} {got.get('secondes', 0):9.1f} "
                f"{memory:11.0f} {base_text:>18}  {'✓' if ok else '✗'} < {TARGET_MIB} Mio"
            )
            if got.get("message"):
                print(f"{'':58} « {got['message']}… »")
    print(
        "\nTous les objectifs sont atteints." if not missed else f"\nObjectifs manqués : {missed}."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
