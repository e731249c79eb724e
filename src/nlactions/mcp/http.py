"""Streamable HTTP at ``/mcp/`` (managed) and ``/mcp/agentic/``, admitted like every HTTP request.

Each POST is authenticated from ``x-api-key`` or ``Authorization: Bearer`` and charged to the read or
execute budget (a ``tools/call`` that runs something) through ``api.deps.admit`` before the SDK reads it;
no or a bad credential is a 401 whose ``WWW-Authenticate`` points at the protected-resource metadata.
The SDK's session managers run stateless: any process behind a load balancer answers any request.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

from fastapi import FastAPI
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecuritySettings
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.types import Message, Receive, Scope, Send

from nlactions.api.deps import admit, key_of, public_base_url, runtime_of
from nlactions.errors import NLActionsError
from nlactions.mcp.agentic import READ_TOOLS
from nlactions.mcp.server import Mode, build_server
from nlactions.mcp.visits import VISIT, HttpDoor, Visit
from nlactions.ratelimits.service import Budget

METADATA_PATH = "/.well-known/oauth-protected-resource"
SCOPES = ["nla:exposed_actions:execute", "openid"]
PATHS: dict[Mode, tuple[str, ...]] = {"managed": ("/mcp", "/mcp/"), "agentic": ("/mcp/agentic", "/mcp/agentic/")}


def base_url(request: Request) -> str:
    """The server's public base URL (``NLACTIONS_PUBLIC_URL``, else as this request reached it): the OAuth issuer's."""
    return public_base_url(request)


def protected_resource(request: Request) -> dict[str, Any]:
    """RFC 9728 metadata: this server is the resource, and its own authorization server issues the tokens."""
    base = base_url(request)
    return {
        "resource": base,
        "authorization_servers": [base],
        "scopes_supported": SCOPES,
        "bearer_methods_supported": ["header"],
        "resource_name": "nlactions",
    }


async def metadata_endpoint(request: Request) -> JSONResponse:
    """``GET /.well-known/oauth-protected-resource``."""
    return JSONResponse(protected_resource(request))


def budget_of(body: bytes, mode: Mode) -> Budget:
    """Execute for a ``tools/call`` that runs or previews an action, read for anything else."""
    try:
        message = json.loads(body) if body else None
    except (ValueError, RecursionError):
        return Budget.READ
    for item in message if isinstance(message, list) else [message]:
        if not isinstance(item, dict) or item.get("method") != "tools/call":
            continue
        params = item.get("params")
        name = params.get("name") if isinstance(params, dict) else None
        if mode == "managed" or name not in READ_TOOLS:
            return Budget.EXECUTE
    return Budget.READ


def _refusal(request: Request, exc: NLActionsError) -> JSONResponse:
    headers: dict[str, str] = {}
    if exc.status == 401:
        headers["WWW-Authenticate"] = f'Bearer resource_metadata="{base_url(request)}{METADATA_PATH}"'
    # a 429's Retry-After and RateLimit-* headers are the RateLimitHeaders middleware's, as on every route
    return JSONResponse(exc.body(), status_code=exc.status, headers=headers)


class McpEndpoint:
    """ASGI endpoint of one mode: admit the caller, then hand the request (body replayed) to the SDK."""

    def __init__(self, front: McpHttp, mode: Mode):
        self.front = front
        self.mode = mode

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        body = await request.body()
        key = key_of(request.headers.get("x-api-key"), request.headers.get("authorization"))
        try:
            caller = await admit(request, key, budget_of(body, self.mode))
        except NLActionsError as exc:
            await _refusal(request, exc)(scope, receive, send)
            return
        if scope["method"] == "GET":  # stateless: no session, so no stream of server messages to open
            refused = {
                "error": "GET: this server keeps no event stream (it is stateless).",
                "code": "method_not_allowed",
                "hint": "POST each JSON-RPC request to this URL; the answer comes in the response.",
            }
            await JSONResponse(refused, status_code=405, headers={"Allow": "POST"})(scope, receive, send)
            return
        scope[VISIT] = Visit(runtime_of(request), caller, base_url(request))
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        manager = self.front.managers.get(self.mode)
        if manager is None:  # the app's lifespan has not started (or has ended)
            unavailable = {"error": "The MCP server is not running.", "code": "unavailable", "hint": "Retry shortly."}
            await JSONResponse(unavailable, status_code=503)(scope, receive, send)
            return
        await manager.handle_request(scope, replay, send)


class McpHttp:
    """Both modes' session managers, their routes, and the lifespan they need."""

    def __init__(self) -> None:
        self.managers: dict[Mode, StreamableHTTPSessionManager] = {}

    def install(self, app: FastAPI) -> None:
        """Add the MCP endpoints and the protected-resource metadata to ``app``."""
        for mode, paths in PATHS.items():
            endpoint = McpEndpoint(self, mode)
            for path in paths:
                app.router.routes.append(Route(path, endpoint=endpoint, include_in_schema=False))
        app.router.routes.append(
            Route(METADATA_PATH, endpoint=metadata_endpoint, methods=["GET"], include_in_schema=False)
        )

    @asynccontextmanager
    async def run(self) -> AsyncIterator[None]:
        """Run fresh session managers (the SDK's task groups; each runs once) for the app's lifetime.

        They run in a task of their own, which enters and leaves their task groups: a lifespan's start and
        end may run in different tasks (test fixtures do), and a task group must be left where it was entered.
        """
        # Every request carries its credential, which a page rebinding a name to this host does not have,
        # so the SDK's Host/Origin allow-list (which would refuse this server's own public name) is off.
        security = TransportSecuritySettings(enable_dns_rebinding_protection=False)
        managers: dict[Mode, StreamableHTTPSessionManager] = {
            mode: StreamableHTTPSessionManager(
                app=build_server(mode, HttpDoor()), stateless=True, json_response=True, security_settings=security
            )
            for mode in PATHS
        }
        ready, stop = asyncio.Event(), asyncio.Event()

        async def hold() -> None:
            try:
                async with AsyncExitStack() as stack:
                    for manager in managers.values():
                        await stack.enter_async_context(manager.run())
                    self.managers = managers
                    ready.set()
                    await stop.wait()
            finally:
                self.managers = {}

        holder = asyncio.create_task(hold(), name="nlactions-mcp")
        started = asyncio.create_task(ready.wait())
        await asyncio.wait({holder, started}, return_when=asyncio.FIRST_COMPLETED)
        if holder.done():
            started.cancel()
            holder.result()  # it failed to start: raise why
        try:
            yield
        finally:
            stop.set()
            await holder
