"""``update_row``: set columns of the rows whose match column equals a value."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update

from nlactions.apps.sql.common import column, match_column_need, match_value, match_value_need, table_need
from nlactions.apps.sql.connection import connect
from nlactions.apps.sql.dialects import Dialect
from nlactions.apps.sql.schema import custom_columns, find_table, known_columns
from nlactions.catalog import Action, ActionContext, InvalidInput, Needs


def build(dialect: Dialect) -> Action:
    """The ``update_row`` action of ``dialect``."""

    class Input(Needs):
        """Which rows (match column = match value); the new values arrive as ``params.custom``."""

        table: str = table_need(dialect)
        match_column: str = match_column_need(dialect)
        match_value: str = match_value_need()

    async def perform(ctx: ActionContext, params: Input) -> dict[str, Any]:
        """Update the matching rows; returns how many changed."""
        async with connect(ctx, dialect) as conn:
            table = await find_table(conn, params.table)
            target = column(table, params.match_column)
            values = known_columns(table, params.custom)
            if not values:
                raise InvalidInput(
                    "table",
                    f"No new column values were given for {table.name}.",
                    hint=f"Give new values for some of: {', '.join(table.columns.keys())}.",
                )
            where = target == match_value(target, params.match_value)
            result = await conn.execute(update(table).where(where).values(values))
            await conn.commit()
        return {"rows_updated": result.rowcount, "table": table.name}

    return Action(
        key="update_row",
        type="write",
        noun="Row",
        name="Update Row",
        description=f"Update the rows of a {dialect.name} table whose Match Column equals Match Value; "
        "each column of the table is a need for its new value.",
        input=Input,
        perform=perform,
        custom_needs=custom_columns(dialect, "set"),
    )
