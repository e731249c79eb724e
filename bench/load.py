"""Load: N clients for D seconds of mixed traffic, then every answered execute's log is looked for.

    python bench/load.py [--clients 200] [--duration 60] [--database-url URL] [--servers 2]
                         [--url http://127.0.0.1:8000 --key nla_...] [--redis-url URL]

Starts ``nlactions serve`` (one process, or ``--servers 2`` processes on one PostgreSQL and one
Redis) on loopback with a fresh data dir and account, unless ``--url`` and ``--key`` name a running
server. A load-generator process (aiohttp) runs ``--clients`` concurrent clients for
``--duration`` seconds; each loops over a weighted mix of
- FormatterAPI ``text`` executes with locked params (half with ``skip_param_guessing=true``),
- FormatterAPI executes whose ``transform`` is guessed from a hint and the instructions,
- locked executes with a fresh ``Idempotency-Key``, and replays of an earlier key of the client
  (sent to the other server with ``--servers 2``), which must answer the first execution's log
  (every client starts with one idempotent execute and its replay),
- reads: auth check, app search, action search, app details.
Client ``i`` talks to server ``i mod servers``. Rate limits are off (``0``) unless
``--rate-limit-execute`` / ``--rate-limit-read`` say otherwise; a 429 counts as ``limited``, not as
an error.

Afterwards the account's execution logs are read (through ``GET /api/v2/execute/log/`` when the
server has it, else from the database; with ``--url`` and no listing, one v1 log read per id), and
``lost`` counts executes answered 200 with an ``execution_log_id`` that has no log, plus logs still
``running`` (or ``interrupted``). With ``--servers 2`` it also checks, one line each, that an
Idempotency-Key sent to both servers at once yields one log, that the choice cache (Redis) loaded by
one server answers the other, and that an execute rate limit is one budget over both servers.

A PostgreSQL ``--database-url`` whose database does not exist is created and dropped afterwards.
The last line is ``requests=… ok=… errors=… limited=… logs=… lost=… p50_ms=… p99_ms=…``; the exit
status is 1 when there were errors, lost logs or a failed check.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from _servers import (
    HOST,
    asyncpg_dsn,
    create_key,
    free_port,
    is_sqlite,
    nlactions_env,
    query_logs,
    start_server,
    stop,
    wait_healthy,
)

EXECUTE = "/api/v2/execute/"
WORDS = ["hello world", "  the quick brown fox  ", "nlactions under load", "Zapier AI Actions", "a@b.co c@d.org"]
LOCKED_TRANSFORMS = ["uppercase", "lowercase", "titlecase", "trim", "length"]
# (hint for the transform, instructions): the resolver picks the transform among the need's choices.
GUESSES = [
    ("upper case", "Make {text!r} upper case"),
    ("title case", "Put {text!r} in title case"),
    ("count characters", "Count the characters and words of {text!r}"),
    ("lowercase", "Lowercase this: {text!r}"),
    ("trim whitespace", "Trim the whitespace around {text!r}"),
]
READS = [
    "/api/v2/auth/check/",
    "/api/v2/apps/search/?query=format",
    "/api/v2/apps/FormatterAPI/actions/?query=uppercase",
    "/api/v2/apps/FormatterAPI/",
]
# Weights of the request kinds in each client's loop.
MIX = {"locked": 30, "guess": 25, "idempotent": 8, "replay": 4, "read": 33}
UNFINISHED = ("running", "interrupted")


def locked_body(rng: random.Random) -> dict[str, Any]:
    """A FormatterAPI text execute with every param locked."""
    return {
        "instructions": "Transform the text",
        "app": "FormatterAPI",
        "action": "text",
        "params": {
            "transform": {"mode": "locked", "value": rng.choice(LOCKED_TRANSFORMS)},
            "input": {"mode": "locked", "value": rng.choice(WORDS)},
        },
    }


def guess_body(rng: random.Random) -> dict[str, Any]:
    """A FormatterAPI text execute whose transform is guessed from a hint."""
    hint, instructions = rng.choice(GUESSES)
    text = rng.choice(WORDS)
    return {
        "instructions": instructions.format(text=text),
        "app": "FormatterAPI",
        "action": "text",
        "params": {"transform": {"mode": "guess", "value": hint}, "input": {"mode": "locked", "value": text}},
    }


# -- the load generator (its own process) -------------------------------------------------------


@dataclass
class Tally:
    """What the clients saw."""

    latencies: list[float] = field(default_factory=list)
    kinds: Counter[str] = field(default_factory=Counter)
    statuses: Counter[str] = field(default_factory=Counter)
    bodies: Counter[str] = field(default_factory=Counter)
    log_ids: set[str] = field(default_factory=set)
    ok: int = 0
    errors: int = 0
    limited: int = 0
    replays: int = 0
    replays_across: int = 0
    replay_mismatches: int = 0
    samples: list[str] = field(default_factory=list)

    def error(self, what: str) -> None:
        """Count an error; keep the first few for the report."""
        self.errors += 1
        if len(self.samples) < 5:
            self.samples.append(what[:300])


@dataclass
class Request:
    """One request a client sends."""

    kind: str
    base: str
    method: str
    path: str
    body: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    replay_of: str | None = None


def next_request(rng: random.Random, home: str, other: str, used: list[tuple[Request, str]], sent: int) -> Request:
    """The client's next request: an idempotent execute and its replay first, then drawn from MIX."""
    kind = rng.choices(list(MIX), weights=list(MIX.values()))[0]
    if sent < 2:
        kind = ("idempotent", "replay")[sent]
    if kind == "replay" and not used:
        kind = "idempotent"
    if kind == "locked":
        path = EXECUTE + ("?skip_param_guessing=true" if rng.random() < 0.5 else "")
        return Request(kind, home, "POST", path, locked_body(rng))
    if kind == "guess":
        return Request(kind, home, "POST", EXECUTE, guess_body(rng))
    if kind == "idempotent":
        headers = {"Idempotency-Key": f"load-{uuid.uuid4().hex}"}
        return Request(kind, home, "POST", EXECUTE, locked_body(rng), headers)
    if kind == "replay":
        first, log_id = rng.choice(used)
        return Request(kind, other, "POST", first.path, first.body, first.headers, replay_of=log_id)
    return Request(kind, home, "GET", rng.choice(READS))


