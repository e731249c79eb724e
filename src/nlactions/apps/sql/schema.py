"""Tables as choices, columns as custom needs (typed from their SQL types), and finding a table safely.

A table name is only ever used after it was found among the reflected tables; statements are built
from the reflected ``Table``, so SQLAlchemy quotes every identifier and binds every value.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import uuid
from collections.abc import Mapping
from typing import Any, Literal

from sqlalchemy import Column, MetaData, Table, inspect
from sqlalchemy import types as sqltypes
from sqlalchemy.ext.asyncio import AsyncConnection

from nlactions.apps.sql.connection import connect
from nlactions.apps.sql.dialects import Dialect
from nlactions.catalog import (
    Choice,
    ChoiceContext,
    ChoiceLoader,
    ChoicePage,
    CustomNeedsLoader,
    InvalidInput,
    NeedSpec,
    NeedType,
)

ColumnRole = Literal["insert", "set", "filter"]
LISTED = 30


async def table_names(conn: AsyncConnection) -> list[str]:
    """The tables of the connection's default schema, sorted."""
    return sorted(await conn.run_sync(lambda sync: inspect(sync).get_table_names()))


async def find_table(conn: AsyncConnection, name: str) -> Table:
    """The reflected table called exactly ``name``; an unknown name is refused, listing the real ones."""
    names = await table_names(conn)
    if name not in names:
        shown = ", ".join(names[:LISTED]) + (" …" if len(names) > LISTED else "")
        raise InvalidInput(
            "table",
            f"Table {name!r} does not exist in this database.",
            hint=f"Use one of: {shown}." if names else "The database has no tables.",
        )
    return await conn.run_sync(lambda sync: Table(name, MetaData(), autoload_with=sync))


def tables_loader(dialect: Dialect) -> ChoiceLoader:
    """The choice loader of a ``table`` need: every table of the database."""

    async def tables(ctx: ChoiceContext) -> ChoicePage:
        async with connect(ctx, dialect) as conn:
            names = await table_names(conn)
        return ChoicePage([Choice(key=name, label=name) for name in names])

    return tables


def columns_loader(dialect: Dialect) -> ChoiceLoader:
    """The choice loader of a need naming one column of the table in ``ctx.params['table']``."""

    async def columns(ctx: ChoiceContext) -> ChoicePage:
        async with connect(ctx, dialect) as conn:
            table = await find_table(conn, str(ctx.params.get("table") or ""))
        return ChoicePage([Choice(key=c.name, label=c.name, sample=str(c.type)) for c in table.columns])

    return columns


def need_type(column: Column[Any]) -> NeedType:
    """The catalog type of a column, from its SQL type."""
    kind = column.type
    if isinstance(kind, sqltypes.Boolean):
        return "bool"
    if isinstance(kind, sqltypes.Integer):
        return "int"
    if isinstance(kind, sqltypes.Numeric):
        return "float"
    if isinstance(kind, sqltypes.DateTime):
        return "datetime"
    if isinstance(kind, sqltypes.Date):
        return "date"
    if isinstance(kind, sqltypes.JSON):
        return "dict"
    if isinstance(kind, sqltypes.String | sqltypes.Enum | sqltypes.Uuid | sqltypes.Time):
        return "str"
    return "any"


def _generated(column: Column[Any]) -> bool:
    """True when the database fills the column itself (a default, an identity or an auto-increment key)."""
    if column.server_default is not None or column.computed is not None or column.identity is not None:
        return True
    return bool(column.primary_key and column.autoincrement in (True, "auto") and need_type(column) == "int")


def column_need(column: Column[Any], role: ColumnRole) -> NeedSpec:
    """A column as a custom need: required only for an insert into a NOT NULL column the database won't fill."""
    required = role == "insert" and not column.nullable and not _generated(column)
    sql_type = str(column.type)
    purpose = {
        "insert": "Value of column",
        "set": "New value of column",
        "filter": "Only rows whose column equals this value:",
    }[role]
    enums = getattr(column.type, "enums", None)
    return NeedSpec(
        key=column.name,
        label=column.name.replace("_", " ").strip().title() or column.name,
        type=need_type(column),
        required=required,
        help_text=f"{purpose} {column.name} ({sql_type}{', required' if required else ''}).",
        choices=tuple(Choice(key=str(e), label=str(e)) for e in enums) if enums else None,
    )


def custom_columns(dialect: Dialect, role: ColumnRole) -> CustomNeedsLoader:
    """The custom-needs loader: one need per column of the table in ``ctx.params['table']``."""

    async def columns(ctx: ChoiceContext) -> list[NeedSpec]:
        async with connect(ctx, dialect) as conn:
            table = await find_table(conn, str(ctx.params.get("table") or ""))
        return [column_need(column, role) for column in table.columns if role != "insert" or column.computed is None]

    return columns


def plain(value: Any) -> Any:
    """A database value as JSON: dates and times ISO 8601, decimals and UUIDs as text, bytes base64."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode()
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    return value


def row_dict(keys: list[str], row: Any) -> dict[str, Any]:
    """A row as ``{label: value}``; a repeated label gets ``_2``, ``_3``… so no value is lost."""
    out: dict[str, Any] = {}
    for key, value in zip(keys, row, strict=False):
        label, n = key, 1
        while label in out:
            n += 1
            label = f"{key}_{n}"
        out[label] = plain(value)
    return out


def known_columns(table: Table, values: Mapping[str, Any], need: str = "columns") -> dict[str, Any]:
    """``values`` restricted to real columns of ``table``; an unknown column is refused."""
    unknown = [key for key in values if key not in table.columns]
    if unknown:
        raise InvalidInput(
            need,
            f"{', '.join(map(repr, unknown))} {'is not a column' if len(unknown) == 1 else 'are not columns'} "
            f"of {table.name}.",
            hint=f"Columns: {', '.join(table.columns.keys())}.",
        )
    return dict(values)
