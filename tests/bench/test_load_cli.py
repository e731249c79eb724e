"""bench/load.py as a user runs it: a subprocess starting its own server, tiny (5 clients × 3 s)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "bench" / "load.py"
LAST_LINE = re.compile(
    r"^requests=(?P<requests>\d+) ok=(?P<ok>\d+) errors=(?P<errors>\d+) limited=(?P<limited>\d+) "
    r"logs=(?P<logs>\d+) lost=(?P<lost>\d+) p50_ms=\d+\.\d p99_ms=\d+\.\d$"
)


def test_tiny_load_on_sqlite_loses_no_log() -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")]))}
    run = subprocess.run(
        [sys.executable, str(SCRIPT), "--clients", "5", "--duration", "3"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    lines = run.stdout.strip().splitlines()
    found = LAST_LINE.match(lines[-1])
    assert found, lines[-1]
    counts = {k: int(v) for k, v in found.groupdict().items()}
    assert counts["requests"] > 0 and counts["ok"] == counts["requests"]
    assert counts["errors"] == 0 and counts["limited"] == 0 and counts["lost"] == 0
    assert counts["logs"] > 0
    assert any(line.startswith("check idempotency replays:") and line.endswith(": OK") for line in lines), lines


def test_two_servers_need_postgres() -> None:
    run = subprocess.run(
        [sys.executable, str(SCRIPT), "--servers", "2"], capture_output=True, text=True, timeout=60, check=False
    )
    assert run.returncode == 2
    assert "--servers 2 needs --database-url" in run.stderr