async def send(http: aiohttp.ClientSession, request: Request, tally: Tally) -> str | None:
    """Send one request and count its outcome; the execution_log_id of a 200 execute."""
    began = time.perf_counter()
    try:
        url = request.base + request.path
        async with http.request(request.method, url, json=request.body, headers=request.headers) as r:
            raw = await r.read()
            status = r.status
    except (TimeoutError, aiohttp.ClientError) as exc:
        tally.latencies.append((time.perf_counter() - began) * 1000)
        tally.kinds[request.kind] += 1
        tally.statuses[type(exc).__name__] += 1
        tally.error(f"{request.kind} {request.path}: {type(exc).__name__}: {exc}")
        return None
    tally.latencies.append((time.perf_counter() - began) * 1000)
    tally.kinds[request.kind] += 1
    tally.statuses[str(status)] += 1
    if status == 429:
        tally.limited += 1
        return None
    if status != 200:
        tally.error(f"{request.kind} {request.path}: {status} {raw[:200]!r}")
        return None
    tally.ok += 1
    if request.method != "POST":
        return None
    data = json.loads(raw)
    tally.bodies[str(data.get("status"))] += 1
    log_id = data.get("execution_log_id")
    if isinstance(log_id, str):
        tally.log_ids.add(log_id)
    if request.replay_of is not None:
        tally.replays += 1
        if log_id != request.replay_of:
            tally.replay_mismatches += 1
            tally.error(f"replay of {request.headers['Idempotency-Key']}: log {log_id}, first was {request.replay_of}")
    return log_id if isinstance(log_id, str) else None


async def client(http: aiohttp.ClientSession, n: int, spec: dict[str, Any], stop_at: float, tally: Tally) -> None:
    """One client: requests back to back until ``stop_at``."""
    rng = random.Random(spec["seed"] * 100_003 + n)
    urls = spec["urls"]
    home, other = urls[n % len(urls)], urls[(n + 1) % len(urls)]
    used: list[tuple[Request, str]] = []
    sent = 0
    while time.perf_counter() < stop_at:
        request = next_request(rng, home, other, used, sent)
        sent += 1
        log_id = await send(http, request, tally)
        if request.kind == "idempotent" and log_id is not None:
            used.append((request, log_id))
        if request.kind == "replay" and request.base != home:
            tally.replays_across += 1


