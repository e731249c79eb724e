"""The real server over a real socket: ``nlactions serve`` as a subprocess on loopback.

Embedded SQLite in a temporary data dir; the first start prints the first API key once, a second
start on the same data dir prints none; ``NLACTIONS_HOST`` / ``NLACTIONS_PORT`` are honoured.
"""

from __future__ import annotations

import os
import queue
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

import nlactions

KEY = re.compile(r"^nla_\S+$")
SOURCE = Path(nlactions.__file__).resolve().parents[1]  # the checkout this test process imports
STARTUP_SECONDS = 60.0


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def server_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The caller's environment without any NLACTIONS_* setting, plus a data dir and ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NLACTIONS_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SOURCE), env.get("PYTHONPATH")]))
    env["NLACTIONS_DATA_DIR"] = str(data_dir)
    env.update(extra)
    return env


def command() -> list[str]:
    """The installed ``nlactions`` script next to this interpreter, else the same entry point via -c."""
    script = Path(sys.executable).with_name("nlactions")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from nlactions.cli import main; main()"]


@dataclass
class Server:
    """A running ``nlactions serve`` and the stdout lines it has printed so far."""

    process: subprocess.Popen[str]
    url: str
    log: Path
    lines: queue.Queue[str] = field(default_factory=queue.Queue)
    seen: list[str] = field(default_factory=list)

    def state(self) -> str:
        """Exit status, stdout so far and the stderr log, for failure messages."""
        status = "running" if self.process.poll() is None else f"exited {self.process.returncode}"
        return f"server {status}; stdout {self.seen}; stderr:\n{self.log.read_text()[-3000:]}"

    def read_until(self, pattern: str, timeout: float = STARTUP_SECONDS) -> list[str]:
        """Stdout lines up to and including the first matching ``pattern``."""
        deadline = time.monotonic() + timeout
        while not any(re.search(pattern, line) for line in self.seen):
            if time.monotonic() > deadline:
                raise AssertionError(f"no stdout line matched {pattern!r} in {timeout:g} s; {self.state()}")
            try:
                self.seen.append(self.lines.get(timeout=0.5))
            except queue.Empty:
                if self.process.poll() is not None and self.lines.empty():
                    raise AssertionError(f"no stdout line matched {pattern!r}; {self.state()}") from None
        return self.seen

    def wait_healthy(self, timeout: float = STARTUP_SECONDS) -> None:
        """Poll GET /api/v2/health/ until it answers 200."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(self.state())
            try:
                if httpx.get(f"{self.url}/api/v2/health/", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"{self.url} did not become healthy within {timeout:g} s; {self.state()}")


@contextmanager
def serve(tmp_path: Path, url: str, args: list[str], env: dict[str, str]) -> Iterator[Server]:
    """Start ``nlactions serve ARGS``; always stopped (terminate, then kill) on exit."""
    log = tmp_path / f"serve-{time.monotonic_ns()}.log"
    stderr = log.open("w")
    process = subprocess.Popen(
        [*command(), "serve", *args],
        cwd=tmp_path,  # no stray .env file is read
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=stderr,
        text=True,
    )
    server = Server(process, url, log)

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            server.lines.put(line.rstrip("\n"))

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    try:
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)
        reader.join(timeout=5)
        if process.stdout is not None:
            process.stdout.close()
        stderr.close()


def uppercase(base_url: str, key: str, text: str, path: str = "/api/v2/execute/") -> httpx.Response:
    """FormatterAPI text → uppercase with locked params, as a real client would send it."""
    return httpx.post(
        f"{base_url}{path}?skip_param_guessing=true",
        headers={"x-api-key": key},
        json={
            "instructions": "Uppercase the text",
            "app": "FormatterAPI",
            "action": "text",
            "params": {
                "transform": {"mode": "locked", "value": "uppercase"},
                "input": {"mode": "locked", "value": text},
            },
        },
        timeout=30,
    )


def test_serve_prints_the_first_key_once_and_executes_over_a_socket(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with serve(tmp_path, url, ["--port", str(port)], server_env(data_dir)) as server:
        printed = server.read_until(r"^Database: ")
        keys = [line for line in printed if KEY.match(line)]
        assert len(keys) == 1, printed
        key = keys[0]
        assert (data_dir / "nlactions.db").is_file()
        console = [line for line in printed if line.startswith("Web console: ")]
        assert console == [
            f"Web console: {url}/console/ (first give admin@localhost a password: "
            "nlactions users set-password admin@localhost)"
        ], printed
        server.wait_healthy()
        assert httpx.get(f"{url}/console/", timeout=10).headers["location"] == "/signin/?next=/console/"

        response = uppercase(url, key, "hello socket")
        assert response.status_code == 200, response.text
        data = response.json()
        assert data["status"] == "success"
        assert data["results"][0]["output"] == "HELLO SOCKET"
        assert data["error"] is None

        # The slash-less path is served as is: no redirect (a POST body would be lost on one).
        bare = uppercase(url, key, "no slash", path="/api/v2/execute")
        assert bare.status_code == 200, bare.text
        assert bare.json()["results"][0]["output"] == "NO SLASH"

        assert httpx.post(f"{url}/api/v2/execute/", json={}, timeout=10).status_code == 401

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with serve(tmp_path, url, ["--port", str(port)], server_env(data_dir)) as again:
        printed = again.read_until(r"^Database: ")
        again.wait_healthy()
        assert not [line for line in again.seen if "nla_" in line or "Web console" in line], printed
        assert uppercase(url, key, "still valid").json()["results"][0]["output"] == "STILL VALID"


def test_serve_honours_host_and_port_from_the_environment(tmp_path: Path) -> None:
    host = "127.0.0.2"  # loopback too, but not the default 127.0.0.1
    try:
        port = free_port(host)
    except OSError:
        pytest.skip(f"{host} is not usable on this machine")
    env = server_env(tmp_path / "data", NLACTIONS_HOST=host, NLACTIONS_PORT=str(port))
    with serve(tmp_path, f"http://{host}:{port}", [], env) as server:
        key = next(line for line in server.read_until(r"^Database: ") if KEY.match(line))
        server.wait_healthy()
        assert uppercase(server.url, key, "env port").json()["results"][0]["output"] == "ENV PORT"
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"http://127.0.0.1:{port}/api/v2/health/", timeout=2)
