"""``new_row``: insert one row; the table's columns are the action's custom needs."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert

from nlactions.apps.sql.common import table_need
from nlactions.apps.sql.connection import connect
from nlactions.apps.sql.dialects import Dialect
from nlactions.apps.sql.schema import custom_columns, find_table, known_columns, plain
from nlactions.catalog import Action, ActionContext, InvalidInput, Needs


def build(dialect: Dialect) -> Action:
    """The ``new_row`` action of ``dialect``."""

    class Input(Needs):
        """The table; the column values arrive as ``params.custom``."""

        table: str = table_need(dialect)

    async def perform(ctx: ActionContext, params: Input) -> dict[str, Any]:
        """Insert the row (values bound as parameters) and return it with its primary key."""
        async with connect(ctx, dialect) as conn:
            table = await find_table(conn, params.table)
            values = known_columns(table, params.custom)
            if not values:
                raise InvalidInput(
                    "table",
                    f"No column values were given for the new row of {table.name}.",
                    hint=f"Give values for its columns: {', '.join(table.columns.keys())}.",
                )
            result = await conn.execute(insert(table).values(values))
            key = result.inserted_primary_key
            await conn.commit()
        names = [c.name for c in table.primary_key.columns]
        ids = dict(zip(names, key or (), strict=False))
        return {name: plain(value) for name, value in {**values, **ids}.items() if value is not None}

    return Action(
        key="new_row",
        type="write",
        noun="Row",
        name="New Row",
        description=f"Insert a row into a {dialect.name} table; each column of the table is a need.",
        input=Input,
        perform=perform,
        custom_needs=custom_columns(dialect, "insert"),
    )
