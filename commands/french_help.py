"""argparse in French: the words argparse writes itself (« utilisation : », « options »,
« afficher cette aide et quitter », its error messages), so `pilotage --help` and the
command-line reference generated into the README read in French like the rest.

argparse looks those words up through gettext, by the module-level names `argparse._` and
`argparse.ngettext`. `FrenchParser` swaps them for the table below only while it builds,
parses or formats, and puts them back after: nothing else in the process (pytest's own
parser, for one) changes language. A word missing from the table stays English.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager

# argparse writes "title:" after a group's title: the titles end with the space French puts
# before a colon.
FRENCH = {
    "usage: ": "utilisation : ",
    "positional arguments": "arguments positionnels ",
    "options": "options ",
    "show this help message and exit": "afficher cette aide et quitter",
    "%(prog)s: error: %(message)s\n": "%(prog)s : erreur : %(message)s\n",
    "argument %(argument_name)s: %(message)s": "argument %(argument_name)s : %(message)s",
    "the following arguments are required: %s": "arguments obligatoires manquants : %s",
    "one of the arguments %s is required": "l'un des arguments %s est obligatoire",
    "unrecognized arguments: %s": "arguments non reconnus : %s",
    "not allowed with argument %s": "incompatible avec l'argument %s",
    "ignored explicit argument %r": "valeur %r ignorée",
    "expected one argument": "une valeur attendue",
    "expected at most one argument": "au plus une valeur attendue",
    "expected at least one argument": "au moins une valeur attendue",
    "ambiguous option: %(option)s could match %(matches)s": (
        "option ambiguë : %(option)s peut désigner %(matches)s"
    ),
    "unexpected option string: %s": "option inattendue : %s",
    "invalid %(type)s value: %(value)r": "valeur invalide (%(type)s) : %(value)r",
    "invalid choice: %(value)r (choose from %(choices)s)": (
        "choix invalide : %(value)r (possibles : %(choices)s)"
    ),
    "unknown parser %(parser_name)r (choices: %(choices)s)": (
        "commande inconnue %(parser_name)r (possibles : %(choices)s)"
    ),
    "can't open '%(filename)s': %(error)s": "impossible d'ouvrir « %(filename)s » : %(error)s",
}
PLURALS = {"expected %s argument": ("%s valeur attendue", "%s valeurs attendues")}


def _translate(text: str) -> str:
    return FRENCH.get(text, text)


def _translate_plural(singular: str, plural: str, n: int) -> str:
    if singular in PLURALS:
        one, many = PLURALS[singular]
        return one if n == 1 else many
    return singular if n == 1 else plural


@contextmanager
def french() -> Iterator[None]:
    """argparse speaks French inside the block (nested blocks are fine)."""
    saved = argparse._, argparse.ngettext
    argparse._, argparse.ngettext = _translate, _translate_plural
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved


NBSP = "\u00a0"
_GLUED = {" :": NBSP + ":", " ;": NBSP + ";", " »": NBSP + "»", "« ": "«" + NBSP}


def _glued(text: str) -> str:
    """The spaces French puts before « : ; » and after « made unbreakable, so that a
    wrapped line never starts with a colon."""
    for space, glued in _GLUED.items():
        text = text.replace(space, glued)
    return text


class FrenchHelpFormatter(argparse.HelpFormatter):
    """Wraps help texts without starting a line with « : », « ; » or « » »."""

    def _split_lines(self, text, width):
        return super()._split_lines(_glued(text), width)

    def _fill_text(self, text, width, indent):
        return super()._fill_text(_glued(text), width, indent)


class FrenchParser(argparse.ArgumentParser):
    """An ArgumentParser whose own words are French and whose help wraps as French is
    written; its sub-commands are FrenchParsers too (argparse makes them of the parent's
    class)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", FrenchHelpFormatter)
        with french():  # the -h help text and the group titles are written here
            super().__init__(*args, **kwargs)

    def parse_args(self, args=None, namespace=None):
        with french():  # "unrecognized arguments" is written here
            return super().parse_args(args, namespace)

    def parse_known_args(self, args=None, namespace=None):
        with french():
            return super().parse_known_args(args, namespace)

    def format_usage(self) -> str:
        with french():
            return super().format_usage()

    def format_help(self) -> str:
        with french():
            return super().format_help()

    def error(self, message: str):
        with french():
            super().error(message)
