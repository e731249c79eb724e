"""All SQL about execution logs."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from nlactions.db.models import ExecutionLog

_TABLE = ExecutionLog.__table__
assert isinstance(_TABLE, Table)
FINISH_COLUMNS = (
    "status",
    "response",
    "error",
    "duration_ms",
    "completed_at",
    "model",
    "input_tokens",
    "output_tokens",
    "resolve_ms",
    "retryable",
    "retry_after_seconds",
)

INSERT_LOG = insert(_TABLE)
"""Insert a log row (Core statement, so a batch of rows runs as one executemany)."""

FINISH_LOG = (
    update(_TABLE)
    .where(_TABLE.c.id == bindparam("log_id"))
    .values({column: bindparam(f"v_{column}") for column in FINISH_COLUMNS})
)
"""Complete a log row; parameters are ``log_id`` and ``v_<column>`` for every finish column."""


def finish_params(log_id: str, values: dict[str, Any]) -> dict[str, Any]:
    """Parameters of ``FINISH_LOG`` for one log."""
    return {"log_id": log_id, **{f"v_{column}": values.get(column) for column in FINISH_COLUMNS}}


async def insert_log(session: AsyncSession, values: dict[str, Any]) -> None:
    """Insert a new log row in the session's transaction."""
    await session.execute(INSERT_LOG, values)


async def get_log(session: AsyncSession, account_id: int, log_id: str) -> ExecutionLog | None:
    """A log of this account by id."""
    return await session.scalar(
        select(ExecutionLog).where(ExecutionLog.id == log_id, ExecutionLog.account_id == account_id)
    )


async def by_idempotency_key(session: AsyncSession, account_id: int, key: str) -> ExecutionLog | None:
    """The log that an Idempotency-Key first produced in this account."""
    return await session.scalar(
        select(ExecutionLog).where(ExecutionLog.account_id == account_id, ExecutionLog.idempotency_key == key)
    )
