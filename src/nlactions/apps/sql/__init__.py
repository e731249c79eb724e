"""The SQL apps' shared implementation: PostgreSQLAPI, MySQLAPI and SQLiteAPI are one folder each that
builds its actions here from a ``Dialect``.

Tables are choices (reflected), a table's columns are custom needs (typed from their SQL types).
Statements are SQLAlchemy Core built from the reflected ``Table``: identifiers are quoted by
SQLAlchemy and values bound as parameters, never formatted into SQL text. Each action opens one
connection (``NullPool``) to the SSRF-vetted address and disposes of it before returning.
"""

from __future__ import annotations

from nlactions.apps.sql import delete_row, find_rows, new_row, run_query, update_row
from nlactions.apps.sql.connection import connect
from nlactions.apps.sql.dialects import Dialect, Limits
from nlactions.catalog import Action, ActionContext, FieldsAuth

__all__ = ["Limits", "actions", "auth"]


def actions(dialect: Dialect, limits: Limits | None = None) -> tuple[Action, ...]:
    """The five SQL actions of ``dialect``."""
    limits = limits or Limits()
    return (
        new_row.build(dialect),
        find_rows.build(dialect, limits),
        update_row.build(dialect),
        delete_row.build(dialect),
        run_query.build(dialect, limits),
    )


def auth(dialect: Dialect) -> FieldsAuth:
    """The connection fields of ``dialect``, tested with ``SELECT 1`` before they are saved."""

    async def test(ctx: ActionContext) -> str:
        async with connect(ctx, dialect, read_only=True) as conn:
            await conn.exec_driver_sql("SELECT 1")
        return dialect.describe(ctx.credentials)

    return FieldsAuth(fields=dialect.fields, test=test)
