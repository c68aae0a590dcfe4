"""`comite --du --au`: the comité de pilotage pack (PowerPoint deck, Excel workbook), frozen
or not; `comite --fige N`: a frozen pack again, with its numbers of the day it was frozen."""

from __future__ import annotations

import argparse
from pathlib import Path

from commands.common import CommandError, checked_period, read_file

NAME = "comite"
HELP = "pack du comité de pilotage (diaporama PowerPoint, classeur Excel), figé ou non"
DESCRIPTION = (
    "le pack du comité de pilotage (voir la page « Comité de pilotage ») : diaporama et "
    "classeur de la période, comparée à la période précédente de même durée, à la même "
    "période un an plus tôt ou à deux dates, pour tout le Département, une association ou un "
    "territoire ; ou un pack figé, réécrit avec ses chiffres d'alors. Chaque fichier écrit est "
    "inscrit au journal d'audit."
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--du", metavar="AAAA-MM-JJ", help="début de période")
    p.add_argument(
        "--au",
        metavar="AAAA-MM-JJ",
        help="fin de période et date d'arrêté des données",
    )
    p.add_argument(
        "--comparer-a",
        nargs=2,
        metavar=("DU", "AU"),
        help="période de comparaison, deux dates AAAA-MM-JJ (par défaut la période précédente "
        "de même durée)",
    )
    p.add_argument(
        "--annee-precedente",
        action="store_true",
        help="comparer à la même période un an plus tôt",
    )
    scope = p.add_mutually_exclusive_group()
    scope.add_argument("--association", metavar="NOM", help="pack d'une seule association")
    scope.add_argument("--territoire", metavar="NOM", help="pack d'un seul territoire")
    p.add_argument("--pptx", type=Path, metavar="FICHIER", help="écrire le diaporama ici")
    p.add_argument("--xlsx", type=Path, metavar="FICHIER", help="écrire le classeur ici")
    p.add_argument(
        "--modele",
        type=Path,
        metavar="FICHIER",
        help="diaporama modèle (.pptx) à la charte du Département",
    )
    p.add_argument(
        "--diffusion-partenaires",
        action="store_true",
        help="masquer les effectifs de 1 à 10 des tableaux de lieux (pack destiné à sortir du "
        "Département)",
    )
    p.add_argument(
        "--figer",
        metavar="LIBELLÉ",
        help="garder le pack sous ce libellé, puis écrire les fichiers du pack figé",
    )
    p.add_argument(
        "--fige",
        type=int,
        metavar="N",
        help="réécrire le pack figé n° N avec ses chiffres d'alors, sans recalcul",
    )
    p.add_argument("--liste", action="store_true", help="lister les packs figés")
    p.add_argument(
        "--supprimer",
        type=int,
        metavar="N",
        help="supprimer le pack figé n° N (inscrit au journal d'audit)",
    )
    p.add_argument(
        "--user",
        metavar="NOM",
        help="nom de la personne, inscrit au journal d'audit ; par défaut l'utilisateur du système",
    )


def _check(args: argparse.Namespace) -> None:
    if args.liste or args.supprimer is not None:
        return
    if args.fige is not None:
        if args.du or args.au or args.figer:
            raise CommandError("--fige reprend un pack déjà figé : sans --du, --au ni --figer.")
    elif args.du is None or args.au is None:
        raise CommandError("Indiquez la période : --du AAAA-MM-JJ --au AAAA-MM-JJ.")
    if args.comparer_a and args.annee_precedente:
        raise CommandError("Choisissez --comparer-a ou --annee-precedente, pas les deux.")
    if not (args.pptx or args.xlsx or args.figer):
        raise CommandError("Rien à faire : indiquez --pptx FICHIER, --xlsx FICHIER ou --figer.")


def run(args: argparse.Namespace) -> int:
    from indicators.dataset import Dataset
    from pipelines.api import ensure_database
    from reports import frozen
    from reports.pack import PackError, Scope, build_pack, map_picture
    from reports.render import RenderError, checked_template, deck_bytes, write_files
    from store import snapshot
    from store.audit import command_line_actor
    from store.db import make_engine

    _check(args)
    engine = make_engine()
    ensure_database(engine)
    if args.liste:
        packs = frozen.listing(engine)
        for item in packs:
            print(f"n° {item.id} : {item.title}")
        print(f"{len(packs)} pack(s) figé(s).")
        return 0
    actor = command_line_actor(args.user)
    if args.supprimer is not None:
        try:
            frozen.remove(engine, args.supprimer, actor)
        except frozen.FrozenError as exc:
            raise CommandError(str(exc)) from None
        print(f"✓ Pack figé n° {args.supprimer} supprimé.")
        return 0
    template = read_file(args.modele) if args.modele else None
    try:
        if template is not None:  # cleaned as on the web, and what was removed said
            template, removed = checked_template(template)
            for sentence in removed:
                print(f"Modèle : {sentence}.")
        if args.fige is not None:
            pack, picture = frozen.load(engine, args.fige)
        else:
            data = Dataset(**snapshot.load(engine).frames)
            # The period and the dates compared with: the web's check, its words.
            period = checked_period(args.du, args.au, data, engine)
            compared = args.comparer_a and checked_period(
                *args.comparer_a, data, engine, "--comparer-a"
            )
            scope = (
                Scope.named("association", args.association)
                if args.association
                else Scope.named("territoire", args.territoire)
                if args.territoire
                else Scope()
            )
            comparison = (
                "dates" if args.comparer_a else "annee" if args.annee_precedente else "precedente"
            )
            du, au = (compared.du, compared.au) if compared else (None, None)
            pack = build_pack(
                engine,
                data,
                period,
                comparison=comparison,
                compare_du=du,
                compare_au=au,
                scope=scope,
                hide_small=args.diffusion_partenaires,
                who=actor.utilisateur,
            )
            picture = map_picture(data, pack, scope)
            if template is not None:  # a template that cannot be used stops before freezing
                deck_bytes(pack, picture, template)
            if args.figer:
                number = frozen.freeze(
                    engine, pack, picture, args.figer, scope.key, scope.association, actor
                )
                pack, picture = frozen.load(engine, number)
                print(f"✓ Pack figé n° {number} « {pack.frozen_label} ».")
        for path in write_files(engine, actor, pack, picture, args.pptx, args.xlsx, template):
            print(f"✓ {path}")
    except (PackError, frozen.FrozenError, RenderError) as exc:
        raise CommandError(str(exc)) from None
    return 0
