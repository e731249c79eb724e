"""Does a maximal guess stall the server? Health latency while one runs, and resolution time by length.

    python bench/stall.py [--rounds 5] [--chars 20000] [--interval 0.01] [--sizes 1000,10000,20000,100000]
    python bench/stall.py --url http://127.0.0.1:8000 --key nla_... [--chars N]

Starts ``nlactions serve`` (one uvicorn worker, fresh data dir, embedded SQLite) unless ``--url`` is
given, then ``--rounds`` times sends one guessing ``POST /api/v2/execute/?preview_only=true``
(FormatterAPI ``text``, the bug report's ``"Uppercase the text 'hello world' "`` repeated to
``--chars`` characters, by default the server's default ``NLACTIONS_MAX_INSTRUCTION_CHARS``) and,
on another connection, polls ``GET /api/v2/health/`` every ``--interval`` seconds until the guess
has answered. Prints health's latency p50/p99/max while guesses ran (and on the idle server, for
comparison) and each guess's own duration. The goal is health at most 100 ms.

Then, in this process, the offline resolution time (``LayeredResolver`` with the
``OfflineExtractor`` on the same action, best of ``--runs``) at each of ``--sizes`` characters,
with microseconds per character: flat figures mean the cost grows linearly with the text (the
sizes past the cap are resolved here directly; the server answers them 422).
``--pool`` also measures, in this process, the event loop's lag (a 5 ms sleep's overshoot) while
maximal extractions run in a worker thread (what the server does) and in a one-process pool (the
alternative), to show what the thread costs the loop. The last line is one JSON object with every
figure.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from _servers import create_key, free_port, nlactions_env, start_server, stop, wait_healthy
from nlactions.apps.formatter import app as formatter
from nlactions.catalog import Choice, NeedSpec
from nlactions.resolver.base import Extraction, ExtractionRequest, ResolutionRequest
from nlactions.resolver.engine import LayeredResolver
from nlactions.resolver.extract import OfflineExtractor
from nlactions.settings import Settings

UNIT = "Uppercase the text 'hello world' "
DEFAULT_CHARS = int(getattr(Settings.model_fields.get("max_instruction_chars"), "default", 20_000))
GOAL_MS = 100.0


def instructions(length: int) -> str:
    """The bug report's instructions cut to ``length`` characters."""
    return (UNIT * (length // len(UNIT) + 1))[:length]


def percentiles(samples: Sequence[float]) -> dict[str, float]:
    """p50, p99 and max of ``samples`` (seconds) in milliseconds."""
    ordered = sorted(samples)
    if not ordered:
        return {"p50_ms": float("nan"), "p99_ms": float("nan"), "max_ms": float("nan"), "n": 0}
    return {
        "p50_ms": round(ordered[len(ordered) // 2] * 1000, 1),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))] * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
        "n": len(ordered),
    }


async def poll_health(
    http: httpx.AsyncClient, until: asyncio.Future[Any] | None, interval: float, count: int
) -> list[float]:
    """Latencies of health polls: until ``until`` is done, or ``count`` of them when it is None."""
    latencies: list[float] = []
    while (until is None and len(latencies) < count) or (until is not None and not until.done()):
        began = time.perf_counter()
        response = await http.get("/api/v2/health/")
        latencies.append(time.perf_counter() - began)
        if response.status_code != 200:
            raise SystemExit(f"health answered {response.status_code}: {response.text[:200]}")
        await asyncio.sleep(interval)
    return latencies


async def measure_server(url: str, key: str, chars: int, rounds: int, interval: float) -> dict[str, Any]:
    """Health latency idle and during ``rounds`` maximal guesses, and the guesses' durations."""
    body = {"instructions": instructions(chars), "app": "FormatterAPI", "action": "text"}
    limits = httpx.Limits(max_connections=1)
    async with (
        httpx.AsyncClient(base_url=url, headers={"x-api-key": key}, timeout=600, limits=limits) as guesser,
        httpx.AsyncClient(base_url=url, timeout=600, limits=limits) as checker,
    ):
        idle = await poll_health(checker, None, interval, 50)
        during: list[float] = []
        guesses: list[float] = []
        statuses: list[str] = []
        for _ in range(rounds):
            began = time.perf_counter()
            guess = asyncio.ensure_future(guesser.post("/api/v2/execute/?preview_only=true", json=body))
            during += await poll_health(checker, guess, interval, 0)
            response = await guess
            guesses.append(time.perf_counter() - began)
            statuses.append(f"{response.status_code} {response.json().get('status', response.json().get('code'))}")
    return {
        "chars": chars,
        "health_idle": percentiles(idle),
        "health_during_guess": percentiles(during),
        "guess_ms": [round(g * 1000, 1) for g in guesses],
        "guess_statuses": sorted(set(statuses)),
    }


class StaticChoices:
    """A ChoiceSource over each need's static choices."""

    async def choices(self, need: NeedSpec, resolved: Mapping[str, Any]) -> Sequence[Choice]:
        """The need's static choices."""
        return need.choices or ()


async def resolution_times(sizes: Sequence[int], runs: int) -> list[dict[str, float]]:
    """Best-of-``runs`` offline resolution time of FormatterAPI ``text`` at each size."""
    action = formatter.action("text")
    assert action is not None
    resolver = LayeredResolver([OfflineExtractor()])
    now = dt.datetime(2025, 1, 15, 12, 0, tzinfo=dt.UTC)

    async def once(text: str) -> float:
        request = ResolutionRequest(instructions=text, needs=action.needs, params={}, choices=StaticChoices(), now=now)
        began = time.perf_counter()
        await resolver.resolve(request)
        return time.perf_counter() - began

    await once(instructions(1000))  # loads the embedding model and warms the caches
    out = []
    for size in sizes:
        # A different last character each run, so no cache keyed by the text answers for the finders.
        best = min([await once(instructions(size - 1) + str(i % 10)) for i in range(runs)])
        out.append({"chars": size, "ms": round(best * 1000, 1), "us_per_char": round(best / size * 1e6, 2)})
    return out


def _extraction(length: int, salt: int) -> ExtractionRequest:
    action = formatter.action("text")
    assert action is not None
    text = instructions(length - 1) + str(salt % 10)
    return ExtractionRequest(
        instructions=text, needs=action.needs, candidates={}, known={}, now=dt.datetime(2025, 1, 15)
    )


def _extract(request: ExtractionRequest) -> Extraction:
    return OfflineExtractor().extract_sync(request)


async def _lag(run: Callable[[ExtractionRequest], Awaitable[Extraction]], length: int, rounds: int) -> dict[str, Any]:
    lags: list[float] = []
    durations: list[float] = []
    for i in range(rounds):
        began = time.perf_counter()
        job = asyncio.ensure_future(run(_extraction(length, i)))
        while not job.done():
            slept = time.perf_counter()
            await asyncio.sleep(0.005)
            lags.append(time.perf_counter() - slept - 0.005)
        await job
        durations.append(time.perf_counter() - began)
    return {"loop_lag": percentiles(lags), "extraction_ms": round(statistics.median(durations) * 1000, 1)}


async def loop_lag(length: int, rounds: int) -> dict[str, Any]:
    """Event-loop lag while maximal extractions run in a worker thread, then in a one-process pool."""
    await asyncio.to_thread(_extract, _extraction(1000, 0))  # loads the embedding model here
    loop = asyncio.get_running_loop()
    thread = await _lag(lambda r: asyncio.to_thread(_extract, r), length, rounds)
    with ProcessPoolExecutor(1) as pool:
        await loop.run_in_executor(pool, _extract, _extraction(1000, 0))
        process = await _lag(lambda r: loop.run_in_executor(pool, _extract, r), length, rounds)
    return {"thread": thread, "process_pool": process}


def start_bench_server(workdir: Path) -> tuple[subprocess.Popen[bytes], str, str]:
    """``nlactions serve`` on a free port with a fresh data dir: the process, its URL and a key."""
    env = nlactions_env(workdir / "data", None)
    key, _account = create_key(env, workdir, "stall-bench")
    port = free_port()
    process = start_server(env, workdir, port, workdir / "nlactions.log")
    wait_healthy(port, process)
    return process, f"http://127.0.0.1:{port}", key


def main() -> int:
    """Measure health during maximal guesses, then resolution time by length; print the figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="an nlactions server already running (default: start one)")
    parser.add_argument("--key", help="an API key of that server (with --url)")
    parser.add_argument("--chars", type=int, default=DEFAULT_CHARS, help=f"guess length (default {DEFAULT_CHARS})")
    parser.add_argument("--rounds", type=int, default=5, help="maximal guesses to send, one at a time (default 5)")
    parser.add_argument("--interval", type=float, default=0.01, help="seconds between health polls (default 0.01)")
    parser.add_argument("--sizes", default=f"1000,10000,{DEFAULT_CHARS},100000", help="lengths to time in process")
    parser.add_argument("--runs", type=int, default=3, help="runs per size, best taken (default 3)")
    parser.add_argument("--pool", action="store_true", help="also compare loop lag: worker thread vs process pool")
    args = parser.parse_args()
    if args.url and not args.key:
        parser.error("--url needs --key")

    process: subprocess.Popen[bytes] | None = None
    workdir = Path(tempfile.mkdtemp(prefix="nlactions-stall-"))
    try:
        if args.url:
            url, key = args.url.rstrip("/"), args.key
        else:
            process, url, key = start_bench_server(workdir)
        server = asyncio.run(measure_server(url, key, args.chars, args.rounds, args.interval))
    finally:
        if process is not None:
            stop(process)
        shutil.rmtree(workdir, ignore_errors=True)

    idle, during = server["health_idle"], server["health_during_guess"]
    print(
        f"guess: {args.chars:,} characters of instructions, {args.rounds} rounds, answered {server['guess_statuses']}"
    )
    print(
        f"health idle:         p50 {idle['p50_ms']} ms  p99 {idle['p99_ms']} ms  max {idle['max_ms']} ms  "
        f"({idle['n']} polls)"
    )
    print(
        f"health during guess: p50 {during['p50_ms']} ms  p99 {during['p99_ms']} ms  max {during['max_ms']} ms  "
        f"({during['n']} polls)  goal <= {GOAL_MS:g} ms: {'met' if during['max_ms'] <= GOAL_MS else 'NOT met'}"
    )
    print(f"guess duration: median {statistics.median(server['guess_ms']):.0f} ms, each {server['guess_ms']} ms")

    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    times = asyncio.run(resolution_times(sizes, args.runs))
    print("offline resolution of FormatterAPI text, best of", args.runs)
    for row in times:
        print(f"  {row['chars']:>7,} chars: {row['ms']:>8.1f} ms  {row['us_per_char']:>6.2f} us/char")
    figures: dict[str, Any] = {"server": server, "resolution": times}
    if args.pool:
        figures["loop_lag"] = asyncio.run(loop_lag(args.chars, args.rounds))
        for where, row in figures["loop_lag"].items():
            lag = row["loop_lag"]
            print(
                f"loop lag, extraction in a {where.replace('_', ' ')}: p50 {lag['p50_ms']} ms  p99 {lag['p99_ms']} ms  "
                f"max {lag['max_ms']} ms; extraction median {row['extraction_ms']} ms"
            )
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
