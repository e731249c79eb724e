"""All SQL about execution logs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import CursorResult, Table, bindparam, delete, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from nlactions.db.models import ExecutionLog, ServerInstance

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
    "resolution",
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


async def take_over_key(session: AsyncSession, interrupted_id: str, key: str, retry_id: str) -> bool:
    """Move an interrupted log's Idempotency-Key to its retry; False if someone else already did."""
    result = await session.execute(
        update(ExecutionLog)
        .where(
            ExecutionLog.id == interrupted_id,
            ExecutionLog.status == "interrupted",
            ExecutionLog.idempotency_key == key,
        )
        .values(idempotency_key=None, retried_by=retry_id)
    )
    assert isinstance(result, CursorResult)
    return result.rowcount == 1


@dataclass(frozen=True, slots=True)
class LogFilters:
    """What ``GET /api/v2/execute/log/`` narrows the account's logs to."""

    status: str | None = None
    app: str | None = None
    action: str | None = None
    ai_action_id: str | None = None
    since: dt.datetime | None = None


async def list_logs(
    session: AsyncSession, account_id: int, filters: LogFilters, before_id: str | None, limit: int
) -> Sequence[ExecutionLog]:
    """Up to ``limit`` logs of the account, newest first (ULID order), older than ``before_id`` if given."""
    query = select(ExecutionLog).where(ExecutionLog.account_id == account_id)
    if before_id is not None:
        query = query.where(ExecutionLog.id < before_id)
    if filters.status is not None:
        query = query.where(ExecutionLog.status == filters.status)
    if filters.app is not None:
        query = query.where(ExecutionLog.app == filters.app)
    if filters.action is not None:
        query = query.where(ExecutionLog.action == filters.action)
    if filters.ai_action_id is not None:
        query = query.where(ExecutionLog.ai_action_id == filters.ai_action_id)
    if filters.since is not None:
        query = query.where(ExecutionLog.created_at >= filters.since)
    return (await session.scalars(query.order_by(ExecutionLog.id.desc()).limit(limit))).all()


# -- run leases -------------------------------------------------------------------------------------


async def beat(session: AsyncSession, instance_id: str, now: dt.datetime) -> None:
    """Record that this server instance is alive (re-registering it if a sweep forgot it)."""
    result = await session.execute(
        update(ServerInstance).where(ServerInstance.id == instance_id).values(heartbeat_at=now)
    )
    assert isinstance(result, CursorResult)
    if result.rowcount == 0:
        await session.execute(insert(ServerInstance).values(id=instance_id, started_at=now, heartbeat_at=now))


async def orphaned_runs(
    session: AsyncSession, instance_id: str, cutoff: dt.datetime, limit: int
) -> Sequence[ExecutionLog]:
    """Logs started before ``cutoff``, left ``running`` by another instance not beaten since (or by none)."""
    alive = select(ServerInstance.id).where(ServerInstance.heartbeat_at >= cutoff)
    query = select(ExecutionLog).where(
        ExecutionLog.status == "running",
        ExecutionLog.created_at < cutoff,
        or_(ExecutionLog.instance_id.is_(None), ExecutionLog.instance_id.not_in(alive)),
        or_(ExecutionLog.instance_id.is_(None), ExecutionLog.instance_id != instance_id),
    )
    return (await session.scalars(query.limit(limit))).all()


async def own_runs(session: AsyncSession, instance_id: str) -> Sequence[ExecutionLog]:
    """Logs this instance still has ``running``."""
    query = select(ExecutionLog).where(ExecutionLog.status == "running", ExecutionLog.instance_id == instance_id)
    return (await session.scalars(query)).all()


INTERRUPT_LOG = (
    update(_TABLE)
    .where(_TABLE.c.id == bindparam("log_id"), _TABLE.c.status == "running")
    .values(status="interrupted", response=bindparam("v_response"), error=bindparam("v_error"))
)
"""Mark one log interrupted unless it completed meanwhile; parameters ``log_id``, ``v_response``, ``v_error``."""


async def interrupt(session: AsyncSession, bodies: Sequence[dict[str, Any]]) -> None:
    """Mark these logs (their interrupted response bodies) ``interrupted`` where they are still running."""
    if bodies:
        await session.execute(
            INTERRUPT_LOG,
            [{"log_id": b["execution_log_id"], "v_response": b, "v_error": b["error"]} for b in bodies],
        )


async def forget_instances(session: AsyncSession, instance_id: str, cutoff: dt.datetime) -> None:
    """Drop other instances that have not beaten since ``cutoff`` (their runs are already interrupted)."""
    await session.execute(
        delete(ServerInstance).where(ServerInstance.heartbeat_at < cutoff, ServerInstance.id != instance_id)
    )


async def remove_instance(session: AsyncSession, instance_id: str) -> None:
    """Unregister this instance (a clean shutdown)."""
    await session.execute(delete(ServerInstance).where(ServerInstance.id == instance_id))
