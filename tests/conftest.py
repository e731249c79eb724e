"""Shared fixtures: a started app on SQLite and on PostgreSQL, an API key, an HTTP client.

The suite is hermetic: the caller's ``NLACTIONS_*`` settings are cleared before collection.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator, Mapping
from pathlib import Path

import httpx
import pytest
from cryptography.fernet import Fernet
from fastapi import FastAPI

from helpers.apps import keyed_app, test_app
from nlactions.accounts import service as accounts
from nlactions.api.app import create_app
from nlactions.api.runtime import Runtime
from nlactions.catalog import load_registry
from nlactions.db.engine import make_engine
from nlactions.db.migrate import upgrade
from nlactions.settings import Settings

# Variables that steer the suite itself (read here or at import of a test module); every other
# NLACTIONS_* variable of the caller's shell is a server setting and is cleared (see pytest_configure).
TEST_CONTROL = frozenset(
    {
        "NLACTIONS_TEST_POSTGRES_URL",
        "NLACTIONS_TEST_DATABASES",
        "NLACTIONS_TEST_REDIS_URL",
        "NLACTIONS_REQUIRE_POSTGRES",
        "NLACTIONS_SCHEMATHESIS_EXAMPLES",
    }
)
POSTGRES_URL = os.environ.get("NLACTIONS_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
BACKENDS = [b.strip() for b in os.environ.get("NLACTIONS_TEST_DATABASES", "sqlite,postgres").split(",") if b.strip()]
REQUIRE_POSTGRES = os.environ.get("NLACTIONS_REQUIRE_POSTGRES") == "1"
_CLEARED: dict[str, str] = {}


def stray_settings(environ: Mapping[str, str]) -> dict[str, str]:
    """The ``NLACTIONS_*`` server settings in ``environ`` (everything but the suite's own controls)."""
    return {k: v for k, v in environ.items() if k.startswith("NLACTIONS_") and k not in TEST_CONTROL}


def pytest_configure(config: pytest.Config) -> None:
    """Run hermetically: drop the caller's NLACTIONS_* settings, for this process and the servers it starts."""
    _CLEARED.update(stray_settings(os.environ))
    for name in _CLEARED:
        del os.environ[name]


def pytest_unconfigure(config: pytest.Config) -> None:
    """Give the caller's settings back (for an in-process pytest.main)."""
    os.environ.update(_CLEARED)
    _CLEARED.clear()


def _dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


async def _postgres_reachable() -> str | None:
    import asyncpg

    try:
        conn = await asyncio.wait_for(asyncpg.connect(_dsn(POSTGRES_URL)), timeout=3)
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    await conn.close()
    return None


async def _admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(_dsn(POSTGRES_URL))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def _truncate_postgres(url: str) -> None:
    from sqlalchemy import text

    from nlactions.db.models import Base

    engine = make_engine(url)
    names = ", ".join(t.name for t in Base.metadata.sorted_tables)
    async with engine.begin() as conn:
        await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    await engine.dispose()


@pytest.fixture(scope="session")
async def postgres_session_url() -> AsyncIterator[str | None]:
    """A database of this test session's own (created from the server's, dropped after), or None."""
    if "postgres" not in BACKENDS or await _postgres_reachable() is not None:
        yield None
        return
    name = f"nlactions_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    await _admin(f'CREATE DATABASE "{name}"')
    base, _, _db = POSTGRES_URL.rpartition("/")
    url = f"{base}/{name}"
    engine = make_engine(url)
    await upgrade(engine)
    await engine.dispose()
    try:
        yield url
    finally:
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
async def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file copied for each test (migrating once is much faster)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite+aiosqlite:///{path}")
    await upgrade(engine)
    await engine.dispose()
    return path


@pytest.fixture(params=BACKENDS)
async def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path, postgres_session_url: str | None
) -> str:
    """A migrated, empty database of each backend."""
    if request.param == "postgres":
        if postgres_session_url is None:
            problem = await _postgres_reachable()
            if REQUIRE_POSTGRES:
                pytest.fail(f"PostgreSQL required but unreachable at {POSTGRES_URL}: {problem}")
            pytest.skip(f"PostgreSQL unreachable at {POSTGRES_URL}: {problem}")
        await _truncate_postgres(postgres_session_url)
        return postgres_session_url
    target = tmp_path / "nlactions.db"
    shutil.copy(sqlite_template, target)
    return f"sqlite+aiosqlite:///{target}"


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    """Settings isolated in a temporary data dir."""
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=tmp_path / "data",
        database_url=database_url,
        secret_key=Fernet.generate_key().decode(),
        api_key_cache_seconds=0,
    )


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    """A started app (lifespan run) on the test database."""
    registry = load_registry()
    registry.add(test_app)
    registry.add(keyed_app)
    application = create_app(settings, registry=registry, migrate=False)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
def runtime(app: FastAPI) -> Runtime:
    """The started app's runtime."""
    return app.state.runtime  # type: ignore[no-any-return]


async def make_key(runtime: Runtime, account: str = "acme", user: str = "owner@acme.test") -> accounts.CreatedKey:
    """Create an API key (and its account and user) directly through the service."""
    async with runtime.sessions() as session, session.begin():
        return await accounts.create_key(session, account_name=account, user_email=user)


@pytest.fixture
async def key(runtime: Runtime) -> accounts.CreatedKey:
    """A key in account 'acme'."""
    return await make_key(runtime)


@pytest.fixture
async def client(app: FastAPI, key: accounts.CreatedKey) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client through ASGI, authenticated with ``key``."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://nlactions.test", headers={"x-api-key": key.key}
    ) as http:
        yield http


@pytest.fixture
def anyio_backend() -> Iterator[str]:
    """Run anyio-marked tests on asyncio."""
    yield "asyncio"
