"""The README stays true: every command-line option and setting is documented."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import settings
from commands.cli import parser

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def test_every_cli_command_and_option_is_in_the_readme():
    for name, sub in _subparsers(parser()).items():
        assert f"pilotage {name}" in README, name
        for action in sub._actions:
            for option in action.option_strings:
                if option.startswith("--") and option != "--help":
                    pattern = rf"(?<![\w-]){re.escape(option)}(?![\w-])"
                    assert re.search(pattern, README), (name, option)


def test_every_environment_setting_is_in_the_readme():
    for setting in settings.SETTINGS:
        shown = f"`{setting.env}=1" if setting is settings.CAPTURES else f"`{setting.env}`"
        assert shown in README, setting.env


def test_quick_start_is_the_two_make_commands():
    block = README.split("## Démarrage rapide", 1)[1].split("```", 2)[1]
    commands = [line.split("#")[0].strip() for line in block.splitlines()[1:] if line.strip()]
    assert commands == ["make run", "make test"]
