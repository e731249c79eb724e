"""Reaching a mail server: the SSRF-checked address, a connected socket, TLS, and failures in words."""

from __future__ import annotations

import asyncio
import socket
import ssl

import httpx

from nlactions.apps.email._account import Server
from nlactions.catalog import ActionContext, AppError, UpstreamError
from nlactions.kit.ssrf import BlockedDestination

CONNECT_TIMEOUT = 10.0
"""Seconds to open the TCP connection (the action's own timeout is longer)."""
COMMAND_TIMEOUT = 20.0
"""Seconds to wait for any one server reply."""


def tls_context() -> ssl.SSLContext:
    """A client TLS context that verifies the server's certificate and host name (the system's CAs)."""
    return ssl.create_default_context(ssl.Purpose.SERVER_AUTH)


def _fields(server: Server) -> str:
    return f"{server.field_prefix}_host, {server.field_prefix}_port and {server.field_prefix}_security"


async def address(ctx: ActionContext, server: Server) -> str:
    """The IP to connect to for ``server``, refused by the SSRF guard as HTTP would be."""
    try:
        return await ctx.tcp_address(server.host, server.port)
    except BlockedDestination as exc:
        raise AppError(
            exc.message,
            hint=f"Use a public {server.protocol} server; the nlactions administrator can allow a private "
            "mail server with NLACTIONS_SSRF_ALLOW.",
        ) from None
    except httpx.InvalidURL:
        raise AppError(
            f"{server.field_prefix}_host {server.host!r} is not a valid host name.",
            hint=f"Edit the authentication's {server.field_prefix}_host field.",
        ) from None
    except (httpx.RequestError, OSError):
        raise UpstreamError(
            f"Could not resolve the {server.protocol} server's host name {server.host}.",
            hint=f"Check {server.field_prefix}_host in the authentication.",
        ) from None


async def connect_socket(ctx: ActionContext, server: Server) -> socket.socket:
    """A TCP socket connected to the checked address of ``server`` (non-blocking, for asyncio)."""
    ip = await address(ctx, server)
    family = socket.AF_INET6 if ":" in ip else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setblocking(False)
    try:
        async with asyncio.timeout(CONNECT_TIMEOUT):
            await asyncio.get_running_loop().sock_connect(sock, (ip, server.port))
    except BaseException as exc:
        sock.close()
        if isinstance(exc, TimeoutError | OSError):
            raise connect_failure(server, exc) from None
        raise
    return sock


def connect_failure(server: Server, exc: BaseException) -> UpstreamError:
    """The error for a connection that could not be opened, encrypted or kept: names host:port."""
    where = f"the {server.protocol} server {server.where}"
    check = f"Check {_fields(server)} in the authentication"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return UpstreamError(
            f"The TLS certificate of {where} could not be verified: {exc.verify_message or exc.reason}.",
            hint=f"{check}: the host name must match the server's certificate, which must be signed by a "
            "trusted authority.",
        )
    if isinstance(exc, ssl.SSLError):
        return UpstreamError(
            f"The TLS handshake with {where} failed ({exc.reason or type(exc).__name__}).",
            hint=f"{check}: tls is for ports like 465 and 993, starttls for 587 and 143.",
        )
    if isinstance(exc, TimeoutError):
        return UpstreamError(
            f"{where[0].upper()}{where[1:]} did not answer within {CONNECT_TIMEOUT:g} s.",
            hint=f"{check}, and that the server is up.",
        )
    if isinstance(exc, ConnectionRefusedError):
        return UpstreamError(f"{where[0].upper()}{where[1:]} refused the connection.", hint=f"{check}.")
    return UpstreamError(
        f"The connection to {where} failed ({type(exc).__name__}: {exc}).",
        hint=f"{check}, and that the server is up.",
    )
