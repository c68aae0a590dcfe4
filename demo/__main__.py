"""`python -m demo OUT_DIR [--seed N] [--parcours N] [--au AAAA-MM-JJ]`."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from demo import DEFAULT_AS_OF, build_demo, write_files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m demo",
        description="Génère les fichiers d'entrée du département de démonstration (Nord).",
    )
    parser.add_argument("out_dir", type=Path, help="dossier où écrire les fichiers")
    parser.add_argument("--seed", type=int, default=2025, help="graine (défaut : 2025)")
    parser.add_argument("--parcours", type=int, default=1500, help="nombre de parcours")
    parser.add_argument(
        "--au", type=date.fromisoformat, default=DEFAULT_AS_OF, help="date d'arrêté (AAAA-MM-JJ)"
    )
    args = parser.parse_args(argv)
    data = build_demo(seed=args.seed, n_parcours=args.parcours, as_of=args.au)
    for path in write_files(data, args.out_dir):
        print(path)
    print(f"{len(data.defects)} défauts plantés :")
    for d in data.defects:
        print(f"  {d.kind} — {d.association} {d.id_source} : {d.detail}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
