"""uvicorn's HTTP protocols with a deadline for the request line and headers (slowloris defence).

uvicorn bounds the idle time between requests (``timeout_keep_alive``) but not the time a client
takes to send a request's headers: a client that trickles them holds the connection, and a few
hundred such clients exhaust the server. ``header_timeout_protocol`` returns a protocol class that
starts a timer when a connection opens and when the first byte of each further request arrives,
cancels it once the headers are complete, and closes the connection when it fires.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

__all__ = ["header_timeout_protocol"]

log = logging.getLogger(__name__)


class _HeaderDeadline:
    """Mixed into a uvicorn protocol: ``arm`` starts the header timer, ``disarm`` stops it."""

    header_timeout: float = 10.0
    loop: asyncio.AbstractEventLoop
    transport: asyncio.Transport
    client: tuple[str, int] | None
    _header_timer: asyncio.TimerHandle | None = None

    def arm(self) -> None:
        """Start the timer unless it is running."""
        if self._header_timer is None:
            self._header_timer = self.loop.call_later(self.header_timeout, self._headers_too_slow)

    def disarm(self) -> None:
        """Stop the timer."""
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """A new connection: its first request's headers are awaited from now."""
        super().connection_made(transport)  # type: ignore[misc]
        self.arm()

    def connection_lost(self, exc: Exception | None) -> None:
        """The connection closed: no timer may outlive it."""
        self.disarm()
        super().connection_lost(exc)  # type: ignore[misc]

    def _headers_too_slow(self) -> None:
        self._header_timer = None
        if not self.transport.is_closing():
            log.debug("closed %s: no complete request headers within %g s", self.client, self.header_timeout)
            self.transport.close()


class _H11WithDeadline(_HeaderDeadline, H11Protocol):
    """h11: headers are still awaited while the client's side of the connection is IDLE."""

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.arm()  # bytes of a request whose headers are not complete yet
        else:
            self.disarm()


def _httptools_protocol() -> type[asyncio.Protocol] | None:
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
    except ImportError:  # httptools is optional for uvicorn
        return None

    class _HttpToolsWithDeadline(_HeaderDeadline, HttpToolsProtocol):
        """httptools: headers are awaited from the start of a message until ``on_headers_complete``."""

        def on_message_begin(self) -> None:
            super().on_message_begin()
            self.arm()

        def on_headers_complete(self) -> None:
            self.disarm()
            super().on_headers_complete()

    return _HttpToolsWithDeadline


def header_timeout_protocol(seconds: float, implementation: str = "auto") -> type[asyncio.Protocol]:
    """A uvicorn ``http`` protocol class (``"auto"``, ``"h11"`` or ``"httptools"``) closing slow-header clients."""
    base: type[Any] | None = _H11WithDeadline
    if implementation in ("auto", "httptools"):
        base = _httptools_protocol() or (_H11WithDeadline if implementation == "auto" else None)
    if base is None:
        raise ValueError("httptools is not installed; use implementation='h11'")
    protocol: type[asyncio.Protocol] = type(base.__name__, (base,), {"header_timeout": seconds})
    return protocol
