"""Opening one connection for one call, and turning driver errors into messages an agent can act on."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection

from nlactions.apps.sql.dialects import AnyContext, Dialect, Limits
from nlactions.catalog import AppError, UpstreamError
from nlactions.kit.ssrf import BlockedDestination

READ_ONLY_MARKERS = ("read-only transaction", "read only transaction", "readonly database", "25006")
TIMEOUT_MARKERS = ("statement timeout", "max_statement_time", "max_execution_time", "interrupted")
_CLASS_PREFIX = re.compile(r"^\(?<class '[\w.]+'>\)?:?\s*")
MESSAGE_CHARS = 300


class ReadOnlyRefused(AppError):
    """A statement tried to change data in a read-only transaction."""


def driver_message(exc: BaseException, credentials: Mapping[str, str]) -> str:
    """The database's own words for ``exc``, without SQL parameters, class names or the password."""
    inner = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    message = _CLASS_PREFIX.sub("", str(inner)).strip() or type(inner).__name__
    password = credentials.get("password")
    if password:
        message = message.replace(password, "[redacted]")
    return message[:MESSAGE_CHARS]


def as_app_error(exc: BaseException, dialect: Dialect, credentials: Mapping[str, str]) -> AppError:
    """An ``AppError`` for a failure of the database or of the connection to it."""
    message = driver_message(exc, credentials)
    lowered = message.lower()
    where = dialect.describe(credentials)
    if any(marker in lowered for marker in READ_ONLY_MARKERS):
        return ReadOnlyRefused(
            f"Run Query is read-only for this authentication, and {dialect.name} refused to change data: {message}",
            hint="Run a SELECT, or set 'Allow Writes in Run Query' to true on the authentication.",
        )
    if dialect.key == "sqlite" and ("not authorized" in lowered or "authorization denied" in lowered):
        return AppError(
            f"nlactions refused this SQLite statement ({message}): ATTACH, DETACH, VACUUM INTO and PRAGMAs "
            "that change a setting would reach files or settings outside the database.",
            hint="Query the tables of this database file only.",
        )
    if any(marker in lowered for marker in TIMEOUT_MARKERS):
        return UpstreamError(
            f"{dialect.name} stopped the statement: it ran longer than the time limit ({message}).",
            hint="Narrow the query (a WHERE clause, a LIMIT, an index).",
        )
    if isinstance(exc, OSError | TimeoutError) or "connect" in lowered:
        return UpstreamError(
            f"Could not connect to {dialect.name} at {where}: {message}",
            hint="Check the host, port, database, username, password and SSL mode of the authentication.",
        )
    return UpstreamError(f"{dialect.name} ({where}) answered: {message}", hint="Check the table, columns and values.")


@asynccontextmanager
async def connect(
    ctx: AnyContext, dialect: Dialect, *, read_only: bool = False, limits: Limits | None = None
) -> AsyncIterator[AsyncConnection]:
    """One connection for one call, disposed of on exit; uncommitted work is rolled back."""
    limits = limits or Limits()
    try:
        engine = await dialect.engine(ctx, read_only=read_only, limits=limits)
    except BlockedDestination as exc:
        raise AppError(
            exc.message,
            hint="Use the database's public address; the server's administrator can allow a private host "
            "with NLACTIONS_SSRF_ALLOW.",
        ) from None
    try:
        async with engine.connect() as conn:
            await dialect.begin(conn, read_only=read_only, limits=limits)
            yield conn
    except (SQLAlchemyError, OSError, TimeoutError) as exc:
        raise as_app_error(exc, dialect, ctx.credentials) from None
    finally:
        await engine.dispose()
