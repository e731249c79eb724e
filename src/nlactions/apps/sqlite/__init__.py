"""SQLite: add, find, update and delete rows of a table in a database file the server allows, or query it."""

from __future__ import annotations

from nlactions.apps import sql
from nlactions.apps.sql.dialects import SQLite
from nlactions.catalog import App

__all__ = ["app"]

DIALECT = SQLite()

app = App(
    key="SQLiteAPI",
    name="SQLite",
    description="Insert, find, update and delete rows of tables in a SQLite file, and run read-only SQL queries. "
    "Only files under directories the server's administrator allows can be opened.",
    actions=sql.actions(DIALECT),
    auth=sql.auth(DIALECT),
    keywords=("sqlite", "sql", "database", "table", "row", "query", "file"),
)
