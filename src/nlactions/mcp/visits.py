"""Who is asking, through which transport: the caller admitted exactly as HTTP admits one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from mcp.server.context import ServerRequestContext

from nlactions.accounts.service import Caller
from nlactions.api.runtime import Runtime
from nlactions.errors import Unauthorized
from nlactions.ratelimits.quota import Meter
from nlactions.ratelimits.service import Budget, RateLimits

VISIT = "nlactions.mcp.visit"
"""The ASGI scope key under which the HTTP door leaves the admitted visit for the handlers."""


@dataclass(frozen=True, slots=True)
class Visit:
    """One admitted MCP request: the server's runtime, the caller, and the server's public base URL."""

    runtime: Runtime
    caller: Caller
    base_url: str


class Door(Protocol):
    """How a transport hands a handler its admitted visit."""

    async def visit(self, ctx: ServerRequestContext[Any, Any], budget: Budget) -> Visit:
        """The visit of this request; ``budget`` is what it spends if the transport has not charged yet."""
        ...


class HttpDoor:
    """Streamable HTTP: the ASGI layer admitted the request (and charged its budget) before the SDK saw it."""

    async def visit(self, ctx: ServerRequestContext[Any, Any], budget: Budget) -> Visit:
        """The visit the ASGI layer left in the request's scope."""
        request = ctx.request
        found = request.scope.get(VISIT) if request is not None else None
        if not isinstance(found, Visit):  # unreachable behind the ASGI layer; refuse rather than guess
            raise Unauthorized("No API key: send it in the x-api-key header or as 'Authorization: Bearer <key>'.")
        return found


class StdioDoor:
    """stdio: one key for the process, admitted (authenticated and charged) on every request like HTTP's."""

    def __init__(self, runtime: Runtime, limits: RateLimits, key: str, base_url: str):
        self.runtime = runtime
        self.limits = limits
        self.key = key
        self.base_url = base_url

    async def visit(self, ctx: ServerRequestContext[Any, Any], budget: Budget) -> Visit:
        """Authenticate the process's key and spend one of ``budget`` (a revoked key stops working here too)."""
        caller = await self.limits.admit(self.runtime.authenticator, self.key, "stdio", budget, Meter())
        return Visit(self.runtime, caller, self.base_url)
