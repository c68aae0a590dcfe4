"""Concurrent sessions benchmark (`make bench`): many people opening the dashboard at once.

The demo database (≈ 1,500 parcours, open without sign-in on this machine, bench/out/demo.db
as bench/pages.py builds it) served as `make run` serves it (`python -m dashboard.server`),
then N sessions (20 by default) opened at the same moment by N websocket clients speaking
Streamlit's own protocol (what the browser's page does: connect to /_stcore/stream, ask for
a run of the home page, read the deltas): for each, seconds from the connection to the first
figure sent (the first `st.metric` of the Synthèse), and the sessions that failed (an
exception shown, no figure within the time allowed, connection closed).

Beside it, measured the same way in the same run: the floor, a one-figure Streamlit page
(bench/pages.py's FLOOR_APP) served by a bare `streamlit run`, opened by as many sessions at
once; and one session alone on each server.

The clients are in this process (asyncio, one connection each): they parse protobuf
messages and do no drawing, so they measure the server, not a browser
(bench/pages.py measures a visit in Chromium).

Targets (2 cores): with 20 concurrent sessions, the first figure at p95 under 3 s, and no
error. A measurement, not a test: exit code 0.

    python -m bench.sessions [--sessions 20] [--rondes 2]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time

import settings
from bench.pages import FLOOR_APP, KEY, OUT, ROOT, _fr, _load, _server

P95_TARGET = 3.0
TIMEOUT = 60.0


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered) + 0.5) - 1)]


async def first_figure(base: str) -> float:
    """Seconds from opening a new session on `base` to its first `st.metric` received;
    raises on an error shown by the page, a closed connection or a timeout."""
    import websockets
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    url = base.replace("http://", "ws://") + "/_stcore/stream"
    start = time.monotonic()
    async with websockets.connect(
        url, subprotocols=["streamlit"], max_size=None, open_timeout=TIMEOUT
    ) as socket:
        back = BackMsg()
        back.rerun_script.query_string = ""
        back.rerun_script.page_script_hash = ""
        await socket.send(back.SerializeToString())
        deadline = start + TIMEOUT
        while True:
            data = await asyncio.wait_for(socket.recv(), max(0.1, deadline - time.monotonic()))
            message = ForwardMsg()
            message.ParseFromString(data)
            kind = message.WhichOneof("type")
            if kind == "delta" and message.delta.WhichOneof("type") == "new_element":
                element = message.delta.new_element.WhichOneof("type")
                if element == "metric":
                    return time.monotonic() - start
                if element == "exception":
                    raise RuntimeError(message.delta.new_element.exception.message)
            if kind == "script_finished":
                raise RuntimeError("page finished without a figure")


async def _together(base: str, sessions: int) -> tuple[list[float], list[str]]:
    results = await asyncio.gather(
        *(first_figure(base) for _ in range(sessions)), return_exceptions=True
    )
    times = [r for r in results if isinstance(r, float)]
    errors = [f"{type(r).__name__}: {r}" for r in results if not isinstance(r, float)]
    return times, errors


def measure(base: str, sessions: int, rounds: int) -> dict:
    """One session alone (after a first one that warms the server up), then `rounds` rounds
    of `sessions` sessions opened at once."""
    asyncio.run(first_figure(base))  # the server's first session (its caches fill)
    alone = [asyncio.run(first_figure(base)) for _ in range(3)]
    times: list[float] = []
    errors: list[str] = []
    for _ in range(rounds):
        round_times, round_errors = asyncio.run(_together(base, sessions))
        times += round_times
        errors += round_errors
    return {"alone": statistics.median(alone), "times": times, "errors": errors}


def _demo_database():
    demo = OUT / "demo.db"
    if not demo.exists():
        from demo.database import build_demo_database
        from store.db import make_engine

        OUT.mkdir(parents=True, exist_ok=True)
        build_demo_database(make_engine(f"sqlite:///{demo}"), OUT / "fichiers-demo", KEY.encode())
    return demo


def main() -> None:
    parser = argparse.ArgumentParser(description="Banc d'essai des sessions simultanées.")
    parser.add_argument("--sessions", type=int, default=20, help="sessions ouvertes ensemble")
    parser.add_argument("--rondes", type=int, default=2, help="rondes de sessions simultanées")
    args = parser.parse_args()
    load_at_start = _load()
    demo = _demo_database()
    floor = OUT / "plancher.py"
    floor.write_text(FLOOR_APP, encoding="utf-8")
    env = os.environ | {settings.DB_URL.env: f"sqlite:///{demo}", settings.SECRET_KEY.env: KEY}
    env.pop(settings.SNAPSHOT_DIR.env, None)
    servers = {
        "démonstration (Synthèse)": [sys.executable, "-m", "dashboard.server"],
        "plancher (un chiffre)": [sys.executable, "-m", "streamlit", "run", str(floor)],
    }
    results = {}
    for name, command in servers.items():
        with _server(command, env) as base:
            results[name] = measure(base, args.sessions, args.rondes)
    print(
        f"Banc d'essai des sessions simultanées — {args.sessions} sessions ouvertes ensemble, "
        f"{args.rondes} rondes ; secondes jusqu'au premier chiffre reçu"
    )
    print(f"{'serveur':<28}{'seule':>8}{'médiane':>9}{'p95':>8}{'erreurs':>9}")
    for name, result in results.items():
        times = result["times"] or [float("nan")]
        print(
            f"{name:<28}{_fr(result['alone']):>8}{_fr(statistics.median(times)):>9}"
            f"{_fr(_p95(times)):>8}{len(result['errors']):>9}"
        )
    demo_result, floor_result = results.values()
    times = demo_result["times"] or [float("inf")]
    p95, errors = _p95(times), len(demo_result["errors"])
    ratio = statistics.median(times) / statistics.median(floor_result["times"] or [float("nan")])
    print(
        f"Objectifs : p95 {_fr(p95)} s ({'✓' if p95 < P95_TARGET else '✗'} < 3 s) ; "
        f"{errors} erreur(s) ({'✓' if not errors else '✗'} aucune) ; médiane "
        f"{_fr(ratio)}× celle du plancher du même passage."
    )
    for error in sorted(set(demo_result["errors"]))[:5]:
        print(f"  erreur : {error[:200]}")
    print(f"Charge de la machine (load average) : {load_at_start} au début, {_load()} à la fin.")


if __name__ == "__main__":
    os.chdir(ROOT)
    main()
