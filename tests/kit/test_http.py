"""make_client: the guard is always on, redirects are bounded, responses can be capped."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from helpers.echo_server import EchoServer
from nlactions.kit.http import MAX_REDIRECTS, ResponseTooLarge, make_client, user_agent
from nlactions.kit.ssrf import BlockedDestination, SSRFGuard

LOOPBACK = SSRFGuard(["127.0.0.1:*"])


@pytest.fixture(scope="module")
def echo() -> Iterator[EchoServer]:
    """One echo server on 127.0.0.1 for the module."""
    with EchoServer() as server:
        yield server


async def test_guard_is_on_even_with_a_swapped_transport() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise AssertionError("the request should not reach the transport")

    async with make_client(guard=SSRFGuard(), transport=httpx.MockTransport(handler)) as client:
        with pytest.raises(BlockedDestination):
            await client.get("http://192.168.0.10/")


async def test_sends_user_agent_and_auth(echo: EchoServer) -> None:
    async with make_client(guard=LOOPBACK, auth=httpx.BasicAuth("u", "p")) as client:
        headers = (await client.get(echo.url("/"))).json()["headers"]
    assert headers["user-agent"] == user_agent()
    assert user_agent().startswith("nlactions/")
    assert headers["authorization"].startswith("Basic ")


async def test_redirect_loops_stop(echo: EchoServer) -> None:
    loop = echo.url("/redirect")
    async with make_client(guard=LOOPBACK) as client:
        assert client.max_redirects == MAX_REDIRECTS
        with pytest.raises(httpx.TooManyRedirects):
            await client.get(loop)


async def test_timeouts_are_set() -> None:
    client = make_client(guard=LOOPBACK, timeout=7)
    assert client.timeout.read == 7
    assert client.timeout.connect == 7
    await client.aclose()


async def test_max_response_bytes(echo: EchoServer) -> None:
    async with make_client(guard=LOOPBACK, max_response_bytes=100) as client:
        assert (await client.get(echo.url("/respond?body=" + "x" * 100))).text == "x" * 100
        with pytest.raises(ResponseTooLarge, match=r"response from 127\.0\.0\.1 is larger than 100 bytes"):
            await client.get(echo.url("/respond?body=" + "x" * 101))


async def test_max_response_bytes_counts_streamed_bodies() -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(10):
            yield b"y" * 50

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=chunks())

    transport = httpx.MockTransport(handler)
    async with make_client(guard=LOOPBACK, transport=transport, max_response_bytes=120) as client:
        with pytest.raises(ResponseTooLarge):
            await client.get("http://127.0.0.1/stream")


async def test_raw_tcp_destinations_pass_the_same_guard_as_http() -> None:
    """SMTP, IMAP and database apps ask the context for an address; private ones need the allow-list."""
    from nlactions.catalog import ActionContext

    allowed = make_client(guard=SSRFGuard(["127.0.0.1:5432"]))
    strict = make_client(guard=SSRFGuard([]))
    async with allowed, strict:
        assert await ActionContext(http=allowed).tcp_address("127.0.0.1", 5432) == "127.0.0.1"
        with pytest.raises(BlockedDestination, match="NLACTIONS_SSRF_ALLOW"):
            await ActionContext(http=strict).tcp_address("127.0.0.1", 5432)
    async with httpx.AsyncClient() as bare:
        with pytest.raises(BlockedDestination):
            await ActionContext(http=bare).tcp_address("127.0.0.1", 25)


async def test_request_log_lines_hide_the_query_string(echo: EchoServer, caplog: pytest.LogCaptureFixture) -> None:
    """httpx logs each request's URL at INFO; a key in the query string must not reach the log."""
    caplog.set_level(logging.DEBUG)
    async with make_client(guard=LOOPBACK) as client:
        response = await client.get(echo.url("/hook?api_key=sk-live-query-secret&page=2"))
    assert response.json()["query"]["api_key"] == "sk-live-query-secret"
    assert "HTTP Request: GET " + echo.url("/hook?…") in caplog.text
    assert "sk-live-query-secret" not in caplog.text
