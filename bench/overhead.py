"""Throughput of ``POST /api/v2/execute/`` against a bare FastAPI app doing only the body validation.

    python bench/overhead.py [--duration 10] [--concurrency 32] [--warmup 2] [--rounds 1]
                             [--database-url URL] [--profile OUT.txt]

Starts, each as its own subprocess with one uvicorn worker and the same uvicorn options (uvloop and
httptools when installed, access log off, log level warning):
- nlactions, via ``nlactions serve`` with a fresh data dir (embedded SQLite by default, or
  ``--database-url``), executing FormatterAPI ``text`` with locked params and
  ``skip_param_guessing=true``: auth, validation, the executor, and two execution-log writes that
  are each durably committed before the response;
- a bare FastAPI app that validates the same body (a pydantic model with StatelessExecuteRequest's
  fields, strict) and returns a small JSON.
Each gets the same loopback load: ``--concurrency`` keep-alive HTTP/1.1 connections for
``--warmup`` + ``--duration`` seconds from a separate load-generator process (raw asyncio sockets,
pre-encoded requests). On a 2-core machine the load generator competes with the server for CPU, so
absolute figures understate the server; compare the two sides (the ratio), measured the same way.
``--rounds N`` alternates the two sides N times and reports medians, for a machine shared with other
work.

Afterwards the execution_logs rows of the bench account must equal the executes sent, every one
completed with 200 and stored as ``success``. Prints req/s, p50 and p99 for both sides; the last
line is ``ratio=<nlactions req/s / bare req/s>``. ``--profile OUT`` records the nlactions server
with py-spy (``--gil``: what holds the interpreter; raw collapsed stacks) during the first round;
sampling costs a little throughput, so take figures from a run without it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from _servers import HOST, count_logs, create_key, free_port, nlactions_env, start_server, stop, wait_healthy

EXECUTE_PATH = "/api/v2/execute/?skip_param_guessing=true"
BARE_PATH = "/api/v2/execute/"
BODY = {
    "instructions": "Uppercase the text",
    "app": "FormatterAPI",
    "action": "text",
    "params": {
        "transform": {"mode": "locked", "value": "uppercase"},
        "input": {"mode": "locked", "value": "hello world"},
    },
}
NLACTIONS_OK = (b'"status":"success"', b'"HELLO WORLD"')


# -- the bare server ----------------------------------------------------------------------------


class BareConstraint(BaseModel):
    """ParamConstraint's fields."""

    model_config = ConfigDict(strict=True, extra="allow")
    mode: Literal["locked", "guess", "choose_from", "ignored"]
    value: str | int | float | bool | list[Any] | dict[str, Any] | None = None


class BareRequest(BaseModel):
    """StatelessExecuteRequest's fields, strict like nlactions' models."""

    model_config = ConfigDict(strict=True, extra="allow")
    instructions: str
    params: dict[str, BareConstraint] = Field(default_factory=dict)
    app: str
    action: str
    action_type: Literal["read", "write", "search", "read_bulk", "search_or_write", "search_and_write"] = "write"
    authentication_id: int | None = None
    account_id: int | None = None


def bare_app() -> Any:
    """FastAPI validating the execute body, as nlactions does, and nothing else."""
    from fastapi import FastAPI

    app = FastAPI()

    @app.get("/api/v2/health/")
    async def health() -> str:
        return "OK"

    @app.post(BARE_PATH)
    async def execute(body: BareRequest) -> dict[str, Any]:
        return {"status": "success", "action_used": f"{body.app}: {body.action}", "results": [{"ok": True}]}

    return app


def serve_bare(port: int) -> None:
    """Run the bare app with the uvicorn options ``nlactions serve`` uses."""
    import uvicorn

    uvicorn.run(bare_app(), host=HOST, port=port, log_level="warning", access_log=False)


# -- the load generator -------------------------------------------------------------------------


def http_request(path: str, key: str | None) -> bytes:
    """One pre-encoded keep-alive POST with the bench body."""
    payload = json.dumps(BODY).encode()
    headers = [
        f"POST {path} HTTP/1.1",
        f"Host: {HOST}",
        "Content-Type: application/json",
        f"Content-Length: {len(payload)}",
        *([f"x-api-key: {key}"] if key else []),
    ]
    return ("\r\n".join(headers) + "\r\n\r\n").encode() + payload


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length = next(int(v) for k, _, v in (line.partition(":") for line in lines[1:]) if k.lower() == "content-length")
    return status, await reader.readexactly(length)


