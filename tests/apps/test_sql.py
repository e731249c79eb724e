"""PostgreSQLAPI, MySQLAPI and SQLiteAPI against real databases, through the execute and discovery APIs.

Each test gets a database of its own (a new PostgreSQL / MariaDB database, or a SQLite file) holding a
``customers`` table, and drops it afterwards.
"""

from __future__ import annotations

import logging
import sqlite3
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiomysql
import asyncpg
import httpx
import pytest

from nlactions.apps import sql
from nlactions.apps.mysql import app as mysql_app
from nlactions.apps.postgresql import app as postgresql_app
from nlactions.apps.sql.dialects import MySQL, PostgreSQL, SQLite
from nlactions.apps.sqlite import app as sqlite_app
from nlactions.catalog import Action, ActionContext, AppError
from nlactions.catalog.testing import conformance_suite
from nlactions.kit.http import make_client
from nlactions.kit.localfiles import LocalFileRefused, vet_local_file
from nlactions.kit.ssrf import SSRFGuard
from nlactions.settings import Settings

PG_PASSWORD = "pg-Secret-7f3a9c"  # PostgreSQL here trusts loopback, so any password works: it must never show

test_postgresql_conformance = conformance_suite(postgresql_app)
test_mysql_conformance = conformance_suite(mysql_app)
test_sqlite_conformance = conformance_suite(sqlite_app)

CUSTOMERS = {
    "postgresql": "CREATE TABLE customers (id SERIAL PRIMARY KEY, name TEXT NOT NULL, email TEXT, age INTEGER, "
    "joined TIMESTAMP DEFAULT now())",
    "mysql": "CREATE TABLE customers (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(200) NOT NULL, "
    "email VARCHAR(200), age INT, joined TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP)",
    "sqlite": "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT, age INTEGER, "
    "joined TIMESTAMP DEFAULT CURRENT_TIMESTAMP)",
}
ORDERS = "CREATE TABLE orders (id INTEGER PRIMARY KEY, item VARCHAR(50))"


