"""The reference parts of the docs, written from the code: `make docs` (`python -m
commands.reference`).

Between each pair of markers in README.md goes either the table of settings, from the
registry (settings/), or the reference of some commands, from the parser the command line
itself uses (commands/cli.py: usage line, description, and each argument or option with its
help). tests/test_docs.py fails when README.md differs from what this writes, so a setting
or an option cannot change without the README saying so, and nobody keeps those tables true
by hand. Everything else in the README (the JSON shape of `ingest --json`, exit codes…) is
prose written around the blocks.

Blocks: `réglages` (the settings a deployment may set), `réglages des tests` (the test-only
ones), `commande NAME …` / `commandes NAME …` (those commands, in that order). Each setting
table and each command must be written exactly once. docs/architecture.md has one block,
`couches`: the layers of the first import-linter contract of pyproject.toml, drawn top down.
"""

from __future__ import annotations

import argparse
import copy
import functools
import re
import sys
import tomllib
from collections.abc import Iterable
from pathlib import Path

import settings
from commands.cli import parser as command_line
from commands.french_help import FrenchHelpFormatter

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
ARCHITECTURE = ROOT / "docs" / "architecture.md"
PYPROJECT = ROOT / "pyproject.toml"
OPEN, CLOSE = "<!-- généré par make docs : {what} -->", "<!-- fin du bloc généré -->"
BLOCK = re.compile(
    r"<!-- généré par make docs : (?P<what>[^>\n]*?) -->\n.*?<!-- fin du bloc généré -->",
    re.DOTALL,
)
SETTINGS_BLOCKS = {"réglages": False, "réglages des tests": True}  # block: test-only records
WIDTH = 100  # usage lines wrapped as in a terminal this wide, whatever the machine
HEADING = "####"


class BlockError(Exception):
    """README.md's markers do not match the code (a block unknown, missing or repeated)."""


def _cell(text: str) -> str:
    """Plain text (a help, a description) as Markdown on one line: pipes, angle brackets and
    stars kept as text."""
    for char in "\\|<>*":
        text = text.replace(char, "\\" + char)
    return " ".join(text.split())


def _number(n: int) -> str:
    return f"{n:,}".replace(",", " ")


# --- settings -------------------------------------------------------------------------------


def _role(setting: settings.Setting) -> str:
    """The help text, then what a whole number accepts."""
    role = setting.help
    if setting.kind is settings.Kind.INTEGER:
        if setting.maximum is None:
            role += f" ; nombre entier, au moins {_number(setting.minimum)}"
        else:
            role += f" ; nombre entier de {_number(setting.minimum)} à {_number(setting.maximum)}"
    return role.replace("|", "\\|")


def _default(setting: settings.Setting) -> str:
    """What holds when the variable is unset: its key in secrets.toml, the default said in
    French, the number, or nothing."""
    if setting.secrets_key:
        return f"`{setting.secrets_key}` de `[pilotage]` dans `.streamlit/secrets.toml`"
    if setting.shown_default:
        return setting.shown_default
    if setting.kind is settings.Kind.INTEGER:
        return f"`{setting.default}`"
    return "—"


def settings_table(records: Iterable[settings.Setting]) -> str:
    """| variable | rôle | défaut | — one row per setting, in the registry's order."""
    rows = [f"| `{s.env}` | {_role(s)} | {_default(s)} |" for s in records]
    return "\n".join(["| variable | rôle | défaut |", "|---|---|---|", *rows]) + "\n"


# --- commands -------------------------------------------------------------------------------


def _usage(parser: argparse.ArgumentParser) -> str:
    """The usage line of `--help` (French), wrapped at WIDTH columns."""
    fixed = copy.copy(parser)
    fixed.formatter_class = functools.partial(FrenchHelpFormatter, width=WIDTH)
    return fixed.format_usage().strip()


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _options(parser: argparse.ArgumentParser) -> list[str]:
    """| argument ou option | rôle | — every argument but -h and the sub-command."""
    formatter = argparse.HelpFormatter(parser.prog)
    rows = [
        f"| `{formatter._format_action_invocation(action)}` | "
        f"{_cell(formatter._expand_help(action))} |"
        for action in parser._actions
        if action.help not in (None, argparse.SUPPRESS)
        and not isinstance(action, argparse._HelpAction | argparse._SubParsersAction)
    ]
    return ["| argument ou option | rôle |", "|---|---|", *rows, ""] if rows else []