async def generate(spec: dict[str, Any]) -> Tally:
    """Run ``spec['clients']`` clients for ``spec['duration']`` seconds."""
    tally = Tally()
    connector = aiohttp.TCPConnector(limit=0, force_close=False)
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout, headers={"x-api-key": spec["key"]}) as http:
        stop_at = time.perf_counter() + spec["duration"]
        await asyncio.gather(*(client(http, n, spec, stop_at, tally) for n in range(spec["clients"])))
    return tally


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (nearest rank) of ``values``; 0 when empty."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def run_load(spec_path: str) -> None:
    """The load-generator process: read the spec, drive the servers, write the tally next to it."""
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    spec = json.loads(Path(spec_path).read_text())
    tally = asyncio.run(generate(spec))
    result = {
        "requests": len(tally.latencies),
        "ok": tally.ok,
        "errors": tally.errors,
        "limited": tally.limited,
        "p50_ms": percentile(tally.latencies, 0.50),
        "p99_ms": percentile(tally.latencies, 0.99),
        "kinds": dict(tally.kinds),
        "statuses": dict(tally.statuses),
        "bodies": dict(tally.bodies),
        "replays": tally.replays,
        "replays_across": tally.replays_across,
        "replay_mismatches": tally.replay_mismatches,
        "samples": tally.samples,
        "log_ids": sorted(tally.log_ids),
    }
    Path(spec["out"]).write_text(json.dumps(result))


# -- reading the logs back ----------------------------------------------------------------------


async def listed_logs(url: str, key: str, since: dt.datetime) -> dict[str, str] | None:
    """{log id: status} through ``GET /api/v2/execute/log/``, or None when the server has no listing."""
    found: dict[str, str] = {}
    params = {"limit": "100", "since": since.strftime("%Y-%m-%dT%H:%M:%S")}  # UTC
    async with aiohttp.ClientSession(headers={"x-api-key": key}) as http:
        while True:
            async with http.get(f"{url}/api/v2/execute/log/", params=params) as response:
                if response.status in (404, 405) and not found:
                    return None
                if response.status != 200:
                    raise SystemExit(f"listing the logs answered {response.status}: {await response.text()}")
                page = await response.json()
            found.update({row["execution_log_id"]: row["status"] for row in page["results"]})
            if not page.get("next"):
                return found
            params["cursor"] = page["next"]


async def v1_logs(url: str, key: str, ids: Sequence[str]) -> dict[str, str]:
    """{log id: status} of the ids v1's ``GET /api/v1/execution-log/{id}/`` finds (one read per id)."""
    found: dict[str, str] = {}
    limit = asyncio.Semaphore(32)

    async def one(http: aiohttp.ClientSession, log_id: str) -> None:
        async with limit, http.get(f"{url}/api/v1/execution-log/{log_id}/") as response:
            if response.status == 200:
                found[log_id] = str((await response.json()).get("status"))

    async with aiohttp.ClientSession(headers={"x-api-key": key}) as http:
        await asyncio.gather(*(one(http, i) for i in ids))
    return found


def stored_logs(database_url: str | None, data_dir: Path, account_id: int) -> dict[str, str]:
    """{log id: status} of the account, from the database."""
    rows = query_logs(database_url, data_dir, "SELECT id, status FROM execution_logs WHERE account_id = ?", account_id)
    return {str(i): str(s) for i, s in rows}


# -- checks across two servers ------------------------------------------------------------------


async def race_idempotency(urls: list[str], key: str, run: str, keys: int = 20) -> tuple[int, int, list[str]]:
    """Send each of ``keys`` Idempotency-Keys to every server at once: (keys whose 200s agree, 409s, log ids)."""
    agreed = conflicts = 0
    ids: list[str] = []
    async with aiohttp.ClientSession(headers={"x-api-key": key}) as http:
        for n in range(keys):
            body = locked_body(random.Random(n))
            headers = {"Idempotency-Key": f"race-{run}-{n}"}

            async def post(url: str, body: dict[str, Any] = body, headers: dict[str, str] = headers) -> Any:
                async with http.post(url + EXECUTE, json=body, headers=headers) as response:
                    return response.status, await response.json()

            answers = await asyncio.gather(*(post(url) for url in urls))
            logs = {data["execution_log_id"] for status, data in answers if status == 200}
            conflicts += sum(1 for status, _ in answers if status == 409)
            agreed += len(logs) == 1
            ids += sorted(logs)
    return agreed, conflicts, ids


