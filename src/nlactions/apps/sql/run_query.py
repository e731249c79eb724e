"""``run_query``: one SQL statement, read-only unless the authentication allows writes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import ArgumentError, DBAPIError, StatementError

from nlactions.apps.sql.connection import connect
from nlactions.apps.sql.dialects import Dialect, Limits, flag
from nlactions.apps.sql.schema import row_dict
from nlactions.catalog import Action, ActionContext, InvalidInput, Needs, need


def build(dialect: Dialect, limits: Limits) -> Action:
    """The ``run_query`` action of ``dialect``."""

    class Input(Needs):
        """The statement, its parameters and a row cap."""

        query: str = need(
            label="SQL Query",
            help_text="One SQL statement; put values in :name placeholders and give them in Query Parameters. "
            "Read-only unless the authentication allows writes.",
            examples=["SELECT id, email FROM customers WHERE name = :name"],
        )
        parameters: dict[str, Any] | None = need(
            None, label="Query Parameters", help_text="Values of the :name placeholders, as name: value pairs."
        )
        max_rows: int = need(
            100, label="Max Rows", help_text=f"At most this many rows come back (up to {limits.max_rows})."
        )

    async def perform(ctx: ActionContext, params: Input) -> list[dict[str, Any]]:
        """Run the statement in a (read-only) transaction with a time limit; rows come back labelled."""
        writes = flag(ctx.credentials, "allow_writes")
        cap = max(1, min(params.max_rows, limits.max_rows))
        async with connect(ctx, dialect, read_only=not writes, limits=limits) as conn:
            try:
                result = await conn.execute(text(params.query), params.parameters or {})
            except DBAPIError:
                raise  # the database's own refusal: ``connect`` words it
            except (StatementError, ArgumentError) as exc:
                raise InvalidInput(
                    "parameters", f"The query's placeholders and Query Parameters do not match: {exc.args[0]}"
                ) from None
            if not result.returns_rows:
                count = result.rowcount
                if writes:
                    await conn.commit()
                return [{"rows_affected": count}]
            keys = list(result.keys())
            rows = result.fetchmany(cap)
            result.close()
            if writes:
                await conn.commit()
        return [row_dict(keys, row) for row in rows]

    return Action(
        key="run_query",
        type="search",
        noun="Query",
        name="Run Query",
        description=f"Run one SQL statement on {dialect.name} and return the rows with their column labels. "
        "Read-only (a read-only transaction) unless the authentication allows writes; time-limited; "
        f"at most {limits.max_rows} rows.",
        input=Input,
        perform=perform,
    )
