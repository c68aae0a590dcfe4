"""Named points where the reliability suite kills the process.

`point("lot")` does nothing unless the test-only setting `settings.KILL_AT` names that
point: then the process is killed at once (SIGKILL: no `finally`, no rollback, no flush), as
an out-of-memory killer, a power cut of the container or `kill -9` would. The tests
(`tests/test_killed_import.py`) kill an import at each point and check that the database
holds either everything the import writes or nothing of it, and that running the import
again gives the dataset of an import never interrupted.

Points, in the order an import passes them: `lecture` (file read and checked, nothing
written), `verrou` (write lock held), `lot` (import row written), `enregistrements` (rows
written, parcours not yet rebuilt), `parcours` (parcours rebuilt), `journal` (audit entry
written, not committed), `validation` (committed); an undo: `annulation` (rows restored,
not committed).
"""

from __future__ import annotations

import os
import signal

import settings

POINTS = (
    "lecture",
    "verrou",
    "lot",
    "enregistrements",
    "parcours",
    "journal",
    "validation",
    "annulation",
)


def point(name: str) -> None:
    if settings.KILL_AT.value() == name:
        os.kill(os.getpid(), signal.SIGKILL)
