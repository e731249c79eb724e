"""Upgrading a database made by an older release keeps its data working under the new rules."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet
from sqlalchemy.ext.asyncio import AsyncConnection

from conftest import BACKENDS, POSTGRES_URL, REQUIRE_POSTGRES, _admin, _postgres_reachable
from nlactions.api.app import create_app
from nlactions.db.engine import make_engine
from nlactions.db.migrate import upgrade
from nlactions.kit.crypto import display_prefix, generate_api_key, hash_token
from nlactions.settings import Settings


def _table(name: str, *columns: str) -> sa.TableClause:
    """A table as revision 0001 made it, for raw inserts (the models describe the newest schema)."""
    return sa.table(name, *(sa.column(c) for c in ("id", "created_at", *columns)))


users = _table("users", "email", "name", "is_staff")
accounts = _table("accounts", "name")
memberships = _table("memberships", "user_id", "account_id", "role")
api_keys = _table("api_keys", "user_id", "account_id", "name", "prefix", "key_hash")
NOW = sa.func.current_timestamp()


@pytest.fixture(params=BACKENDS)
async def blank_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database of each backend, no schema at all."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
        return
    problem = await _postgres_reachable()
    if problem is not None:
        if REQUIRE_POSTGRES:
            pytest.fail(f"PostgreSQL required but unreachable at {POSTGRES_URL}: {problem}")
        pytest.skip(f"PostgreSQL unreachable at {POSTGRES_URL}: {problem}")
    name = f"nlactions_migrate_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    await _admin(f'CREATE DATABASE "{name}"')
    try:
        yield f"{POSTGRES_URL.rpartition('/')[0]}/{name}"
    finally:
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _insert(conn: AsyncConnection, table: sa.TableClause, **values: object) -> int:
    """Insert a row stamped now; its id."""
    inserted = await conn.execute(sa.insert(table).values(**values, created_at=NOW).returning(table.c.id))
    return int(inserted.scalar_one())


async def test_a_key_from_before_key_scopes_reaches_its_own_account_only(blank_database_url: str) -> None:
    engine = make_engine(blank_database_url)
    await upgrade(engine, "0001")
    plain = generate_api_key()
    async with engine.begin() as conn:
        user = await _insert(conn, users, email="admin@localhost", name="admin", is_staff=False)
        own, other = [await _insert(conn, accounts, name=name) for name in ("default", "beta")]
        for account in (own, other):
            await _insert(conn, memberships, user_id=user, account_id=account, role="owner")
        secret = {"prefix": display_prefix(plain), "key_hash": hash_token(plain)}
        key_id = await _insert(conn, api_keys, user_id=user, account_id=own, name="", **secret)
    await upgrade(engine)
    async with engine.connect() as conn:
        scope = await conn.scalar(sa.text("SELECT all_accounts FROM api_keys WHERE id = :id"), {"id": key_id})
    await engine.dispose()
    assert scope in (False, 0)

    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=blank_database_url,
        secret_key=Fernet.generate_key().decode(),
        api_key_cache_seconds=0,
    )
    app = create_app(settings, migrate=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        headers = {"x-api-key": plain}
        async with httpx.AsyncClient(transport=transport, base_url="http://old.test", headers=headers) as http:
            check = await http.get("/api/v2/auth/check/")
            listed = await http.get("/api/v2/auth/accounts/")
            mine = await http.get("/api/v2/ai-actions/", params={"account_id": own})
            theirs = await http.get("/api/v2/ai-actions/", params={"account_id": other})
    assert check.status_code == 200 and check.json()["email"] == "admin@localhost"
    assert [a["id"] for a in listed.json()["results"]] == [own]
    assert mine.status_code == 200
    assert theirs.status_code == 403, theirs.text
