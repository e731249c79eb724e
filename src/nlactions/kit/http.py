"""The one factory every outbound HTTP client comes from: SSRF guard on, redirects bounded, size capped."""

from __future__ import annotations

import functools
import logging
from collections.abc import AsyncIterator, Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import httpx

from nlactions.kit.localfiles import vet_local_file
from nlactions.kit.ssrf import GuardedTransport, SSRFGuard

__all__ = [
    "MAX_REDIRECTS",
    "OutboundClient",
    "ResponseTooLarge",
    "local_file",
    "make_client",
    "tcp_address",
    "user_agent",
]

MAX_REDIRECTS = 5
CONNECT_TIMEOUT = 10.0


class ResponseTooLarge(httpx.RequestError):
    """The response body is over the client's ``max_response_bytes``."""


@functools.cache
def user_agent() -> str:
    """``nlactions/<version>``, the User-Agent of every outbound request."""
    try:
        return f"nlactions/{version('nlactions')}"
    except PackageNotFoundError:
        return "nlactions/0"


class _HideQueries(logging.Filter):
    """httpx logs every request's URL; a query string often carries a key, so the log shows ``?…`` instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and any(isinstance(arg, httpx.URL) for arg in record.args):
            record.args = tuple(_loggable(arg) if isinstance(arg, httpx.URL) else arg for arg in record.args)
        return True


def _loggable(url: httpx.URL) -> str:
    bare = str(url.copy_with(userinfo=b"", query=None, fragment=None))
    return bare + "?…" if url.query else bare


_httpx_log = logging.getLogger("httpx")
if not any(isinstance(f, _HideQueries) for f in _httpx_log.filters):
    _httpx_log.addFilter(_HideQueries())


def _too_large(request: httpx.Request, limit: int) -> ResponseTooLarge:
    return ResponseTooLarge(f"The response from {request.url.host} is larger than {limit} bytes.", request=request)


class _CappedStream(httpx.AsyncByteStream):
    def __init__(self, inner: httpx.AsyncByteStream, limit: int, request: httpx.Request):
        self._inner = inner
        self._limit = limit
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        seen = 0
        async for chunk in self._inner:
            seen += len(chunk)
            if seen > self._limit:
                raise _too_large(self._request, self._limit)
            yield chunk

    async def aclose(self) -> None:
        await self._inner.aclose()


class _CappedTransport(httpx.AsyncBaseTransport):
    """Refuses response bodies (as received on the wire) longer than ``limit`` bytes."""

    def __init__(self, inner: httpx.AsyncBaseTransport, limit: int):
        self._inner = inner
        self._limit = limit

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self._inner.handle_async_request(request)
        length = response.headers.get("content-length", "")
        if length.isdigit() and int(length) > self._limit:
            await response.aclose()
            raise _too_large(request, self._limit)
        assert isinstance(response.stream, httpx.AsyncByteStream)
        response.stream = _CappedStream(response.stream, self._limit, request)
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()


class OutboundClient(httpx.AsyncClient):
    """The outbound HTTP client, which also vets raw TCP destinations (SMTP, IMAP, databases)."""

    def __init__(self, *, guard: SSRFGuard, local_dirs: Sequence[Path] = (), **kwargs: Any):
        super().__init__(**kwargs)
        self.guard = guard
        self.local_dirs = tuple(local_dirs)


async def tcp_address(client: httpx.AsyncClient, host: str, port: int) -> str:
    """The address to open a raw TCP connection to ``host:port``, refused as the SSRF guard refuses HTTP.

    A client not made by ``make_client`` has no allow-list: every private address is refused.
    """
    guard = client.guard if isinstance(client, OutboundClient) else SSRFGuard()
    found = await guard.addresses(httpx.URL(scheme="http", host=host, port=port))
    return found[0]


def local_file(client: httpx.AsyncClient, path: str) -> Path:
    """The real path of a local file an app may open (``NLACTIONS_SQLITE_APP_DIRS``), else ``LocalFileRefused``.

    A client not made by ``make_client`` has no allowed directory: every path is refused.
    """
    allowed = client.local_dirs if isinstance(client, OutboundClient) else ()
    return vet_local_file(path, allowed)


def make_client(
    *,
    auth: httpx.Auth | None = None,
    guard: SSRFGuard,
    local_dirs: Sequence[Path] = (),
    transport: httpx.AsyncBaseTransport | None = None,
    timeout: float = 30.0,
    max_response_bytes: int | None = None,
) -> httpx.AsyncClient:
    """An ``httpx.AsyncClient`` whose every request (and redirect hop) passes the SSRF guard."""
    guarded: httpx.AsyncBaseTransport = GuardedTransport(guard, transport)
    if max_response_bytes is not None:
        guarded = _CappedTransport(guarded, max_response_bytes)
    return OutboundClient(
        guard=guard,
        local_dirs=local_dirs,
        auth=auth,
        transport=guarded,
        follow_redirects=True,
        max_redirects=MAX_REDIRECTS,
        timeout=httpx.Timeout(timeout, connect=min(timeout, CONNECT_TIMEOUT)),
        headers={"User-Agent": user_agent()},
        trust_env=False,
    )
