"""MySQL and MariaDB: add, find, update and delete rows of a table, or run a SQL query (read-only by default)."""

from __future__ import annotations

from nlactions.apps import sql
from nlactions.apps.sql.dialects import MySQL
from nlactions.catalog import App

__all__ = ["app"]

DIALECT = MySQL()

app = App(
    key="MySQLAPI",
    name="MySQL",
    description="Insert, find, update and delete rows of MySQL or MariaDB tables, and run read-only SQL queries.",
    actions=sql.actions(DIALECT),
    auth=sql.auth(DIALECT),
    keywords=("mysql", "mariadb", "sql", "database", "table", "row", "query"),
)
