"""All SQL about execution logs."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from nlactions.db.models import ExecutionLog


async def insert_log(session: AsyncSession, values: dict[str, Any]) -> None:
    """Insert a new log row."""
    await session.execute(insert(ExecutionLog).values(**values))


async def update_log(session: AsyncSession, log_id: str, values: dict[str, Any]) -> None:
    """Update a log row by id."""
    await session.execute(update(ExecutionLog).where(ExecutionLog.id == log_id).values(**values))


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


async def count_logs(session: AsyncSession) -> int:
    """How many logs exist (all accounts)."""
    return int(await session.scalar(select(func.count()).select_from(ExecutionLog)) or 0)