async def choices_of(url: str, key: str, run: str) -> list[str]:
    """The BenchAPI item choices one server answers (waiting out a background load)."""
    async with aiohttp.ClientSession(headers={"x-api-key": key}) as http:
        for _ in range(50):
            async with http.post(f"{url}/api/v2/apps/BenchAPI/choices/pick.item/", json={"params": {"run": run}}) as r:
                data = await r.json()
                if r.status != 200:
                    raise SystemExit(f"choices answered {r.status}: {data}")
            if not data["is_loading"]:
                return [c["key"] for c in data["results"]]
            await asyncio.sleep(0.2)
    raise SystemExit("choices kept loading")


async def rate_limited(urls: list[str], key: str, per_server: int) -> tuple[int, int]:
    """Send ``per_server`` locked executes to each server in turn: (200s, 429s)."""
    ok = limited = 0
    async with aiohttp.ClientSession(headers={"x-api-key": key}) as http:
        for url in urls:
            for n in range(per_server):
                async with http.post(url + EXECUTE, json=locked_body(random.Random(n))) as response:
                    ok += response.status == 200
                    limited += response.status == 429
    return ok, limited


def build_has_rate_limits() -> bool:
    """True when this nlactions knows NLACTIONS_RATE_LIMIT_EXECUTE."""
    from nlactions.settings import Settings

    return "rate_limit_execute" in Settings.model_fields


# -- databases ----------------------------------------------------------------------------------


def ensure_postgres(database_url: str) -> bool:
    """Create the PostgreSQL database of ``database_url`` if it does not exist; True when created."""
    import asyncpg

    base, _, name = asyncpg_dsn(database_url).rpartition("/")
    name = name.split("?", 1)[0]

    async def run() -> bool:
        admin = await asyncpg.connect(f"{base}/postgres")
        try:
            if await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
                return False
            await admin.execute(f'CREATE DATABASE "{name}"')
            return True
        finally:
            await admin.close()

    return asyncio.run(run())


def drop_postgres(database_url: str) -> None:
    """Drop the database of ``database_url``."""
    import asyncpg

    base, _, name = asyncpg_dsn(database_url).rpartition("/")

    async def run() -> None:
        admin = await asyncpg.connect(f"{base}/postgres")
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name.split("?", 1)[0]}" WITH (FORCE)')
        finally:
            await admin.close()

    asyncio.run(run())


# -- orchestration ------------------------------------------------------------------------------


def install_probe_app(workdir: Path) -> str:
    """A plugin dir registering bench/_bench_app.py's BenchAPI under ``nlactions.apps``; the PYTHONPATH."""
    plugin = workdir / "plugin"
    dist = plugin / "nlactions_bench_probe-0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: nlactions-bench-probe\nVersion: 0\n")
    (dist / "entry_points.txt").write_text("[nlactions.apps]\nbench = _bench_app:app\n")
    return os.pathsep.join(filter(None, [str(plugin), str(Path(__file__).parent), os.environ.get("PYTHONPATH")]))


@dataclass
class Fleet:
    """The servers this run started (none with ``--url``)."""

    workdir: Path
    env: dict[str, str]
    processes: list[Any] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)

    def start(self, count: int, extra: dict[str, str] | None = None) -> None:
        """Start ``count`` servers and wait until each is healthy."""
        env = {**self.env, **(extra or {})}
        ports = [free_port() for _ in range(count)]
        for n, port in enumerate(ports):
            log = self.workdir / f"server-{n + 1}.log"
            self.processes.append(start_server(env, self.workdir, port, log))
        for port, process in zip(ports, self.processes, strict=True):
            wait_healthy(port, process)
        self.urls = [f"http://{HOST}:{port}" for port in ports]

    def stop(self) -> None:
        """Stop every server (their batched log writes are flushed on shutdown)."""
        for process in self.processes:
            stop(process)
        self.processes = []


