"""The README stays true: its settings tables and its command-line reference are exactly what
`make docs` writes from the code (commands/reference.py), and every setting it names exists."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

import settings
from commands import reference
from commands.cli import parser

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
STALE = "README.md ou docs/architecture.md n'est plus à jour : lancez `make docs`."


def test_the_readme_is_what_make_docs_writes():
    assert reference.rewrite(README) == README, STALE


ARCHITECTURE = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
PYPROJECT = (ROOT / "pyproject.toml").read_text(encoding="utf-8")


def test_the_layer_picture_is_the_layers_contract():
    assert reference.rewrite_architecture(ARCHITECTURE, PYPROJECT) == ARCHITECTURE, STALE
    picture = ARCHITECTURE.split("```text\n", 1)[1].split("```", 1)[0].splitlines()
    assert picture[0] == "commands/  |  pages/" and picture[-1] == "domain/  |  settings/"
    # A layer moved in the contract moves in the picture, and the check fails.
    moved = PYPROJECT.replace(
        '"commands | pages", "dashboard", "demo",', '"commands | pages", "demo", "dashboard",'
    )
    assert moved != PYPROJECT
    drawn = reference.rewrite_architecture(ARCHITECTURE, moved)
    assert "demo/\n    ↓\ndashboard/" in drawn and drawn != ARCHITECTURE


def test_a_changed_help_text_is_caught():
    """A record's help changed in the code and not in the README: the check fails, and the
    generated table carries the new text in the row of that setting alone."""
    changed = dataclasses.replace(settings.STUCK_DAYS, help="un tout autre texte d'aide")
    records = tuple(changed if s is settings.STUCK_DAYS else s for s in settings.SETTINGS)
    written = reference.rewrite(README, records)
    assert written != README
    rows = [line for line in written.splitlines() if "un tout autre texte d'aide" in line]
    assert rows == [
        "| `PILOTAGE_JOURS_PARCOURS_BLOQUE` | un tout autre texte d'aide ; nombre entier, au "
        "moins 1 | `90` |"
    ]
    removed = set(README.splitlines()) - set(written.splitlines())
    assert [line.split(" | ")[0] for line in removed] == ["| `PILOTAGE_JOURS_PARCOURS_BLOQUE`"]


def test_changed_bounds_and_a_new_option_are_caught():
    tighter = dataclasses.replace(settings.SESSION_HOURS, maximum=12)
    records = tuple(tighter if s is settings.SESSION_HOURS else s for s in settings.SETTINGS)
    assert "nombre entier de 1 à 12 | `8` |" in reference.rewrite(README, records)
    top = parser()
    undo = reference._subcommands(top)["undo"]
    undo.add_argument("--motif", metavar="TEXTE", help="pourquoi l'import est annulé")
    written = reference.rewrite(README, top=top)
    assert written != README
    assert "| `--motif TEXTE` | pourquoi l'import est annulé |" in written
    assert "utilisation : pilotage undo [-h] [--user NOM] [--motif TEXTE] IMPORT_ID" in written


def test_the_reference_is_french_and_complete():
    block = README.split("<!-- généré par make docs : commande ingest -->")[1]
    block = block.split("<!-- fin du bloc généré -->")[0]
    assert "```text\nutilisation : pilotage ingest [-h]" in block
    assert "| `--dry-run` | essai : tout est fait" in block
    for english in ("usage:", "options:", "show this help", "positional arguments"):
        assert english not in README
    for name in reference._subcommands(parser()):
        assert f"#### `pilotage {name}`" in README or f"commande {name} -->" in README, name


def test_a_block_missing_unknown_or_repeated_is_refused():
    without_users = re.sub(
        r"<!-- généré par make docs : commande users -->.*?<!-- fin du bloc généré -->",
        "",
        README,
        flags=re.DOTALL,
    )
    with pytest.raises(reference.BlockError, match=r"manquants \(users\)"):
        reference.rewrite(without_users)
    twice = README + "\n<!-- généré par make docs : réglages -->\n<!-- fin du bloc généré -->\n"
    with pytest.raises(reference.BlockError, match=r"en double \(réglages\)"):
        reference.rewrite(twice)
    unknown = README + "\n<!-- généré par make docs : recette -->\n<!-- fin du bloc généré -->\n"
    with pytest.raises(reference.BlockError, match="bloc généré inconnu « recette »"):
        reference.rewrite(unknown)


def test_every_setting_named_in_the_docs_exists():
    """Prose outside the generated tables names settings by hand: each must be registered."""
    texts = [README, *(p.read_text(encoding="utf-8") for p in (ROOT / "docs").glob("*.md"))]
    named = {name for text in texts for name in re.findall(r"PILOTAGE_[A-Z_]*[A-Z]", text)}
    assert named, "no setting found: the scan is broken"
    unknown = sorted(n for n in named if n not in {s.env for s in settings.SETTINGS})
    assert not unknown, unknown


def test_quick_start_is_the_two_make_commands():
    block = README.split("## Démarrage rapide", 1)[1].split("```", 2)[1]
    commands = [line.split("#")[0].strip() for line in block.splitlines()[1:] if line.strip()]
    assert commands == ["make run", "make test"]
