"""``find_rows``: rows whose columns equal the given values; the table's columns are the filters."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from nlactions.apps.sql.common import table_need
from nlactions.apps.sql.connection import connect
from nlactions.apps.sql.dialects import Dialect, Limits
from nlactions.apps.sql.schema import custom_columns, find_table, known_columns, row_dict
from nlactions.catalog import Action, ActionContext, Needs, need


def build(dialect: Dialect, limits: Limits) -> Action:
    """The ``find_rows`` action of ``dialect``."""

    class Input(Needs):
        """The table and how many rows at most; the column filters arrive as ``params.custom``."""

        table: str = table_need(dialect)
        max_rows: int = need(
            25, label="Max Rows", help_text=f"At most this many rows come back (up to {limits.max_rows})."
        )

    async def perform(ctx: ActionContext, params: Input) -> list[dict[str, Any]]:
        """Select the matching rows, in primary-key order."""
        cap = max(1, min(params.max_rows, limits.max_rows))
        async with connect(ctx, dialect, read_only=True, limits=limits) as conn:
            table = await find_table(conn, params.table)
            filters = known_columns(table, params.custom)
            query = select(table).where(*(table.columns[k] == v for k, v in filters.items()))
            query = query.order_by(*table.primary_key.columns).limit(cap)
            result = await conn.execute(query)
            keys = list(result.keys())
            return [row_dict(keys, row) for row in result.fetchall()]

    return Action(
        key="find_rows",
        type="search",
        noun="Row",
        name="Find Rows",
        description=f"Find rows of a {dialect.name} table whose columns equal the given values.",
        input=Input,
        perform=perform,
        custom_needs=custom_columns(dialect, "filter"),
    )
