"""What the SQL actions share: the table need, the match-column needs, and coercing a match value."""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import Column, Table

from nlactions.apps.sql.dialects import Dialect
from nlactions.apps.sql.schema import columns_loader, need_type, tables_loader
from nlactions.catalog import InvalidInput, need

_PYTHON: dict[str, Any] = {"int": int, "float": float, "bool": bool, "str": str}


def table_need(dialect: Dialect) -> Any:
    """The table an action works on; its columns become the action's custom needs."""
    return need(
        label="Table",
        help_text="The table, by its exact name; the choices list every table of the database.",
        choices=tables_loader(dialect),
        prefill="table.name",
        alters_custom_fields=True,
        examples=["customers", "orders"],
    )


def match_column_need(dialect: Dialect) -> Any:
    """The column that picks the rows to change (often the primary key)."""
    return need(
        label="Match Column",
        help_text="Rows whose value in this column equals Match Value are changed (usually the id column).",
        choices=columns_loader(dialect),
        depends_on=["table"],
        examples=["id"],
    )


def match_value_need() -> Any:
    """The value the match column must equal."""
    return need(label="Match Value", help_text="The value Match Column must equal, e.g. the row's id.")


def column(table: Table, name: str) -> Column[Any]:
    """The table's column ``name``; an unknown one is refused, listing the real ones."""
    if name not in table.columns:
        raise InvalidInput(
            "match_column",
            f"{name!r} is not a column of {table.name}.",
            hint=f"Columns: {', '.join(table.columns.keys())}.",
        )
    return table.columns[name]


def match_value(target: Column[Any], value: str) -> Any:
    """``value`` as the column's type, so drivers that check types (asyncpg) get an int for an int column."""
    python = _PYTHON.get(need_type(target))
    if python is None:
        return value
    try:
        return TypeAdapter(python).validate_python(value)
    except ValidationError:
        raise InvalidInput(
            "match_value", f"{value!r} is not a valid {need_type(target)} for column {target.name}."
        ) from None
