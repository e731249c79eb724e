"""``create_app(settings)``: the FastAPI application, with engines built in the lifespan."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

import httpx
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from nlactions import __version__
from nlactions.accounts.endpoints import router as accounts_router
from nlactions.ai_actions.endpoints import router as ai_actions_router
from nlactions.api import errors
from nlactions.api.middleware import BodyGuard, TrailingSlash
from nlactions.api.runtime import build_runtime
from nlactions.authentications.endpoints import router as authentications_router
from nlactions.catalog import Registry
from nlactions.catalog_api.endpoints import router as catalog_router
from nlactions.choices.endpoints import router as choices_router
from nlactions.connect.endpoints import api_router as connect_router
from nlactions.connect.endpoints import browser_router as connect_pages
from nlactions.console import endpoints as console
from nlactions.db.migrate import upgrade
from nlactions.execute.endpoints import router as execute_router
from nlactions.mcp.http import McpHttp
from nlactions.oauth import endpoints as oauth
from nlactions.ratelimits.headers import RateLimitHeaders
from nlactions.ratelimits.service import RateLimits
from nlactions.resolver import semantic
from nlactions.resolver.base import Resolver
from nlactions.settings import Settings
from nlactions.signin import endpoints as signin
from nlactions.v1.endpoints import router as v1_router
from nlactions.web.pages import STATIC

log = logging.getLogger(__name__)

DESCRIPTION = (
    "A self-hostable server that speaks Zapier's AI Actions API. Authenticate with the `x-api-key` "
    'header or `Authorization: Bearer <key>`. Every error body is `{"error": ...}`.'
)


def create_app(
    settings: Settings | None = None,
    *,
    registry: Registry | None = None,
    resolver: Resolver | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    migrate: bool = True,
) -> FastAPI:
    """Build the app; nothing touches the database until the lifespan starts."""
    settings = settings or Settings()
    mcp = McpHttp()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # The embedding model's first load holds the interpreter for a while: a server does it in the
        # background at start, not inside a request (short-lived CLI commands load it when they need it).
        semantic.preload()
        runtime = build_runtime(settings, registry=registry, resolver=resolver, transport=transport)
        if migrate:
            await upgrade(runtime.engine)
        app.state.runtime = runtime
        app.state.rate_limits = RateLimits.from_settings(settings)
        stack = AsyncExitStack()
        try:
            await runtime.start()
            await stack.enter_async_context(mcp.run())
            # What startup built (app, models, catalog) lives as long as the process: out of the collector's
            # sight, a full collection no longer walks it (under load they took a sixth of the time).
            gc.freeze()
            yield
        finally:
            gc.unfreeze()
            await stack.aclose()
            await app.state.rate_limits.close()
            await runtime.close()

    app = FastAPI(
        title="nlactions — AI Actions API",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    errors.install(app)
    app.include_router(accounts_router)
    app.include_router(execute_router)
    app.include_router(connect_router)
    app.include_router(authentications_router)
    app.include_router(connect_pages)
    app.include_router(ai_actions_router)
    app.include_router(v1_router)
    app.include_router(catalog_router)
    app.include_router(choices_router)
    mcp.install(app)
    signin.install(app)
    console.install(app)
    app.include_router(oauth.router)
    app.include_router(oauth.api)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(BodyGuard, max_bytes=settings.max_body_bytes, timeout_seconds=settings.body_timeout_seconds)
    app.add_middleware(TrailingSlash)
    app.add_middleware(RateLimitHeaders)
    return app
