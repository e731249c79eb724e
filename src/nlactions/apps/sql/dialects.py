"""How each database is reached: its auth fields, and an engine that is SSRF-vetted, time-limited and,
for ``run_query`` without writes, read-only.

Every engine uses ``NullPool`` and lives for one action or choice load (``connection.connect``
disposes of it), so no connection outlives the call that opened it.
"""

from __future__ import annotations

import math
import sqlite3
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import quote

import aiosqlite
from sqlalchemy import URL, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from nlactions.catalog import ActionContext, AuthField, ChoiceContext, InvalidInput
from nlactions.kit.localfiles import LocalFileRefused

AnyContext = ActionContext | ChoiceContext
SSL_MODES = ("disable", "require", "verify")
CONNECT_TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True, slots=True)
class Limits:
    """What bounds one statement: its time and, for queries, the number of rows returned."""

    statement_seconds: float = 15.0
    max_rows: int = 500


class Dialect(Protocol):
    """One database family: its key, auth fields, engine and per-transaction guards."""

    @property
    def key(self) -> str:
        """A short lowercase name."""
        ...

    @property
    def name(self) -> str:
        """The database's name for people."""
        ...

    @property
    def fields(self) -> tuple[AuthField, ...]:
        """The authentication fields."""
        ...

    async def engine(self, ctx: AnyContext, *, read_only: bool, limits: Limits) -> AsyncEngine:
        """A one-use engine for the credentials in ``ctx`` (no pool)."""
        ...

    async def begin(self, conn: AsyncConnection, *, read_only: bool, limits: Limits) -> None:
        """Apply the statement timeout (and read-only mode) at the start of a transaction."""
        ...

    def describe(self, credentials: Mapping[str, str]) -> str:
        """A label for the connection that names no secret."""
        ...


def flag(credentials: Mapping[str, str], key: str) -> bool:
    """A yes/no auth field: true, yes, 1 or on (any case) is yes."""
    return credentials.get(key, "").strip().lower() in ("true", "yes", "1", "on")


