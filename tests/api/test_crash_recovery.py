"""A real crash: ``nlactions serve`` killed with SIGKILL mid-run, restarted on the same data dir.

The run it was doing reads ``interrupted`` (not ``running`` forever), and the client's retry with the
same Idempotency-Key runs the action again instead of a 409 "still running" forever.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.test_socket import KEY, free_port, serve, server_env

LEASE = {"NLACTIONS_RUN_HEARTBEAT_SECONDS": "0.2", "NLACTIONS_RUN_LEASE_SECONDS": "1"}
WAIT_SECONDS = 60.0


class SlowService:
    """A loopback HTTP service whose answers wait until ``release`` is set; it counts the requests."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.entered = threading.Event()
        self.requests = 0
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                service.requests += 1
                service.entered.set()
                service.release.wait(WAIT_SECONDS)
                payload = json.dumps({"ok": True, "request": service.requests}).encode()
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:
                    pass  # the client died meanwhile

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/slow"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)


@pytest.fixture
def slow() -> Iterator[SlowService]:
    service = SlowService()
    service.thread.start()
    yield service
    service.release.set()
    service.server.shutdown()
    service.server.server_close()


def webhook_get(url: str, key: str, target: str, idempotency_key: str) -> httpx.Response:
    return httpx.post(
        f"{url}/api/v2/execute/",
        headers={"x-api-key": key, "Idempotency-Key": idempotency_key},
        json={
            "instructions": "fetch it",
            "app": "WebhookAPI",
            "action": "get",
            "params": {"url": {"mode": "locked", "value": target}},
        },
        timeout=WAIT_SECONDS,
    )


def poll(url: str, key: str, path: str, until: Any) -> dict[str, Any]:
    """GET ``path`` until ``until(body)``; the body it last answered otherwise fails the test."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        data: dict[str, Any] = httpx.get(f"{url}{path}", headers={"x-api-key": key}, timeout=10).json()
        if until(data):
            return data
        if time.monotonic() > deadline:
            raise AssertionError(f"{path} never reached the expected state: {data}")
        time.sleep(0.2)


def test_a_run_killed_mid_flight_reads_interrupted_and_its_key_runs_again(tmp_path: Path, slow: SlowService) -> None:
    env = server_env(tmp_path / "data", NLACTIONS_SSRF_ALLOW=f"127.0.0.1:{slow.server.server_address[1]}", **LEASE)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    outcome: list[Any] = []
    with serve(tmp_path, url, ["--port", str(port)], env) as server:
        key = next(line for line in server.read_until(r"^Database: ") if KEY.match(line))
        server.wait_healthy()

        def call() -> None:
            try:
                outcome.append(webhook_get(url, key, slow.url, "crash-key"))
            except httpx.TransportError as exc:
                outcome.append(exc)

        client = threading.Thread(target=call, daemon=True)
        client.start()
        assert slow.entered.wait(WAIT_SECONDS), server.state()
        running = poll(url, key, "/api/v2/execute/log/", lambda d: len(d["results"]) == 1)["results"][0]
        assert running["status"] == "running", running
        server.process.kill()  # SIGKILL: no shutdown code runs
        server.process.wait(timeout=15)
        client.join(timeout=WAIT_SECONDS)
    assert outcome and isinstance(outcome[0], httpx.TransportError), outcome  # the client lost its connection
    slow.release.set()

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with serve(tmp_path, url, ["--port", str(port)], env) as again:
        again.wait_healthy()
        log_path = f"/api/v2/execute/log/{running['execution_log_id']}/"
        interrupted = poll(url, key, log_path, lambda d: d["status"] != "running")
        assert interrupted["status"] == "interrupted", interrupted
        assert "stopped while this ran" in interrupted["error"]
        listed = httpx.get(
            f"{url}/api/v2/execute/log/", params={"status": "interrupted"}, headers={"x-api-key": key}, timeout=10
        ).json()
        assert [r["execution_log_id"] for r in listed["results"]] == [running["execution_log_id"]]

        retried = webhook_get(url, key, slow.url, "crash-key")
        assert retried.status_code == 200, retried.text
        data = retried.json()
        assert data["status"] == "success", data
        assert data["execution_log_id"] != running["execution_log_id"]
        assert data["results"][0]["ok"] is True
        assert slow.requests == 2  # the first attempt reached the service, the retry ran it again

        first = httpx.get(f"{url}{log_path}", headers={"x-api-key": key}, timeout=10).json()
        assert first["status"] == "interrupted" and first["retried_by"] == data["execution_log_id"]
        replayed = webhook_get(url, key, slow.url, "crash-key")
        assert replayed.json() == data and slow.requests == 2
