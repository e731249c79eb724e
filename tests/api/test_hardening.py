"""Hostile inputs and edge cases: a 4xx naming the field, never a 500, and never a credential in a log.

Deep nesting, lone surrogates, invalid UTF-8, chunked bodies over the limit, a key placed in the query
string of an app that fails, and the SSRF allow-list's ports, through the ASGI app on both databases;
clients that trickle their request headers, over a real socket.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
import uvicorn
from sqlalchemy import func, select

from helpers.echo_server import EchoServer
from nlactions.api.middleware import BodyGuard
from nlactions.api.protocol import header_timeout_protocol
from nlactions.api.runtime import Runtime
from nlactions.catalog import Action, ActionContext, ApiKeyAuth, App, AuthField, Needs, UpstreamError
from nlactions.db.models import Authentication, ExecutionLog
from nlactions.kit.limits import MAX_DEPTH
from nlactions.kit.ssrf import SSRFGuard

EXECUTE = "/api/v2/execute/"
JSON = {"content-type": "application/json"}


def body(action: str = "text", app: str = "FormatterAPI", instructions: str = "", **params: Any) -> dict[str, Any]:
    return {"instructions": instructions, "app": app, "action": action, "params": params}


def locked(value: Any) -> dict[str, Any]:
    return {"mode": "locked", "value": value}


def nested(levels: int, shape: str = "list") -> Any:
    """A value ``levels`` arrays (or objects) deep around the text "x"."""
    value: Any = "x"
    for _ in range(levels):
        value = [value] if shape == "list" else {"a": value}
    return value


def raw_nested(levels: int) -> bytes:
    """An execute body whose locked input is ``levels`` arrays deep, written out (json.dumps would recurse)."""
    return (
        b'{"instructions": "", "app": "FormatterAPI", "action": "text", "params": {"transform": '
        b'{"mode": "locked", "value": "uppercase"}, "input": {"mode": "locked", "value": '
        + b"[" * levels
        + b'"x"'
        + b"]" * levels
        + b"}}}"
    )


async def log_count(runtime: Runtime) -> int:
    async with runtime.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(ExecutionLog)) or 0)


# --- nesting -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("levels", [MAX_DEPTH - 2, 500, 900])
@pytest.mark.parametrize("shape", ["list", "dict"])
async def test_a_param_nested_too_deep_is_422_naming_the_field(
    client: httpx.AsyncClient, runtime: Runtime, levels: int, shape: str
) -> None:
    # body (1) > params (2) > input (3) > the value's own levels
    payload = body(transform=locked("uppercase"), input=locked(nested(levels, shape)))
    response = await client.post(EXECUTE, json=payload)
    assert response.status_code == 422, response.text
    error = response.json()
    assert error["error"].startswith("params.input.value")
    assert "nested deeper than 64 levels" in error["error"]
    assert error["code"] == "validation_error"
    assert "64 levels" in error["hint"]
    assert error["detail"][0]["loc"][:5] == ["body", "params", "input", "value", 0 if shape == "list" else "a"]
    assert await log_count(runtime) == 0


async def test_a_param_at_the_depth_limit_runs(client: httpx.AsyncClient) -> None:
    response = await client.post(EXECUTE, json=body(transform=locked("uppercase"), input=locked(nested(61))))
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "success"
    assert response.json()["results"][0]["output"].startswith("[" * 60 + '"X"')


@pytest.mark.parametrize("levels", [999, 1000, 5000, 100_000])
async def test_nesting_deeper_than_the_parser_reads_is_malformed_json_or_422(
    client: httpx.AsyncClient, levels: int
) -> None:
    response = await client.post(EXECUTE, content=raw_nested(levels), headers=JSON)
    assert response.status_code in (400, 422), response.text
    error = response.json()
    if response.status_code == 400:
        assert error["code"] == "malformed_json"
        assert "nests too deeply" in error["error"] and "64 levels" in error["error"]
    else:
        assert error["error"].startswith("params.input.value: nested deeper than 64 levels")


async def test_a_deep_stored_ai_action_param_is_422(client: httpx.AsyncClient) -> None:
    payload = {"app": "TestAPI", "action": "echo", "params": {"text": locked(nested(200))}, "meta": {}}
    response = await client.post("/api/v2/ai-actions/", json=payload)
    assert response.status_code == 422, response.text
    assert response.json()["error"].startswith("params.text.value: nested deeper than 64 levels")


async def test_a_deep_json_string_for_a_dict_need_is_400_naming_it(client: httpx.AsyncClient) -> None:
    """The body is shallow; the depth hides in a string a dict need parses (coercion is bounded too)."""
    text = "[" * 5000 + "]" * 5000
    response = await client.post(
        EXECUTE,
        json=body(
            "post", app="WebhookAPI", url=locked("http://example.invalid/"), data=locked("{}"), headers=locked(text)
        ),
    )
    assert response.status_code == 400, response.text
    assert response.json()["error"].startswith("params.headers: expected a JSON object nested at most 64 levels")


# --- text that is not valid Unicode ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "field"),
    [
        (
            b'{"instructions": "say \\ud800 now", "app": "FormatterAPI", "action": "text", "params": {}}',
            "instructions",
        ),
        (
            b'{"instructions": "", "app": "FormatterAPI", "action": "text",'
            b' "params": {"input": {"mode": "locked", "value": "a\\udfffb"}}}',
            "params.input.value",
        ),
        (
            b'{"instructions": "", "app": "FormatterAPI", "action": "text",'
            b' "params": {"input": {"mode": "locked", "value": ["ok", "\\ud83d"]}}}',
            "params.input.value.1",
        ),
        (
            b'{"instructions": "", "app": "FormatterAPI", "action": "text",'
            b' "params": {"in\\ud800": {"mode": "guess"}}}',
            "params.in\\ud800",
        ),
        # UTF-8 bytes of a surrogate: Python's JSON reader lets them through as a lone surrogate
        (b'{"instructions": "\xed\xa0\x80", "app": "FormatterAPI", "action": "text"}', "instructions"),
    ],
    ids=["instructions", "locked", "list-item", "key", "utf8-bytes"],
)
async def test_a_lone_surrogate_is_422_naming_the_field(
    client: httpx.AsyncClient, runtime: Runtime, content: bytes, field: str
) -> None:
    response = await client.post(EXECUTE, content=content, headers=JSON)
    assert response.status_code == 422, response.text
    error = response.json()
    assert error["error"] == f"{field}: contains a lone surrogate (an unpaired \\ud800-\\udfff escape), " + (
        "which is not valid Unicode text"
    )
    assert error["code"] == "validation_error"
    assert await log_count(runtime) == 0


async def test_a_surrogate_pair_is_text_and_runs(client: httpx.AsyncClient) -> None:
    content = (
        b'{"instructions": "", "app": "FormatterAPI", "action": "text", "params": {"transform":'
        b' {"mode": "locked", "value": "uppercase"}, "input": {"mode": "locked", "value": "smile \\ud83d\\ude00"}}}'
    )
    response = await client.post(EXECUTE, content=content, headers=JSON)
    assert response.status_code == 200, response.text
    assert response.json()["results"][0]["output"] == "SMILE \U0001f600"


async def test_a_surrogate_in_a_stored_ai_action_is_422(client: httpx.AsyncClient) -> None:
    content = b'{"app": "TestAPI", "action": "echo", "params": {"text": "\\ud800"}, "meta": {}}'
    response = await client.post("/api/v2/ai-actions/", content=content, headers=JSON)
    assert response.status_code == 422, response.text
    assert response.json()["error"].startswith("params.text: contains a lone surrogate")


async def test_invalid_utf8_is_malformed_json(client: httpx.AsyncClient) -> None:
    content = b'{"instructions": "caf\xe9", "app": "FormatterAPI", "action": "text"}'
    response = await client.post(EXECUTE, content=content, headers=JSON)
    assert response.status_code == 400, response.text
    error = response.json()
    assert error["code"] == "malformed_json"
    assert "not valid UTF-8 (the byte at offset 21 is not part" in error["error"]
    assert "UTF-8" in error["hint"]


async def test_a_number_too_long_to_read_is_malformed_json(client: httpx.AsyncClient) -> None:
    content = b'{"instructions": "", "app": "FormatterAPI", "action": "text", "n": ' + b"7" * 5000 + b"}"
    response = await client.post(EXECUTE, content=content, headers=JSON)
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "malformed_json"
    assert "a number in it has more than" in response.json()["error"]


async def test_syntax_errors_say_where(client: httpx.AsyncClient) -> None:
    response = await client.post(EXECUTE, content=b'{"instructions": }', headers=JSON)
    assert response.status_code == 400
    assert response.json()["code"] == "malformed_json"
    assert response.json()["error"].startswith("The request body is not valid JSON: expecting value at character")


# --- body size ---------------------------------------------------------------------------------------


async def chunks(total: int, size: int = 64 * 1024) -> AsyncIterator[bytes]:
    """``total`` bytes of a JSON body in chunks, sent without a Content-Length (chunked)."""
    head = b'{"instructions": "", "app": "FormatterAPI", "action": "text", "pad": "'
    yield head
    left = total - len(head) - 2
    while left > 0:
        yield b"x" * min(size, left)
        left -= size
    yield b'"}'


async def test_a_chunked_body_over_the_limit_is_413(client: httpx.AsyncClient, runtime: Runtime) -> None:
    limit = runtime.settings.max_body_bytes
    response = await client.post(EXECUTE, content=chunks(limit + 1), headers=JSON)
    assert "content-length" not in response.request.headers
    assert response.status_code == 413, response.text
    assert response.json() == {
        "error": f"The request body is larger than the {limit} bytes allowed.",
        "code": "payload_too_large",
        "hint": "Send a smaller body, or raise NLACTIONS_MAX_BODY_BYTES.",
    }


async def test_a_chunked_body_under_the_limit_is_read(client: httpx.AsyncClient) -> None:
    response = await client.post(EXECUTE, content=chunks(10_000), headers=JSON)
    assert response.status_code == 200, response.text


async def test_a_body_that_stops_arriving_is_408_and_never_reaches_the_app() -> None:
    """A client that sends its headers and then trickles (or stalls) its body is answered, not waited on."""
    reached: list[bool] = []

    async def inner(scope: Any, receive: Any, send: Any) -> None:
        reached.append(True)

    sent: list[dict[str, Any]] = []
    parts = iter([{"type": "http.request", "body": b'{"instructions": "', "more_body": True}])

    async def receive() -> dict[str, Any]:
        part = next(parts, None)
        if part is None:
            await asyncio.sleep(3600)  # the rest of the body never comes
        return part  # type: ignore[return-value]

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    guard = BodyGuard(inner, max_bytes=1_000, timeout_seconds=0.2)
    await asyncio.wait_for(guard({"type": "http", "headers": []}, receive, send), timeout=10)
    assert sent[0]["status"] == 408
    assert orjson.loads(sent[1]["body"]) == {
        "error": "The request body did not arrive within 0.2 s.",
        "code": "body_timeout",
        "hint": "Send the whole body at once, or raise NLACTIONS_BODY_TIMEOUT_SECONDS.",
    }
    assert reached == []


# --- credentials in the query string -----------------------------------------------------------------

KEY = "sk-live/Qz+9=4f7c2e"  # characters a URL percent-encodes, so every form of it is looked for


class NoInput(Needs):
    pass


async def fetch_failing(ctx: ActionContext, params: NoInput) -> dict[str, Any]:
    """A careless app: lets httpx raise for the 500, whose message carries the URL and so the key."""
    response = await ctx.http.get(ctx.credentials["server"] + "/status/500")
    response.raise_for_status()
    return {}


async def fetch_echo(ctx: ActionContext, params: NoInput) -> dict[str, Any]:
    """Returns what the service echoed, the query string with the key in it included."""
    response = await ctx.http.get(ctx.credentials["server"] + "/things", params={"page": "2"})
    return {"url": str(response.url), "seen": response.json(), "keys": {KEY: "as a key"}}


async def report_failure(ctx: ActionContext, params: NoInput) -> dict[str, Any]:
    """An app error whose message quotes the URL it called."""
    response = await ctx.http.get(ctx.credentials["server"] + "/status/503")
    raise UpstreamError(f"{response.url} answered {response.status_code}.", hint=f"Retry {response.url} later.")


query_key_app = App(
    key="QueryKeyAPI",
    name="Query Key",
    description="A service that takes its API key in the query string.",
    auth=ApiKeyAuth(
        fields=(AuthField("server", "Server URL", secret=False), AuthField("api_key", "API Key")),
        placement="query",
        name="api_key",
        template="{api_key}",
    ),
    actions=(
        Action("failing", "read", "Thing", "Fetch Failing", "Fetch from a failing service.", NoInput, fetch_failing),
        Action("echo", "read", "Thing", "Fetch Echo", "Fetch what the service echoes.", NoInput, fetch_echo),
        Action("report", "read", "Thing", "Report", "Report the service's failure.", NoInput, report_failure),
    ),
)


@pytest.fixture
def echo() -> Iterator[EchoServer]:
    with EchoServer() as server:
        yield server


@pytest.fixture
async def keyed(runtime: Runtime, key: Any, echo: EchoServer) -> EchoServer:
    """QueryKeyAPI installed, connected with KEY, allowed to reach the echo server."""
    runtime.registry.add(query_key_app)
    runtime.guard = SSRFGuard([f"127.0.0.1:{echo.port}"])
    async with runtime.sessions() as session, session.begin():
        session.add(
            Authentication(
                account_id=key.account_id,
                app="QueryKeyAPI",
                title="main",
                secret=runtime.box.seal({"server": echo.base_url, "api_key": KEY}),
            )
        )
    return echo


async def stored_log(runtime: Runtime, log_id: str) -> str:
    async with runtime.sessions() as session:
        log = await session.get(ExecutionLog, log_id)
    assert log is not None
    return f"{log.response} {log.error} {log.input_params}"


def forms(secret: str) -> list[str]:
    from urllib.parse import quote, quote_plus

    return [secret, quote(secret, safe=""), quote_plus(secret)]


async def test_a_failing_apps_traceback_is_logged_without_the_key(
    client: httpx.AsyncClient, runtime: Runtime, keyed: EchoServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    response = await client.post(EXECUTE, json=body("failing", app="QueryKeyAPI"))
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["status"] == "error"
    assert data["error"] == "The action failed: 127.0.0.1 answered 500 Internal Server Error."
    logged = caplog.text
    assert "HTTPStatusError" in logged and "Traceback" in logged  # the traceback is there ...
    assert "api_key=[redacted]" in logged
    for form in forms(KEY):
        assert form not in logged  # ... without the key in any form
        assert form not in response.text
        assert form not in await stored_log(runtime, data["execution_log_id"])


async def test_results_echoing_the_key_are_redacted_when_returned_and_stored(
    client: httpx.AsyncClient, runtime: Runtime, keyed: EchoServer
) -> None:
    response = await client.post(EXECUTE, json=body("echo", app="QueryKeyAPI"))
    data = response.json()
    assert data["status"] == "success", data
    [result] = data["results"]
    assert result["url"] == "[redacted]"
    assert result["seen__query__api_key"] == "[redacted]"
    assert result["seen__query__page"] == "2"
    assert result["keys__[redacted]"] == "as a key"
    assert data["full_results"][0]["seen__path"] == "/things"
    for form in forms(KEY):
        assert form not in response.text
        assert form not in await stored_log(runtime, data["execution_log_id"])


async def test_an_app_error_quoting_the_url_is_scrubbed(
    client: httpx.AsyncClient, runtime: Runtime, keyed: EchoServer
) -> None:
    data = (await client.post(EXECUTE, json=body("report", app="QueryKeyAPI"))).json()
    assert data["status"] == "error"
    assert data["error"] == (
        f"{keyed.base_url}/status/503?api_key=[redacted] answered 503. "
        f"Retry {keyed.base_url}/status/503?api_key=[redacted] later."
    )
    assert KEY not in await stored_log(runtime, data["execution_log_id"])


# --- the SSRF allow-list through execute -------------------------------------------------------------


@pytest.mark.parametrize("port", [8000, 5432, 6379])
async def test_a_host_entry_does_not_open_the_hosts_other_services(
    client: httpx.AsyncClient, runtime: Runtime, port: int
) -> None:
    runtime.guard = SSRFGuard(["127.0.0.1"])
    payload = body("post", app="WebhookAPI", url=locked(f"http://127.0.0.1:{port}/"), data=locked("{}"))
    data = (await client.post(EXECUTE, json=payload)).json()
    assert data["status"] == "error"
    assert f"Refused to connect to 127.0.0.1 port {port} (loopback address)" in data["error"]
    assert f"Add 127.0.0.1:{port} to NLACTIONS_SSRF_ALLOW" in data["error"]


# --- slow headers (slowloris) over a real socket -----------------------------------------------------


async def hello(scope: Any, receive: Any, send: Any) -> None:
    """The smallest ASGI app: 200 "hello" to every request."""
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"5")]})
    await send({"type": "http.response.body", "body": b"hello"})


@contextmanager
def uvicorn_server(http: type[asyncio.Protocol]) -> Iterator[int]:
    """uvicorn with protocol class ``http`` on a free loopback port, in a thread; yields the port."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(hello, http=http, lifespan="off", log_level="warning", timeout_keep_alive=60)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        for _ in range(1000):
            if server.started:
                break
            time.sleep(0.01)
        yield sock.getsockname()[1]
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def closed_by_server(conn: socket.socket) -> bool:
    """True when the server closes ``conn`` (reads end); False if it is still open after 20 s."""
    conn.settimeout(20)
    try:
        while conn.recv(4096):
            pass
    except TimeoutError:
        return False
    except ConnectionResetError:
        pass
    return True