def _port(credentials: Mapping[str, str], default: int) -> int:
    raw = credentials.get("port", "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise InvalidInput("port", f"Port {raw!r} is not a TCP port number.", hint="Use e.g. 5432 or 3306.")
    return int(raw)


def _ssl_mode(credentials: Mapping[str, str]) -> str:
    mode = credentials.get("ssl_mode", "").strip().lower() or "disable"
    if mode not in SSL_MODES:
        raise InvalidInput("ssl_mode", f"SSL mode {mode!r} is not one of {', '.join(SSL_MODES)}.")
    return mode


def _ssl_context(mode: str) -> ssl.SSLContext | None:
    """None for ``disable``; ``require`` encrypts without checking; ``verify`` checks the certificate chain.

    The host name is not checked: nlactions connects to the address the SSRF guard vetted, not the name.
    """
    if mode == "disable":
        return None
    context = ssl.create_default_context()
    context.check_hostname = False
    if mode == "require":
        context.verify_mode = ssl.CERT_NONE
    return context


def server_fields(default_port: int) -> tuple[AuthField, ...]:
    """The auth fields of a database server."""
    return (
        AuthField("host", "Host", secret=False, help_text="The server's host name or IP address."),
        AuthField("port", "Port", secret=False, required=False, help_text=f"Defaults to {default_port}."),
        AuthField("database", "Database", secret=False, help_text="The database (schema) to use."),
        AuthField("username", "Username", secret=False),
        AuthField("password", "Password", required=False),
        AuthField(
            "ssl_mode",
            "SSL Mode",
            secret=False,
            required=False,
            help_text="disable (default), require (encrypt, do not verify) or verify (check the certificate).",
        ),
        WRITES_FIELD,
    )


WRITES_FIELD = AuthField(
    "allow_writes",
    "Allow Writes in Run Query",
    secret=False,
    required=False,
    help_text="true lets Run Query change data; by default it runs in a read-only transaction.",
)


def _required(credentials: Mapping[str, str], key: str, label: str) -> str:
    value = credentials.get(key, "").strip()
    if not value:
        raise InvalidInput(key, f"The authentication has no {label}.", hint=f"Add the {label} to the authentication.")
    return value


async def _server_url(ctx: AnyContext, driver: str, default_port: int, query: Mapping[str, str] | None = None) -> URL:
    """The database URL from the authentication's fields, its host replaced by the SSRF-vetted address."""
    creds = ctx.credentials
    port = _port(creds, default_port)
    address = await ctx.tcp_address(_required(creds, "host", "host"), port)
    return URL.create(
        driver,
        username=_required(creds, "username", "username"),
        password=creds.get("password") or None,
        host=address,
        port=port,
        database=_required(creds, "database", "database"),
        query=query or {},
    )


@dataclass(frozen=True, slots=True)
class PostgreSQL:
    """PostgreSQL through asyncpg; timeout and read-only mode as session settings sent at startup."""

    key: str = "postgresql"
    name: str = "PostgreSQL"
    fields: tuple[AuthField, ...] = server_fields(5432)

    async def engine(self, ctx: AnyContext, *, read_only: bool, limits: Limits) -> AsyncEngine:
        """An asyncpg engine to the vetted address."""
        creds = ctx.credentials
        url = await _server_url(ctx, "postgresql+asyncpg", 5432)
        settings = {"statement_timeout": str(math.ceil(limits.statement_seconds * 1000))}
        if read_only:
            settings["default_transaction_read_only"] = "on"
        context = _ssl_context(_ssl_mode(creds))
        return create_async_engine(
            url,
            poolclass=NullPool,
            connect_args={
                "ssl": context if context is not None else False,
                "timeout": CONNECT_TIMEOUT_SECONDS,
                "server_settings": settings,
            },
        )

    async def begin(self, conn: AsyncConnection, *, read_only: bool, limits: Limits) -> None:
        """Make this transaction read-only too (belt and braces over the session default)."""
        if read_only:
            await conn.execute(text("SET TRANSACTION READ ONLY"))

    def describe(self, credentials: Mapping[str, str]) -> str:
        """``user@host/database``."""
        return f"{credentials.get('username', '')}@{credentials.get('host', '')}/{credentials.get('database', '')}"


@dataclass(frozen=True, slots=True)
class MySQL:
    """MySQL and MariaDB through aiomysql; single statements only (no multi-statement flag)."""

    key: str = "mysql"
    name: str = "MySQL"
    fields: tuple[AuthField, ...] = server_fields(3306)

    async def engine(self, ctx: AnyContext, *, read_only: bool, limits: Limits) -> AsyncEngine:
        """An aiomysql engine to the vetted address."""
        creds = ctx.credentials
        url = await _server_url(ctx, "mysql+aiomysql", 3306, {"charset": "utf8mb4"})
        args: dict[str, Any] = {"connect_timeout": CONNECT_TIMEOUT_SECONDS}
        context = _ssl_context(_ssl_mode(creds))
        if context is not None:
            args["ssl"] = context
        return create_async_engine(url, poolclass=NullPool, connect_args=args)

    async def begin(self, conn: AsyncConnection, *, read_only: bool, limits: Limits) -> None:
        """Statement timeout (MariaDB ``max_statement_time``, MySQL ``max_execution_time``), read-only mode."""
        if getattr(conn.dialect, "is_mariadb", False):
            await conn.execute(text("SET SESSION max_statement_time = :s"), {"s": limits.statement_seconds})
        else:
            ms = math.ceil(limits.statement_seconds * 1000)
            await conn.execute(text("SET SESSION max_execution_time = :ms"), {"ms": ms})
        if read_only:
            # Session-wide, so a statement that commits implicitly still lands in a read-only transaction.
            await conn.execute(text("SET SESSION TRANSACTION READ ONLY"))
            await conn.execute(text("START TRANSACTION READ ONLY"))

    def describe(self, credentials: Mapping[str, str]) -> str:
        """``user@host/database``."""
        return f"{credentials.get('username', '')}@{credentials.get('host', '')}/{credentials.get('database', '')}"


_READ_PRAGMAS = frozenset(
    {"table_info", "table_xinfo", "table_list", "index_list", "index_info", "index_xinfo", "foreign_key_list"}
)


def _sqlite_authorizer(action: int, arg1: str | None, arg2: str | None, *args: Any) -> int:
    """Refuse ATTACH/DETACH (they would open files outside the allowed directories) and every PRAGMA
    but reading ones: the schema pragmas reflection uses, and reading a setting (a PRAGMA that sets
    one could switch ``query_only`` off)."""
    if action in (sqlite3.SQLITE_ATTACH, sqlite3.SQLITE_DETACH):
        return sqlite3.SQLITE_DENY
    if action == sqlite3.SQLITE_PRAGMA and arg2 is not None and (arg1 or "").lower() not in _READ_PRAGMAS:
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


def _deadline_handler(seconds: float) -> Callable[[], int]:
    deadline = time.monotonic() + seconds
    return lambda: 1 if time.monotonic() > deadline else 0


@dataclass(frozen=True, slots=True)
class SQLite:
    """A SQLite file under ``NLACTIONS_SQLITE_APP_DIRS``; read-only opens it with ``mode=ro``."""

    key: str = "sqlite"
    name: str = "SQLite"
    fields: tuple[AuthField, ...] = (
        AuthField(
            "path",
            "Database File",
            secret=False,
            help_text="Path of the .sqlite file, inside a directory the server's administrator allows "
            "(NLACTIONS_SQLITE_APP_DIRS); a relative path is taken inside the first one.",
        ),
        WRITES_FIELD,
    )

    async def engine(self, ctx: AnyContext, *, read_only: bool, limits: Limits) -> AsyncEngine:
        """An aiosqlite engine on the vetted file; never creates a file."""
        try:
            path = ctx.local_file(_required(ctx.credentials, "path", "database file"))
        except LocalFileRefused as exc:
            raise InvalidInput(
                "path",
                exc.message,
                hint="Use a database file inside a directory the administrator listed in NLACTIONS_SQLITE_APP_DIRS.",
            ) from None
        uri = f"file:{quote(str(path))}?mode={'ro' if read_only else 'rw'}"

        async def connect() -> aiosqlite.Connection:
            conn = await aiosqlite.connect(uri, uri=True, timeout=CONNECT_TIMEOUT_SECONDS)
            await conn.set_progress_handler(_deadline_handler(limits.statement_seconds), 1000)
            if read_only:
                await conn.execute("PRAGMA query_only = ON")
            await conn.set_authorizer(_sqlite_authorizer)
            return conn

        return create_async_engine("sqlite+aiosqlite://", poolclass=NullPool, async_creator=connect)

    async def begin(self, conn: AsyncConnection, *, read_only: bool, limits: Limits) -> None:
        """Nothing per transaction: the connection is opened read-only and time-limited."""

    def describe(self, credentials: Mapping[str, str]) -> str:
        """The file's path."""
        return credentials.get("path", "")
