"""An upload read in a child process with a memory and a time limit, so that no file can end
the web server or freeze the other visitors' sessions.

The caps of pipelines.bounds refuse the known hostile shapes before a reader allocates
anything; this is the second line, for the shapes nobody has thought of yet (a reader's own
bug, a format's corner). The child is a fresh interpreter (`python -m pipelines.isolation`):
nothing of the server's threads or state is copied into it, and it limits its own address
space before it reads. When it dies (out of memory, aborted by the reader's native code,
killed) or runs too long, the user gets one French message and nothing is written.
"""

from __future__ import annotations

import importlib
import pickle
import resource
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from pipelines.errors import IngestError

MEMORY_LIMIT = 3 << 30  # address space of the child, in bytes (readers and pandas included)
TIMEOUT_SECONDS = 180
ROOT = Path(__file__).resolve().parent.parent


def msg_memory(filename: str) -> str:
    return (
        f"Le fichier « {filename} » demande trop de mémoire pour être lu "
        f"(plus de {MEMORY_LIMIT >> 30} Go) : supprimez les feuilles, lignes et colonnes "
        "inutiles, ou découpez-le. Rien n'a été écrit."
    )


def msg_too_long(filename: str) -> str:
    return (
        f"La lecture de « {filename} » a dépassé {TIMEOUT_SECONDS // 60} minutes : le fichier "
        "est trop gros ou mal formé. Enregistrez-le de nouveau depuis Excel ou découpez-le. "
        "Rien n'a été écrit."
    )


def isolated(
    function: Callable,
    *args,
    filename: str,
    memory: int = MEMORY_LIMIT,
    seconds: float = TIMEOUT_SECONDS,
):
    """`function(*args)` in a child interpreter (a module-level function, picklable arguments
    and result); IngestError with a French message when the child fails, dies or overruns."""
    payload = pickle.dumps((sys.path, function.__module__, function.__qualname__, args))
    try:
        done = subprocess.run(
            [sys.executable, "-m", "pipelines.isolation", str(memory)],
            input=payload,
            capture_output=True,
            timeout=seconds,
            cwd=ROOT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise IngestError(msg_too_long(filename)) from None
    if done.returncode != 0 or not done.stdout:
        raise IngestError(msg_memory(filename))
    status, value = pickle.loads(done.stdout)  # our own child's answer
    if status == "ok":
        return value
    if status == "refus":
        raise IngestError(value)
    if status == "memoire":
        raise IngestError(msg_memory(filename))
    raise IngestError(
        f"Lecture impossible de « {filename} » (erreur {value}) : rien n'a été écrit. "
        "Signalez-la à l'équipe technique."
    )


def _child(memory: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    path, module, name, args = pickle.loads(sys.stdin.buffer.read())
    sys.path[:0] = [p for p in path if p not in sys.path]  # the modules the parent sees
    try:
        function = getattr(importlib.import_module(module), name)
        answer = ("ok", function(*args))
    except IngestError as exc:
        answer = ("refus", exc.message)
    except MemoryError:
        answer = ("memoire", None)
    except Exception as exc:  # reported by name only: a message could quote a cell
        answer = ("inattendu", type(exc).__name__)
    sys.stdout.buffer.write(pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL))
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    _child(int(sys.argv[1]))
