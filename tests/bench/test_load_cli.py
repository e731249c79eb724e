"""bench/load.py as a user runs it: a subprocess starting its own server, tiny (5 clients × 3 s)."""

from __future__ import annotations

import asyncio
import os
import re
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from conftest import BACKENDS, POSTGRES_URL, REQUIRE_POSTGRES, _postgres_reachable

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "bench" / "load.py"
LAST_LINE = re.compile(
    r"^requests=(?P<requests>\d+) ok=(?P<ok>\d+) errors=(?P<errors>\d+) limited=(?P<limited>\d+) "
    r"logs=(?P<logs>\d+) lost=(?P<lost>\d+) p50_ms=\d+\.\d p99_ms=\d+\.\d$"
)


def load(*args: str) -> subprocess.CompletedProcess[str]:
    """``bench/load.py ARGS`` as a subprocess."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")]))}
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, env=env, timeout=300, check=False
    )


def assert_clean_summary(run: subprocess.CompletedProcess[str]) -> list[str]:
    """The run succeeded and its last line counts requests, all answered, no error, no lost log."""
    assert run.returncode == 0, run.stdout + run.stderr
    lines = run.stdout.strip().splitlines()
    found = LAST_LINE.match(lines[-1])
    assert found, lines[-1]
    counts = {k: int(v) for k, v in found.groupdict().items()}
    assert counts["requests"] > 0 and counts["ok"] == counts["requests"]
    assert counts["errors"] == 0 and counts["limited"] == 0 and counts["lost"] == 0
    assert counts["logs"] > 0
    assert any(line.startswith("check idempotency replays:") and line.endswith(": OK") for line in lines), lines
    return lines


def test_tiny_load_on_sqlite_loses_no_log() -> None:
    assert_clean_summary(load("--clients", "5", "--duration", "3"))


def redis_reachable(host: str = "127.0.0.1", port: int = 6379) -> bool:
    """True when something accepts connections on Redis's port."""
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


@pytest.mark.postgres
def test_tiny_load_on_two_servers_holds_across_processes() -> None:
    problem = asyncio.run(_postgres_reachable()) if "postgres" in BACKENDS else "not among NLACTIONS_TEST_DATABASES"
    if problem is None and not redis_reachable():
        problem = "Redis unreachable on 127.0.0.1:6379"
    if problem is not None:
        if REQUIRE_POSTGRES:
            pytest.fail(f"PostgreSQL and Redis required: {problem}")
        pytest.skip(problem)
    base, _, _db = POSTGRES_URL.rpartition("/")
    database = f"{base}/nlactions_load_test_{uuid.uuid4().hex[:8]}"  # created and dropped by the bench
    lines = assert_clean_summary(
        load("--clients", "5", "--duration", "3", "--servers", "2", "--database-url", database)
    )
    checks = [line for line in lines if line.startswith("check ")]
    assert len(checks) >= 3, lines
    assert all(line.endswith(": OK") or "skipped" in line for line in checks), checks
    assert any("across servers" in line and "choice cache" in line for line in checks)


def test_two_servers_need_postgres() -> None:
    run = subprocess.run(
        [sys.executable, str(SCRIPT), "--servers", "2"], capture_output=True, text=True, timeout=60, check=False
    )
    assert run.returncode == 2
    assert "--servers 2 needs --database-url" in run.stderr
