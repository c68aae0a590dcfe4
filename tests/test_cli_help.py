"""`pilotage --help` and argparse's own error messages in French, without changing the
language of any other parser in the process."""

from __future__ import annotations

import argparse

import pytest

from commands.cli import main, parser
from commands.french_help import NBSP


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")  # argparse wraps at the terminal's width


def test_help_is_french(capsys):
    with pytest.raises(SystemExit) as done:
        main(["undo", "--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("utilisation : pilotage undo [-h] [--user NOM] IMPORT_ID\n")
    assert "\narguments positionnels :\n  IMPORT_ID   numéro de l'import\n" in out
    assert "\noptions :\n  -h, --help  afficher cette aide et quitter\n" in out
    for english in ("usage", "positional", "show this help", "options:"):
        assert english not in out
    # French spaces before a colon or a semicolon never start a wrapped line.
    assert not [line for line in out.splitlines() if line.strip()[:1] in (":", ";")]
    assert f"d'honorabilité{NBSP}: les lignes" in out


@pytest.mark.parametrize(
    ("argv", "error"),
    [
        (
            ["indicators"],
            "pilotage indicators : erreur : arguments obligatoires manquants : --du, --au",
        ),
        ([], "pilotage : erreur : arguments obligatoires manquants : COMMANDE"),
        (
            ["ingest", "a.csv", "--kind", "fiche"],
            "pilotage ingest : erreur : argument --kind : choix invalide : 'fiche' (possibles : "
            "'association', 'fiche_cd', 'honorabilite', 'associations')",
        ),
        (
            ["undo", "douze"],
            "pilotage undo : erreur : argument IMPORT_ID : valeur invalide (int) : 'douze'",
        ),
        (["key", "--cree"], "pilotage : erreur : arguments non reconnus : --cree"),
        (
            ["comite", "--association", "A", "--territoire", "B"],
            "pilotage comite : erreur : argument --territoire : incompatible avec l'argument "
            "--association",
        ),
        (
            ["comite", "--comparer-a", "2026-01-01"],
            "pilotage comite : erreur : argument --comparer-a : 2 valeurs attendues",
        ),
    ],
)
def test_errors_are_french(capsys, argv, error):
    with pytest.raises(SystemExit) as done:
        main(argv)
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("utilisation : pilotage")
    assert err.splitlines()[-1] == error


def test_other_parsers_keep_their_language(capsys):
    parser().format_help()
    with pytest.raises(SystemExit):
        parser().parse_args(["indicators"])
    capsys.readouterr()
    plain = argparse.ArgumentParser(prog="autre")
    assert plain.format_usage() == "usage: autre [-h]\n"
    assert "show this help message and exit" in plain.format_help()
