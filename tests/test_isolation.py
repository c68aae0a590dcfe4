"""An upload read in a child process: a file that exhausts memory, aborts the reader or runs
too long gets a French message, and the process that asked (the web server) lives on."""

from __future__ import annotations

import os
import time

import pytest

from pipelines.api import _read as read_known
from pipelines.errors import IngestError
from pipelines.isolation import isolated
from tests.helpers import csv_bytes

HEADER = ["N° dossier", "Nom", "Prénom", "Date de naissance", "Date d'inscription"]


def _greedy() -> bytes:
    return bytearray(8 << 30)  # 8 GiB: over the child's limit


def _aborting() -> None:
    os.abort()  # as a reader's native code does on a failed allocation


def _slow() -> None:
    time.sleep(30)


def _refusing() -> None:
    raise IngestError("Le fichier est vide.")


def test_a_normal_file_is_read_the_same_in_the_child():
    data = csv_bytes([HEADER, ["A1", "Dupont", "Marie", "05/03/2009", "10/01/2025"]])
    inside = read_known(data, "x.csv", frozenset())
    outside = isolated(read_known, data, "x.csv", frozenset(), filename="x.csv")
    assert outside.header == inside.header
    assert outside.frame.equals(inside.frame)


@pytest.mark.parametrize(
    ("function", "words"),
    [
        (_greedy, "demande trop de mémoire"),
        (_aborting, "demande trop de mémoire"),
        (_refusing, "Le fichier est vide."),
    ],
)
def test_a_failing_child_is_one_french_message(function, words):
    with pytest.raises(IngestError, match=words):
        isolated(function, filename="bombe.xlsx")
    data = csv_bytes([HEADER, ["A1", "Dupont", "Marie", "05/03/2009", "10/01/2025"]])
    assert isolated(read_known, data, "x.csv", frozenset(), filename="x").header == HEADER


def test_a_child_that_runs_too_long_is_stopped():
    started = time.monotonic()
    with pytest.raises(IngestError, match="a dépassé"):
        isolated(_slow, filename="lent.xlsx", seconds=1)
    assert time.monotonic() - started < 15
