"""PostgreSQL: add, find, update and delete rows of a table, or run a SQL query (read-only by default)."""

from __future__ import annotations

from nlactions.apps import sql
from nlactions.apps.sql.dialects import PostgreSQL
from nlactions.catalog import App

__all__ = ["app"]

DIALECT = PostgreSQL()

app = App(
    key="PostgreSQLAPI",
    name="PostgreSQL",
    description="Insert, find, update and delete rows of PostgreSQL tables, and run read-only SQL queries.",
    actions=sql.actions(DIALECT),
    auth=sql.auth(DIALECT),
    keywords=("postgresql", "postgres", "sql", "database", "table", "row", "query"),
)
