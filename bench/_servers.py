"""Pieces the benchmarks share: starting ``nlactions serve`` on loopback, a key, and counting its logs."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping
from pathlib import Path

HOST = "127.0.0.1"


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def wait_healthy(port: int, process: subprocess.Popen[bytes], timeout: float = 120.0) -> None:
    """Poll GET /api/v2/health/ until it answers 200."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server on port {port} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/api/v2/health/", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"server on port {port} did not become healthy within {timeout:g} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    """Terminate, then kill if it lingers."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=20)


def nlactions_command() -> list[str]:
    """The installed ``nlactions`` script next to this interpreter, else the entry point via -c."""
    script = Path(sys.executable).with_name("nlactions")
    return [str(script)] if script.exists() else [sys.executable, "-c", "from nlactions.cli import main; main()"]


def nlactions_env(data_dir: Path, database_url: str | None, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment without any NLACTIONS_* setting, plus this run's data dir, database and ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NLACTIONS_")}
    env["NLACTIONS_DATA_DIR"] = str(data_dir)
    env["NLACTIONS_LOG_LEVEL"] = "warning"
    if database_url:
        env["NLACTIONS_DATABASE_URL"] = database_url
    env.update(extra or {})
    return env


def create_key(env: dict[str, str], cwd: Path, account: str) -> tuple[str, int]:
    """``nlactions keys create`` (which also migrates): the key and its account id."""
    done = subprocess.run(
        [*nlactions_command(), "keys", "create", "--account", account, "--name", "bench"],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    found = re.search(r"\(id (\d+)\)", done.stdout)
    if found is None:
        raise SystemExit(f"could not read the account id from: {done.stdout!r}")
    return done.stdout.strip().splitlines()[-1], int(found.group(1))


def start_server(
    env: dict[str, str], cwd: Path, port: int, log: Path, command: list[str] | None = None
) -> subprocess.Popen[bytes]:
    """``nlactions serve --port PORT`` (or ``command``) in ``cwd``, its output into ``log``."""
    with log.open("ab") as out:
        return subprocess.Popen(
            command or [*nlactions_command(), "serve", "--port", str(port)],
            env=env,
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def asyncpg_dsn(database_url: str) -> str:
    """A ``postgresql://`` DSN asyncpg accepts, from any of the URL spellings nlactions takes."""
    return re.sub(r"^postgres(ql)?(\+asyncpg)?://", "postgresql://", database_url)


def is_sqlite(database_url: str | None) -> bool:
    """True for the embedded default and ``sqlite`` URLs."""
    return not database_url or database_url.startswith("sqlite")


def sqlite_path(database_url: str | None, data_dir: Path) -> str:
    """The SQLite file of ``database_url``, or the default one in ``data_dir``."""
    return database_url.split("///", 1)[1] if database_url else str(data_dir / "nlactions.db")


def query_logs(database_url: str | None, data_dir: Path, sql: str, *args: object) -> list[tuple[object, ...]]:
    """Rows of ``sql`` (``?`` placeholders) run on the bench database: SQLite file or PostgreSQL."""
    if is_sqlite(database_url):
        with sqlite3.connect(sqlite_path(database_url, data_dir)) as db:
            return [tuple(row) for row in db.execute(sql, args).fetchall()]

    async def query() -> list[tuple[object, ...]]:
        import asyncpg

        numbered = sql
        for n in range(1, len(args) + 1):
            numbered = numbered.replace("?", f"${n}", 1)
        conn = await asyncpg.connect(asyncpg_dsn(database_url or ""))
        try:
            return [tuple(r) for r in await conn.fetch(numbered, *args)]
        finally:
            await conn.close()

    return asyncio.run(query())


def count_logs(database_url: str | None, data_dir: Path, account_id: int) -> dict[str, int]:
    """Execution-log rows of the bench account by status, straight from the database."""
    sql = "SELECT status, count(*) FROM execution_logs WHERE account_id = ? GROUP BY status"
    return {str(status): int(str(n)) for status, n in query_logs(database_url, data_dir, sql, account_id)}
