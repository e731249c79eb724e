"""``delete_row``: delete the rows whose match column equals a value."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete

from nlactions.apps.sql.common import column, match_column_need, match_value, match_value_need
from nlactions.apps.sql.connection import connect
from nlactions.apps.sql.dialects import Dialect
from nlactions.apps.sql.schema import find_table, tables_loader
from nlactions.catalog import Action, ActionContext, Needs, need


def build(dialect: Dialect) -> Action:
    """The ``delete_row`` action of ``dialect``."""

    class Input(Needs):
        """Which rows: match column = match value."""

        table: str = need(
            label="Table",
            help_text="The table, by its exact name; the choices list every table of the database.",
            choices=tables_loader(dialect),
            prefill="table.name",
        )
        match_column: str = match_column_need(dialect)
        match_value: str = match_value_need()

    async def perform(ctx: ActionContext, params: Input) -> dict[str, Any]:
        """Delete the matching rows; returns how many went."""
        async with connect(ctx, dialect) as conn:
            table = await find_table(conn, params.table)
            target = column(table, params.match_column)
            result = await conn.execute(delete(table).where(target == match_value(target, params.match_value)))
            await conn.commit()
        return {"rows_deleted": result.rowcount, "table": table.name}

    return Action(
        key="delete_row",
        type="write",
        noun="Row",
        name="Delete Row",
        description=f"Delete the rows of a {dialect.name} table whose Match Column equals Match Value.",
        input=Input,
        perform=perform,
    )