def response_to(conn: socket.socket, request: bytes) -> bytes:
    conn.sendall(request)
    conn.settimeout(20)
    return conn.recv(4096)


@pytest.mark.parametrize("implementation", ["h11", "httptools"])
def test_a_connection_trickling_its_headers_is_closed(implementation: str) -> None:
    with uvicorn_server(header_timeout_protocol(0.3, implementation)) as port:
        with socket.create_connection(("127.0.0.1", port)) as conn:
            conn.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            assert closed_by_server(conn)
        with socket.create_connection(("127.0.0.1", port)) as silent:
            assert closed_by_server(silent)
        with socket.create_connection(("127.0.0.1", port)) as conn:
            # a complete request is answered, and the connection kept alive for the next one ...
            assert response_to(conn, b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").startswith(b"HTTP/1.1 200")
            time.sleep(0.6)  # longer than the header timeout: idle time between requests is keep-alive's
            assert response_to(conn, b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").startswith(b"HTTP/1.1 200")
            # ... but the next request's headers are held to the same deadline
            conn.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            assert closed_by_server(conn)


def test_serve_closes_slow_header_connections(tmp_path: Path) -> None:
    """``nlactions serve`` runs with the header timeout from NLACTIONS_HEADER_TIMEOUT_SECONDS."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("NLACTIONS_")}
    env.update(NLACTIONS_DATA_DIR=str(tmp_path / "data"), NLACTIONS_HEADER_TIMEOUT_SECONDS="0.5")
    script = Path(sys.executable).with_name("nlactions")
    command = [str(script)] if script.exists() else [sys.executable, "-c", "from nlactions.cli import main; main()"]
    process = subprocess.Popen(
        [*command, "serve", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(300):
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/v2/health/", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        assert process.poll() is None
        with socket.create_connection(("127.0.0.1", port)) as conn:
            conn.sendall(b"POST /api/v2/execute/ HTTP/1.1\r\nHo")
            assert closed_by_server(conn)
        assert httpx.get(f"http://127.0.0.1:{port}/api/v2/health/", timeout=5).status_code == 200
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)