def load(spec: dict[str, Any], workdir: Path) -> dict[str, Any]:
    """Run the load generator in its own process; its tally."""
    spec_path = workdir / "load-spec.json"
    spec = {**spec, "out": str(workdir / "load-result.json")}
    spec_path.write_text(json.dumps(spec))
    subprocess.run([sys.executable, __file__, "--load", str(spec_path)], check=True)
    return json.loads(Path(spec["out"]).read_text())


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=200, help="concurrent clients (default 200)")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load (default 60)")
    parser.add_argument("--servers", type=int, choices=[1, 2], default=1, help="server processes (default 1)")
    parser.add_argument("--database-url", help="default: embedded SQLite in a temp dir; 2 servers need PostgreSQL")
    parser.add_argument("--redis-url", help="shared Redis (default with --servers 2: redis://127.0.0.1:6379/0)")
    parser.add_argument("--url", help="drive this running server instead of starting one (needs --key)")
    parser.add_argument("--key", help="API key for --url")
    parser.add_argument("--rate-limit-execute", default="0", help="NLACTIONS_RATE_LIMIT_EXECUTE (default 0: off)")
    parser.add_argument("--rate-limit-read", default="0", help="NLACTIONS_RATE_LIMIT_READ (default 0: off)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the clients' request mix")
    parser.add_argument("--keep", action="store_true", help="keep the temporary dir (server logs)")
    parser.add_argument("--load", help=argparse.SUPPRESS)  # internal: the load-generator process
    args = parser.parse_args(argv)
    if args.url and not args.key:
        parser.error("--url needs --key")
    if args.url and args.servers != 1:
        parser.error("--servers starts servers; it cannot be combined with --url")
    if args.servers == 2 and is_sqlite(args.database_url):
        parser.error("--servers 2 needs --database-url of a PostgreSQL database (both servers share it)")
    if args.servers == 2 and not args.redis_url:
        args.redis_url = f"redis://{HOST}:6379/0"
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run the load and the checks; the last line is the summary."""
    args = parse(argv)
    if args.load:
        run_load(args.load)
        return 0

    run = uuid.uuid4().hex[:10]
    workdir = Path(tempfile.mkdtemp(prefix="nlactions-load-"))
    data_dir = workdir / "data"
    extra = {
        "NLACTIONS_RATE_LIMIT_EXECUTE": args.rate_limit_execute,
        "NLACTIONS_RATE_LIMIT_READ": args.rate_limit_read,
        "NLACTIONS_RATE_LIMIT_KEY_PREFIX": f"nlactions-bench-{run}:ratelimit",
        "PYTHONPATH": install_probe_app(workdir),
        **({"NLACTIONS_REDIS_URL": args.redis_url} if args.redis_url else {}),
    }
    fleet = Fleet(workdir, nlactions_env(data_dir, args.database_url, extra))
    created_db = False
    failed: list[str] = []
    try:
        if args.url:
            key, account_id, urls = args.key, None, [args.url.rstrip("/")]
        else:
            if args.database_url and not is_sqlite(args.database_url):
                created_db = ensure_postgres(args.database_url)
            key, account_id = create_key(fleet.env, workdir, f"load-{run}")
            fleet.start(args.servers)
            urls = fleet.urls
        where = "embedded SQLite" if is_sqlite(args.database_url) and not args.url else "PostgreSQL"
        if args.url:
            where = args.url
        print(
            f"load: {args.clients} clients × {args.duration:g} s against {len(urls)} server(s) on {where}"
            + (f", Redis {args.redis_url}" if args.redis_url else "")
            + (" (database created for this run, dropped after)" if created_db else ""),
            flush=True,
        )
        since = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=2)
        spec = {"urls": urls, "key": key, "clients": args.clients, "duration": args.duration, "seed": args.seed}
        result = load(spec, workdir)
        expected = set(result["log_ids"])
        print("kinds: " + ", ".join(f"{k}={n}" for k, n in sorted(result["kinds"].items())))
        print("HTTP statuses: " + ", ".join(f"{k}×{n}" for k, n in sorted(result["statuses"].items())))
        print("execute 200 bodies: " + ", ".join(f"{k}×{n}" for k, n in sorted(result["bodies"].items())))
        for sample in result["samples"]:
            print(f"error: {sample}")
        verdict = "OK" if result["replay_mismatches"] == 0 and result["replays"] else "FAIL"
        if not result["replays"]:
            verdict = "n/a (no replay was sent; run longer)"
        print(
            f"check idempotency replays: {result['replays']} replays ({result['replays_across']} to the other "
            f"server), {result['replay_mismatches']} answered another log than the first: {verdict}"
        )
        failed += ["idempotency replays"] if verdict == "FAIL" else []

        if len(urls) == 2:
            agreed, conflicts, race_ids = asyncio.run(race_idempotency(urls, key, run))
            expected |= set(race_ids)
            rows = query_logs(
                args.database_url,
                data_dir,
                "SELECT count(*) FROM execution_logs WHERE account_id = ? AND idempotency_key LIKE ?",
                account_id,
                f"race-{run}-%",
            )
            stored = int(str(rows[0][0]))
            ok = agreed == 20 and stored == 20
            print(
                f"check idempotency across servers: 20 keys each sent to both servers at once: {stored} logs, "
                f"{agreed} keys whose 200s named one log, {conflicts} answered 409 in progress: "
                f"{'OK' if ok else 'FAIL'}"
            )
            failed += [] if ok else ["idempotency across servers"]

            first = asyncio.run(choices_of(urls[0], key, run))
            second = asyncio.run(choices_of(urls[1], key, run))
            pids = {c.split("-pid", 1)[1].split("-", 1)[0] for c in first + second if "-pid" in c}
            ok = bool(first) and first == second and len(pids) == 1
            print(
                f"check choice cache across servers: server 1 loaded {len(first)} choices (pid {sorted(pids)}), "
                f"server 2 answered {'the same load' if first == second else 'a load of its own'}: "
                f"{'OK' if ok else 'FAIL'}"
            )
            failed += [] if ok else ["choice cache across servers"]

        if args.url:
            logs = asyncio.run(listed_logs(urls[0], key, since))
            source = "GET /api/v2/execute/log/"
            if logs is None:
                logs, source = asyncio.run(v1_logs(urls[0], key, sorted(expected))), "v1 log reads"
        else:
            logs = asyncio.run(listed_logs(urls[0], key, since))
            source = "GET /api/v2/execute/log/"
            fleet.stop()
            if logs is None:
                logs, source = stored_logs(args.database_url, data_dir, int(account_id or 0)), "the database"
        missing = expected - set(logs)
        unfinished = Counter(s for s in logs.values() if s in UNFINISHED)
        lost = len(missing) + sum(unfinished.values())
        print(
            f"logs (from {source}): {len(logs)} {dict(Counter(logs.values()))}; {len(expected)} execution_log_ids "
            f"answered with 200, {len(missing)} of them without a log; {dict(unfinished) or 0} unfinished"
        )
        for log_id in sorted(missing)[:5]:
            print(f"missing log: {log_id}")

        if len(urls) == 2:
            if build_has_rate_limits():
                budget = 6
                fleet.start(2, {"NLACTIONS_RATE_LIMIT_EXECUTE": f"{budget}/minute"})
                passed, limited = asyncio.run(rate_limited(fleet.urls, key, per_server=5))
                fleet.stop()
                ok = passed == budget and limited == 10 - budget
                print(
                    f"check rate limit across servers: {budget}/minute, 5 executes to each server: {passed} ran, "
                    f"{limited} got 429: {'OK' if ok else 'FAIL'}"
                )
                failed += [] if ok else ["rate limit across servers"]
            else:
                print("check rate limit across servers: skipped (this build has no NLACTIONS_RATE_LIMIT_EXECUTE)")

        if failed:
            print(f"failed checks: {', '.join(failed)}")
        print(
            f"requests={result['requests']} ok={result['ok']} errors={result['errors']} limited={result['limited']} "
            f"logs={len(logs)} lost={lost} p50_ms={result['p50_ms']:.1f} p99_ms={result['p99_ms']:.1f}"
        )
        return 1 if result["errors"] or lost or failed else 0
    finally:
        fleet.stop()
        if created_db and args.database_url:
            drop_postgres(args.database_url)
        if args.keep:
            print(f"kept {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