@dataclass
class Database:
    """One test database: the app that reaches it, the auth fields, and a way to run SQL on it directly."""

    kind: str
    app: str
    fields: dict[str, str]
    name: str
    path: Path | None = None

    async def rows(self, sql: str) -> list[tuple[Any, ...]]:
        """Rows of ``sql`` run directly (not through nlactions)."""
        if self.kind == "postgresql":
            conn = await asyncpg.connect(host="127.0.0.1", user="postgres", database=self.name)
            try:
                return [tuple(r) for r in await conn.fetch(sql)]
            finally:
                await conn.close()
        if self.kind == "mysql":
            my = await aiomysql.connect(host="127.0.0.1", user="root", password="", db=self.name, autocommit=True)
            try:
                async with my.cursor() as cur:
                    await cur.execute(sql)
                    return list(await cur.fetchall())
            finally:
                my.close()
        assert self.path is not None
        with sqlite3.connect(self.path) as lite:
            return lite.execute(sql).fetchall()

    async def tables(self) -> set[str]:
        """The tables that exist now."""
        if self.kind == "postgresql":
            rows = await self.rows("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        elif self.kind == "mysql":
            rows = await self.rows("SHOW TABLES")
        else:
            rows = await self.rows("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {r[0] for r in rows}


async def _admin_pg(sql: str) -> None:
    conn = await asyncpg.connect(host="127.0.0.1", user="postgres", database="postgres")
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def _admin_my(sql: str, db: str | None = None) -> None:
    conn = await aiomysql.connect(host="127.0.0.1", user="root", password="", db=db, autocommit=True)
    try:
        async with conn.cursor() as cur:
            await cur.execute(sql)
    finally:
        conn.close()


@pytest.fixture
def sqlite_dir(tmp_path: Path) -> Path:
    """The directory SQLiteAPI may open files in."""
    folder = tmp_path / "sqlite-allowed"
    folder.mkdir()
    return folder


@pytest.fixture
def settings(settings: Settings, sqlite_dir: Path) -> Settings:
    """Loopback databases allowed past the SSRF guard; SQLite files allowed under ``sqlite_dir``."""
    databases = ["127.0.0.1:5432", "127.0.0.1:3306"]
    return settings.model_copy(update={"ssrf_allow": databases, "sqlite_app_dirs": [sqlite_dir]})


@pytest.fixture(params=["postgresql", "mysql", "sqlite"])
async def db(request: pytest.FixtureRequest, sqlite_dir: Path) -> AsyncIterator[Database]:
    """A fresh database of each kind with ``customers`` and ``orders`` tables."""
    kind = request.param
    name = f"nla_sql_{uuid.uuid4().hex[:10]}"
    if kind == "postgresql":
        try:
            await _admin_pg(f"CREATE DATABASE {name}")
        except OSError as exc:
            pytest.skip(f"PostgreSQL unreachable: {exc}")
        database = Database(
            kind,
            "PostgreSQLAPI",
            {"host": "127.0.0.1", "database": name, "username": "postgres", "password": PG_PASSWORD},
            name,
        )
        await database.rows(CUSTOMERS[kind])
        await database.rows(ORDERS)
        yield database
        await _admin_pg(f"DROP DATABASE {name} WITH (FORCE)")
    elif kind == "mysql":
        try:
            await _admin_my(f"CREATE DATABASE {name}")
        except OSError as exc:
            pytest.skip(f"MariaDB unreachable: {exc}")
        database = Database(kind, "MySQLAPI", {"host": "127.0.0.1", "database": name, "username": "root"}, name)
        await database.rows(CUSTOMERS[kind])
        await database.rows(ORDERS)
        yield database
        await _admin_my(f"DROP DATABASE {name}")
    else:
        path = sqlite_dir / f"{name}.sqlite"
        with sqlite3.connect(path) as lite:
            lite.execute(CUSTOMERS[kind])
            lite.execute(ORDERS)
        yield Database(kind, "SQLiteAPI", {"path": str(path)}, name, path)


async def connect(client: httpx.AsyncClient, db: Database, **extra: str) -> int:
    """Create an authentication for ``db`` through the API; its id."""
    response = await client.post(
        f"/api/v2/apps/{db.app}/auths/", json={"title": db.name, "fields": {**db.fields, **extra}}
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


async def execute(
    client: httpx.AsyncClient, db: Database, action: str, instructions: str = "", **params: Any
) -> dict[str, Any]:
    """POST /api/v2/execute/ and the 200 body."""
    response = await client.post(
        "/api/v2/execute/",
        json={"app": db.app, "action": action, "instructions": instructions, "params": params},
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def locked(value: Any) -> dict[str, Any]:
    return {"mode": "locked", "value": value}


async def test_new_row_from_instructions_guesses_the_table_and_columns(client: httpx.AsyncClient, db: Database) -> None:
    await connect(client, db)
    data = await execute(client, db, "new_row", "add a customer named Ana with email ana@example.com")
    assert data["status"] == "success", data
    assert data["resolved_params"] == {"table": "customers", "name": "Ana", "email": "ana@example.com"}
    assert data["results"][0]["name"] == "Ana" and data["results"][0]["id"] == 1
    assert await db.rows("SELECT name, email, age FROM customers") == [("Ana", "ana@example.com", None)]


async def test_injection_in_a_value_is_stored_verbatim(client: httpx.AsyncClient, db: Database) -> None:
    await connect(client, db)
    hostile = "x'); DROP TABLE orders; --"
    data = await execute(client, db, "new_row", table=locked("customers"), name=locked(hostile))
    assert data["status"] == "success", data
    assert await db.rows("SELECT name FROM customers") == [(hostile,)]
    assert {"customers", "orders"} <= await db.tables()
    found = await execute(client, db, "find_rows", table=locked("customers"), name=locked(hostile))
    assert [r["name"] for r in found["results"]] == [hostile]


async def test_injection_in_a_table_name_is_an_unknown_table(client: httpx.AsyncClient, db: Database) -> None:
    await connect(client, db)
    data = await execute(
        client,
        db,
        "delete_row",
        table=locked("customers; DROP TABLE orders"),
        match_column=locked("id"),
        match_value=locked("1"),
    )
    assert data["status"] == "error"
    assert "'customers; DROP TABLE orders' does not exist" in data["error"]
    assert "customers, orders" in data["error"]
    assert {"customers", "orders"} <= await db.tables()


async def test_find_update_delete(client: httpx.AsyncClient, db: Database) -> None:
    await connect(client, db)
    for name, age in (("Ana", "31"), ("Bo", "40"), ("Cy", "31")):
        added = await execute(client, db, "new_row", table=locked("customers"), name=locked(name), age=locked(age))
        assert added["status"] == "success", added
    found = await execute(client, db, "find_rows", table=locked("customers"), age=locked(31))
    assert [r["name"] for r in found["results"]] == ["Ana", "Cy"]
    assert found["results"][0]["age"] == 31
    none = await execute(client, db, "find_rows", table=locked("customers"), name=locked("Zed"))
    assert none["status"] == "empty"
    updated = await execute(
        client,
        db,
        "update_row",
        table=locked("customers"),
        match_column=locked("name"),
        match_value=locked("Bo"),
        email=locked("bo@example.com"),
    )
    assert updated["status"] == "success", updated
    assert updated["results"] == [{"rows_updated": 1, "table": "customers"}]
    assert await db.rows("SELECT email FROM customers WHERE name = 'Bo'") == [("bo@example.com",)]
    deleted = await execute(
        client, db, "delete_row", table=locked("customers"), match_column=locked("id"), match_value=locked("1")
    )
    assert deleted["results"] == [{"rows_deleted": 1, "table": "customers"}]
    assert await db.rows("SELECT name FROM customers ORDER BY id") == [("Bo",), ("Cy",)]


async def test_a_custom_value_of_the_wrong_type_is_a_400(client: httpx.AsyncClient, db: Database) -> None:
    await connect(client, db)
    response = await client.post(
        "/api/v2/execute/",
        json={
            "app": db.app,
            "action": "new_row",
            "instructions": "",
            "params": {"table": locked("customers"), "name": locked("Ana"), "age": locked("old")},
        },
    )
    assert response.status_code == 400
    assert "params.age" in response.json()["error"]


async def test_an_unknown_column_is_a_400_listing_the_columns(client: httpx.AsyncClient, db: Database) -> None:
    await connect(client, db)
    response = await client.post(
        "/api/v2/execute/",
        json={
            "app": db.app,
            "action": "new_row",
            "instructions": "",
            "params": {"table": locked("customers"), "nickname": locked("A")},
        },
    )
    assert response.status_code == 400, response.text
    error = response.json()
    assert error["code"] == "unknown_need"
    assert "'nickname' is not a need" in error["error"]
    assert "Valid needs: table, id, name, email, age, joined." in error["hint"]


async def test_run_query_is_read_only_by_default(client: httpx.AsyncClient, db: Database) -> None:
    await connect(client, db)
    data = await execute(client, db, "run_query", query=locked("INSERT INTO customers (name) VALUES ('Eve')"))
    assert data["status"] == "error"
    assert "read-only" in data["error"] and "Allow Writes" in data["error"]
    assert await db.rows("SELECT count(*) FROM customers") == [(0,)]
    dropped = await execute(client, db, "run_query", query=locked("DROP TABLE orders"))
    assert dropped["status"] == "error"
    assert "orders" in await db.tables()


async def test_run_query_returns_labelled_rows_with_bound_parameters(client: httpx.AsyncClient, db: Database) -> None:
    await connect(client, db)
    await db.rows("INSERT INTO customers (name, age) VALUES ('Ana', 31), ('Bo', 40), ('Cy', 50)")
    data = await execute(
        client,
        db,
        "run_query",
        query=locked("SELECT name AS who, age FROM customers WHERE age > :min ORDER BY age"),
        parameters=locked({"min": 35}),
        max_rows=locked(1),
    )
    assert data["status"] == "success", data
    assert data["results"] == [{"who": "Bo", "age": 40}]


async def test_run_query_writes_when_the_authentication_allows(client: httpx.AsyncClient, db: Database) -> None:
    await connect(client, db, allow_writes="true")
    data = await execute(
        client, db, "run_query", query=locked("INSERT INTO customers (name) VALUES (:n)"), parameters=locked({"n": "E"})
    )
    assert data["status"] == "success", data
    assert data["results"] == [{"rows_affected": 1}]
    assert await db.rows("SELECT name FROM customers") == [("E",)]


async def test_action_details_list_the_columns_once_the_table_is_given(client: httpx.AsyncClient, db: Database) -> None:
    await connect(client, db)
    path = f"/api/v2/apps/{db.app}/actions/new_row/"
    bare = (await client.post(path, json={"params": {}})).json()["results"][0]
    assert [n["key"] for n in bare["action_needs"]] == ["table"]
    assert bare["action_has_custom_needs_probability"] == 1.0
    given = (await client.post(path, json={"params": {"table": "customers"}})).json()["results"][0]
    needs = {n["key"]: n for n in given["action_needs"]}
    assert list(needs) == ["table", "id", "name", "email", "age", "joined"]
    assert needs["name"]["custom_field"] is True and needs["name"]["required"] is True
    assert needs["age"]["type"] == "int" and needs["age"]["required"] is False
    assert needs["joined"]["type"] == "datetime"
    assert needs["id"]["required"] is False  # the database numbers rows itself


async def test_no_password_in_responses_or_logs(
    client: httpx.AsyncClient, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    if db.kind != "postgresql":
        pytest.skip("only the PostgreSQL test database takes a password")
    caplog.set_level(logging.DEBUG)
    await connect(client, db)
    texts = [
        (await client.get(f"/api/v2/apps/{db.app}/auths/")).text,
        (
            await client.post(
                "/api/v2/execute/",
                json={
                    "app": db.app,
                    "action": "run_query",
                    "instructions": "",
                    "params": {"query": locked("SELECT * FROM no_such_table")},
                },
            )
        ).text,
        (
            await client.post(
                "/api/v2/execute/",
                json={"app": db.app, "action": "new_row", "instructions": "add a customer named Ana", "params": {}},
            )
        ).text,
    ]
    assert "no_such_table" in texts[1]
    for text in [*texts, caplog.text]:
        assert PG_PASSWORD not in text


async def test_sqlite_refuses_files_outside_the_allowed_directories(
    client: httpx.AsyncClient, tmp_path: Path, settings: Settings
) -> None:
    outside = tmp_path / "elsewhere.sqlite"
    sqlite3.connect(outside).close()
    for path in (str(outside), "../elsewhere.sqlite", str(settings.data_dir / "nlactions.db")):
        response = await client.post("/api/v2/apps/SQLiteAPI/auths/", json={"title": "x", "fields": {"path": path}})
        assert response.status_code == 400, response.text
        assert "outside the directories this server allows" in response.json()["error"]


async def test_sqlite_refuses_every_file_when_no_directory_is_allowed(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    settings.sqlite_app_dirs.clear()
    response = await client.post("/api/v2/apps/SQLiteAPI/auths/", json={"title": "x", "fields": {"path": "a.db"}})
    assert response.status_code == 400
    assert "NLACTIONS_SQLITE_APP_DIRS" in response.json()["error"]


async def test_sqlite_run_query_cannot_open_or_write_another_file(
    client: httpx.AsyncClient, db: Database, tmp_path: Path
) -> None:
    if db.kind != "sqlite":
        pytest.skip("SQLite only")
    await connect(client, db, allow_writes="true")
    other = tmp_path / "other.sqlite"
    for query in (f"ATTACH DATABASE '{other}' AS other", f"VACUUM INTO '{other}'"):
        data = await execute(client, db, "run_query", query=locked(query))
        assert data["status"] == "error", query
        assert "nlactions refused this SQLite statement" in data["error"]
        assert not other.exists()


@pytest.mark.parametrize("host", ["10.0.0.1", "169.254.169.254"])
async def test_the_ssrf_guard_refuses_a_private_server_not_allowed(client: httpx.AsyncClient, host: str) -> None:
    response = await client.post(
        "/api/v2/apps/PostgreSQLAPI/auths/",
        json={"title": "own", "fields": {"host": host, "database": "test", "username": "postgres"}},
    )
    assert response.status_code == 400, response.text
    assert "NLACTIONS_SSRF_ALLOW" in response.json()["hint"]


SLOW = {
    "postgresql": "SELECT pg_sleep(5)",
    "mysql": "SELECT SLEEP(5)",
    "sqlite": "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c",
}
DIALECTS = {"postgresql": PostgreSQL(), "mysql": MySQL(), "sqlite": SQLite()}


def tight_action(db: Database, key: str) -> Action:
    """``key`` of ``db``'s dialect with a 0.5 s statement limit and a 2-row cap."""
    built = {a.key: a for a in sql.actions(DIALECTS[db.kind], sql.Limits(statement_seconds=0.5, max_rows=2))}
    return built[key]


def context(db: Database, sqlite_dir: Path, **extra: str) -> ActionContext:
    """An action context on ``db`` with the loopback allowed, as the server builds it."""
    client = make_client(guard=SSRFGuard(["127.0.0.1:5432", "127.0.0.1:3306"]), local_dirs=[sqlite_dir])
    return ActionContext(http=client, credentials={**db.fields, **extra})


async def test_a_statement_over_the_time_limit_is_stopped(db: Database, sqlite_dir: Path) -> None:
    action = tight_action(db, "run_query")
    ctx = context(db, sqlite_dir)
    with pytest.raises(AppError) as raised:
        await action.perform(ctx, action.input.model_validate({"query": SLOW[db.kind]}))
    assert "time limit" in raised.value.message
    await ctx.http.aclose()


async def test_rows_are_capped(db: Database, sqlite_dir: Path) -> None:
    await db.rows("INSERT INTO customers (name) VALUES ('a'), ('b'), ('c'), ('d')")
    ctx = context(db, sqlite_dir)
    for key, params in (
        ("run_query", {"query": "SELECT name FROM customers", "max_rows": 50}),
        ("find_rows", {"table": "customers", "max_rows": 50}),
    ):
        action = tight_action(db, key)
        rows = await action.perform(ctx, action.input.model_validate(params))
        assert [r["name"] for r in rows] == ["a", "b"]
    await ctx.http.aclose()


async def test_sqlite_run_query_cannot_switch_read_only_off(db: Database, sqlite_dir: Path) -> None:
    if db.kind != "sqlite":
        pytest.skip("SQLite only")
    action = tight_action(db, "run_query")
    ctx = context(db, sqlite_dir)
    with pytest.raises(AppError):
        await action.perform(ctx, action.input.model_validate({"query": "PRAGMA query_only = OFF"}))
    await ctx.http.aclose()


def test_a_symlink_out_of_the_allowed_directory_is_refused(tmp_path: Path, sqlite_dir: Path) -> None:
    outside = tmp_path / "secret.sqlite"
    sqlite3.connect(outside).close()
    (sqlite_dir / "link.sqlite").symlink_to(outside)
    inside = sqlite_dir / "ok.sqlite"
    sqlite3.connect(inside).close()
    assert vet_local_file("ok.sqlite", [sqlite_dir]) == inside.resolve()
    for path in ("link.sqlite", str(sqlite_dir / ".." / "secret.sqlite"), "missing.sqlite", str(sqlite_dir)):
        with pytest.raises(LocalFileRefused):
            vet_local_file(path, [sqlite_dir])


def test_settings_refuse_the_data_dir_as_a_sqlite_dir(tmp_path: Path) -> None:
    data = tmp_path / "data"
    for allowed in (data, tmp_path, data / "inner"):
        with pytest.raises(ValueError, match="data dir"):
            Settings(_env_file=None, data_dir=data, sqlite_app_dirs=[allowed])  # type: ignore[call-arg]
    other = tmp_path / "dbs"
    parsed = Settings(_env_file=None, data_dir=data, sqlite_app_dirs=f"{other},{other}2")  # type: ignore[call-arg]
    assert parsed.sqlite_app_dirs == [other, Path(f"{other}2")]


async def test_a_bad_ssl_mode_is_refused_naming_it(client: httpx.AsyncClient) -> None:
    fields = {"host": "127.0.0.1", "database": "test", "username": "postgres", "ssl_mode": "maybe"}
    response = await client.post("/api/v2/apps/PostgreSQLAPI/auths/", json={"title": "x", "fields": fields})
    assert response.status_code == 400
    assert "is not one of disable, require, verify" in response.json()["error"]


async def test_tables_and_columns_are_prefill_choices(client: httpx.AsyncClient, db: Database) -> None:
    await connect(client, db)
    tables = await client.post(f"/api/v2/apps/{db.app}/choices/table.name/", json={"params": {}})
    assert tables.status_code == 200, tables.text
    assert [c["key"] for c in tables.json()["results"]] == ["customers", "orders"]
    columns = await client.post(
        f"/api/v2/apps/{db.app}/choices/update_row.match_column/", json={"params": {"table": "customers"}}
    )
    assert [c["key"] for c in columns.json()["results"]] == ["id", "name", "email", "age", "joined"]