def _command(parser: argparse.ArgumentParser, titled: bool) -> list[str]:
    """One command (or action of a command): title, description, usage, options; then its
    actions, each titled."""
    lines = [f"{HEADING} `{parser.prog}`", ""] if titled else []
    if parser.description:
        lines += [_cell(parser.description), ""]
    lines += ["```text", _usage(parser), "```", ""]
    lines += _options(parser)
    for action in _subcommands(parser).values():
        lines += _command(action, titled=True)
    return lines


def commands_reference(names: list[str], top: argparse.ArgumentParser) -> str:
    """The reference of the commands `names`, in that order (each titled when there are
    several)."""
    commands = _subcommands(top)
    unknown = [name for name in names if name not in commands]
    if unknown:
        raise BlockError(f"README.md : commande inconnue de pilotage : {', '.join(unknown)}")
    lines = [line for name in names for line in _command(commands[name], len(names) > 1)]
    return "\n".join(lines).rstrip("\n") + "\n"


# --- the layers ----------------------------------------------------------------------------


def layers_picture(pyproject: str) -> str:
    """The layers contract of `pyproject` (its text) drawn top down: one line a layer, the
    independent packages of a layer side by side."""
    contracts = tomllib.loads(pyproject)["tool"]["importlinter"]["contracts"]
    layers = next(c["layers"] for c in contracts if c["type"] == "layers")
    lines = []
    for layer in layers:
        if lines:
            lines.append("    ↓")
        lines.append("  |  ".join(f"{name.strip()}/" for name in layer.split("|")))
    return "\n".join(["```text", *lines, "```"]) + "\n"


def rewrite_architecture(text: str, pyproject: str) -> str:
    """docs/architecture.md with its `couches` block drawn anew from `pyproject`."""
    blocks = [m["what"] for m in BLOCK.finditer(text)]
    if blocks != ["couches"]:
        raise BlockError("docs/architecture.md : il faut un seul bloc généré, « couches ».")
    return BLOCK.sub(
        lambda m: f"{OPEN.format(what='couches')}\n\n{layers_picture(pyproject)}\n{CLOSE}", text
    )


# --- the README -----------------------------------------------------------------------------


def _documents(what: str) -> list[str]:
    """What the block `what` writes: one of SETTINGS_BLOCKS, or command names."""
    if what in SETTINGS_BLOCKS:
        return [what]
    kind, _, names = what.partition(" ")
    if kind in ("commande", "commandes") and names.split():
        return names.split()
    raise BlockError(f"README.md : bloc généré inconnu « {what} ».")


def _block(what: str, records: tuple[settings.Setting, ...], top) -> str:
    if what in SETTINGS_BLOCKS:
        return settings_table(s for s in records if s.test_only == SETTINGS_BLOCKS[what])
    return commands_reference(_documents(what), top)


def rewrite(
    readme: str,
    records: tuple[settings.Setting, ...] = settings.SETTINGS,
    top: argparse.ArgumentParser | None = None,
) -> str:
    """`readme` with every generated block written anew from `records` and the parser
    `top` (default: the registry and `pilotage`'s own parser). Every settings table and
    every command must have exactly one block."""
    top = command_line() if top is None else top
    documented = [name for m in BLOCK.finditer(readme) for name in _documents(m["what"])]
    missing = [n for n in [*SETTINGS_BLOCKS, *_subcommands(top)] if n not in documented]
    repeated = sorted({name for name in documented if documented.count(name) > 1})
    if missing or repeated:
        raise BlockError(
            f"README.md : blocs générés manquants ({', '.join(missing) or 'aucun'}) ou en "
            f"double ({', '.join(repeated) or 'aucun'})."
        )
    return BLOCK.sub(
        lambda m: f"{OPEN.format(what=m['what'])}\n\n{_block(m['what'], records, top)}\n{CLOSE}",
        readme,
    )


def main() -> int:
    pyproject = PYPROJECT.read_text(encoding="utf-8")
    for path, write in (
        (README, rewrite),
        (ARCHITECTURE, lambda text: rewrite_architecture(text, pyproject)),
    ):
        text = path.read_text(encoding="utf-8")
        new = write(text)
        if new != text:
            path.write_text(new, encoding="utf-8")
            print(f"{path.relative_to(ROOT)} mis à jour.")
        else:
            print(f"{path.relative_to(ROOT)} déjà à jour.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
