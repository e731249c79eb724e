"""A live nlactions server on a loopback port (uvicorn in a thread), keys for two accounts, and MCP clients."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx2
import uvicorn
from mcp.client.streamable_http import streamable_http_client

from helpers.apps import test_app
from mcp import Client
from nlactions.accounts import service as accounts
from nlactions.api.app import create_app
from nlactions.catalog import load_registry
from nlactions.db.engine import make_engine, make_sessionmaker
from nlactions.settings import Settings


@dataclass(frozen=True)
class Live:
    """A running server, a key in account ``acme`` and one in account ``globex``."""

    url: str
    key: str
    other_key: str

    async def store(self, body: dict[str, Any], key: str | None = None) -> dict[str, Any]:
        """Create a stored AI action over HTTP; its JSON."""
        body = {"action_type": "write", "meta": {}, "params": {}, **body}
        async with httpx2.AsyncClient(base_url=self.url, headers={"x-api-key": key or self.key}) as http:
            response = await http.post("/api/v2/ai-actions/", json=body)
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    async def get(self, path: str, key: str | None = None) -> httpx2.Response:
        """A GET on the v2 API with a key."""
        async with httpx2.AsyncClient(base_url=self.url, headers={"x-api-key": key or self.key}) as http:
            return await http.get(path)

    @asynccontextmanager
    async def client(
        self, path: str = "/mcp/", *, key: str | None = None, headers: dict[str, str] | None = None, **options: Any
    ) -> AsyncIterator[Client]:
        """An MCP client of the SDK over streamable HTTP, authenticated with ``key`` (default acme's) or ``headers``."""
        headers = headers if headers is not None else {"x-api-key": key or self.key}
        async with (
            httpx2.AsyncClient(headers=headers, timeout=30) as http,
            Client(streamable_http_client(self.url + path, http_client=http), **options) as client,
        ):
            yield client


async def _key(settings: Settings, account: str, user: str) -> str:
    engine = make_engine(settings.effective_database_url)
    try:
        async with make_sessionmaker(engine)() as session, session.begin():
            created = await accounts.create_key(session, account_name=account, user_email=user)
    finally:
        await engine.dispose()
    return created.key


@asynccontextmanager
async def serve_live(settings: Settings) -> AsyncIterator[Live]:
    """The app (with the test apps) served by uvicorn on a free 127.0.0.1 port."""
    registry = load_registry()
    registry.add(test_app)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        create_app(settings, registry=registry, migrate=False),
        log_level="warning",
        lifespan="on",
        ws="none",
        loop="asyncio",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    for _ in range(400):
        if server.started or not thread.is_alive():
            break
        await asyncio.sleep(0.05)
    assert server.started, "server did not start"
    try:
        key = await _key(settings, "acme", "owner@acme.test")
        other = await _key(settings, "globex", "owner@globex.test")
        yield Live(f"http://127.0.0.1:{port}", key, other)
    finally:
        server.should_exit = True
        await asyncio.to_thread(thread.join, 20)
        sock.close()
