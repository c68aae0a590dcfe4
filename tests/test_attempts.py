"""Which unfinished imports are interrupted: only those whose process is known to be gone,
never one still running (another process's, waiting for the write lock)."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys

from store import attempts

NOW = dt.datetime(2026, 12, 6, 10, 0, tzinfo=dt.UTC)
HOST = socket.gethostname()


def test_this_process_and_a_live_one_are_not_gone():
    assert not attempts._gone(attempts.this_process(), NOW, NOW)
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        ticks = attempts._start_ticks(child.pid)
        assert ticks is not None
        assert not attempts._gone(f"{HOST}:{child.pid}:{ticks}", NOW, NOW)
        # The same number, another start: the number was reused, the import's process died.
        assert attempts._gone(f"{HOST}:{child.pid}:{int(ticks) - 1}", NOW, NOW)
    finally:
        child.kill()
        child.wait()
    assert attempts._gone(f"{HOST}:{child.pid}:{ticks}", NOW, NOW)  # killed: gone


def test_another_machines_attempt_is_gone_only_once_stale():
    recent = NOW - dt.timedelta(minutes=5)
    old = NOW - attempts.STALE_AFTER - dt.timedelta(minutes=1)
    assert not attempts._gone("autre-serveur:123:456", recent, NOW)
    assert attempts._gone("autre-serveur:123:456", old, NOW)


def test_the_process_identity_names_host_number_and_start():
    host, pid, ticks = attempts.this_process().split(":")
    assert host == HOST and int(pid) == os.getpid() and ticks.isdigit()