async def _load(port: int, request: bytes, concurrency: int, warmup: float, duration: float, nla: bool) -> dict:
    start = time.perf_counter()
    window, stop = start + warmup, start + warmup + duration
    latencies: list[float] = []
    ends: list[float] = []
    sent = ok = bad = 0

    async def connection() -> None:
        nonlocal sent, ok, bad
        reader, writer = await asyncio.open_connection(HOST, port)
        try:
            while (began := time.perf_counter()) < stop:
                writer.write(request)
                sent += 1
                status, body = await _read_response(reader)
                ended = time.perf_counter()
                if status == 200 and (not nla or all(part in body for part in NLACTIONS_OK)):
                    ok += 1
                    if began >= window:
                        latencies.append(ended - began)
                        ends.append(ended)
                else:
                    bad += 1
                    if bad <= 3:
                        print(f"unexpected {status}: {body[:300]!r}", file=sys.stderr)
        finally:
            writer.close()
            await writer.wait_closed()

    await asyncio.gather(*(connection() for _ in range(concurrency)))
    latencies.sort()
    elapsed = (max(ends) - window) if ends else float("nan")

    def pct(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000 if latencies else float("nan")

    return {
        "sent": sent,
        "ok": ok,
        "errors": bad,
        "measured": len(latencies),
        "seconds": elapsed,
        "rps": len(latencies) / elapsed if ends else 0.0,
        "p50_ms": pct(0.50),
        "p99_ms": pct(0.99),
    }


def run_load(port: int, key: str | None, path: str, args: argparse.Namespace, nla: bool) -> None:
    """The load-generator process: drive one server and print its figures as one JSON line."""
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    stats = asyncio.run(_load(port, http_request(path, key), args.concurrency, args.warmup, args.duration, nla))
    print(json.dumps(stats))


# -- orchestration ------------------------------------------------------------------------------


def load(port: int, key: str | None, path: str, args: argparse.Namespace, side: Literal["nla", "bare"]) -> dict:
    """Run the load generator in its own process against ``port``."""
    command = [sys.executable, __file__, "--load", str(port), "--path", path, "--side", side]
    command += ["--duration", str(args.duration), "--warmup", str(args.warmup)]
    command += ["--concurrency", str(args.concurrency)] + (["--key", key] if key else [])
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    if done.stderr:
        print(done.stderr, file=sys.stderr, end="")
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def start_profile(pid: int, seconds: float, out: str) -> subprocess.Popen[bytes] | None:
    """py-spy sampling the server's GIL holder for ``seconds`` (raw collapsed stacks), if installed."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(spy).exists():
        print("py-spy not found; no profile", file=sys.stderr)
        return None
    command = [spy, "record", "--pid", str(pid), "--duration", str(int(seconds)), "--format", "raw", "--gil"]
    return subprocess.Popen([*command, "--rate", "100", "--output", out], stdout=subprocess.DEVNULL)


FRAME = re.compile(r"(.*) \((.*?):\d+\)$")


def summarize_profile(path: str, top: int = 15) -> list[str]:
    """Top functions of a py-spy raw profile: self time (leaf frame) and inclusive time, in % of samples."""
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in Path(path).read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        names = [f"{m.group(1)} ({m.group(2)})" for f in stack.split(";") if (m := FRAME.match(f))]
        if not names or not count.isdigit():
            continue
        total += int(count)
        own[names[-1]] += int(count)
        for name in set(names):
            inclusive[name] += int(count)
    if not total:
        return ["profile: no samples"]
    out = [f"profile: {total} samples holding the GIL; self time:"]
    out += [f"  {100 * n / total:5.1f}%  {name}" for name, n in own.most_common(top)]
    out.append("inclusive, nlactions code:")
    ours = [(name, n) for name, n in inclusive.most_common() if "(nlactions/" in name]
    out += [f"  {100 * n / total:5.1f}%  {name}" for name, n in ours[:top]]
    return out


def median_of(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """Per-figure medians over rounds (counts summed), so a noisy neighbour skews one round, not the result."""
    if len(rounds) == 1:
        return rounds[0]
    out = {k: statistics.median(r[k] for r in rounds) for k in ("rps", "p50_ms", "p99_ms", "seconds")}
    return out | {k: sum(r[k] for r in rounds) for k in ("sent", "ok", "errors", "measured")}


@dataclass
class Side:
    """One measured server."""

    name: str
    stats: dict[str, Any]

    def line(self) -> str:
        """req/s, p50, p99 and counts, aligned."""
        s = self.stats
        return (
            f"{self.name:<10} req/s {s['rps']:9.1f}   p50 {s['p50_ms']:7.2f} ms   p99 {s['p99_ms']:7.2f} ms   "
            f"({s['measured']} measured in {s['seconds']:.1f} s; {s['sent']} sent incl. warm-up, "
            f"{s['errors']} errors)"
        )


def main(argv: Sequence[str] | None = None) -> int:
    """Run both servers under the same load and print the figures; the last line is the ratio."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=10.0, help="measured seconds per side (default 10)")
    parser.add_argument("--concurrency", type=int, default=32, help="keep-alive connections (default 32)")
    parser.add_argument("--warmup", type=float, default=2.0, help="unmeasured seconds first (default 2)")
    parser.add_argument("--database-url", help="nlactions database (default: embedded SQLite in a temp dir)")
    parser.add_argument("--rounds", type=int, default=1, help="alternate bare/nlactions N times; medians")
    parser.add_argument("--profile", metavar="OUT", help="py-spy raw profile of nlactions while measured")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data dir")
    # Internal: the child processes.
    parser.add_argument("--serve-bare", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--load", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--path", help=argparse.SUPPRESS)
    parser.add_argument("--key", help=argparse.SUPPRESS)
    parser.add_argument("--side", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.serve_bare:
        serve_bare(args.serve_bare)
        return 0
    if args.load:
        run_load(args.load, args.key, args.path, args, nla=args.side == "nla")
        return 0

    workdir = Path(tempfile.mkdtemp(prefix="nlactions-bench-"))
    data_dir = workdir / "data"
    # The load is one key flooding on purpose: budgets far above it, so every request pays the check but
    # none is refused (per second, so the moving window holds about as many entries as the default's).
    unlimited = "1000000/second"
    env = nlactions_env(
        data_dir, args.database_url, {"NLACTIONS_RATE_LIMIT_EXECUTE": unlimited, "NLACTIONS_RATE_LIMIT_READ": unlimited}
    )
    account = f"bench-{int(time.time())}-{os.getpid()}"
    servers: list[subprocess.Popen[bytes]] = []
    try:
        key, account_id = create_key(env, workdir, account)
        nla_port, bare_port = free_port(), free_port()
        nla = start_server(env, workdir, nla_port, workdir / "nlactions.log")
        servers.append(nla)
        bare_command = [sys.executable, __file__, "--serve-bare", str(bare_port)]
        bare = start_server(dict(os.environ), workdir, bare_port, workdir / "bare.log", bare_command)
        servers.append(bare)
        wait_healthy(nla_port, nla)
        wait_healthy(bare_port, bare)

        print(
            f"{args.concurrency} connections, {args.warmup:g} s warm-up + {args.duration:g} s measured per side; "
            f"nlactions on {'embedded SQLite' if not args.database_url else 'the given database'}",
            flush=True,
        )
        bare_rounds: list[dict[str, Any]] = []
        nla_rounds: list[dict[str, Any]] = []
        for round_ in range(args.rounds):
            bare_rounds.append(load(bare_port, None, BARE_PATH, args, "bare"))
            profiler = None
            if args.profile and round_ == 0:
                # Started now, it samples through the warm-up too; the measured window dominates.
                profiler = start_profile(nla.pid, args.warmup + args.duration, args.profile)
            nla_rounds.append(load(nla_port, key, EXECUTE_PATH, args, "nla"))
            if profiler is not None:
                profiler.wait(timeout=120)
            if args.rounds > 1:
                print(f"round {round_ + 1}: {Side('bare', bare_rounds[-1]).line()}")
                print(f"round {round_ + 1}: {Side('nlactions', nla_rounds[-1]).line()}")
        stop(nla)  # every batched write is flushed by the shutdown

        bare_side, nla_side = Side("bare", median_of(bare_rounds)), Side("nlactions", median_of(nla_rounds))
        logs = count_logs(args.database_url, data_dir, account_id)
        rows = sum(logs.values())
        sent, ok = sum(r["sent"] for r in nla_rounds), sum(r["ok"] for r in nla_rounds)
        print(bare_side.line())
        print(nla_side.line())
        verdict = "OK" if rows == sent == ok and logs == {"success": rows} else "MISMATCH"
        print(f"execution_logs: {rows} rows {logs} for {sent} executes sent, {ok} completed with 200: {verdict}")
        if args.profile:
            print("\n".join(summarize_profile(args.profile)))
            print(f"profile: {args.profile}")
        print(f"ratio={nla_side.stats['rps'] / bare_side.stats['rps']:.3f}")
        return 0 if verdict == "OK" else 1
    finally:
        for process in servers:
            stop(process)
        if args.keep:
            print(f"kept {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
