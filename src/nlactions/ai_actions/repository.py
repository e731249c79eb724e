"""All SQL about stored AI actions; every query is scoped to the caller's accounts."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nlactions.db.models import AiAction


async def list_in(session: AsyncSession, account_ids: Collection[int]) -> list[AiAction]:
    """The AI actions of these accounts, oldest first."""
    rows = await session.scalars(
        select(AiAction).where(AiAction.account_id.in_(list(account_ids))).order_by(AiAction.created_at, AiAction.id)
    )
    return list(rows)


async def get_in(session: AsyncSession, account_ids: Collection[int], ai_action_id: str) -> AiAction | None:
    """The AI action with this id if it belongs to one of these accounts."""
    return await session.scalar(
        select(AiAction).where(AiAction.id == ai_action_id, AiAction.account_id.in_(list(account_ids)))
    )


async def add(session: AsyncSession, row: AiAction) -> None:
    """Insert a new AI action (flushed, not committed)."""
    session.add(row)
    await session.flush()


async def delete(session: AsyncSession, row: AiAction) -> None:
    """Delete an AI action (flushed, not committed)."""
    await session.delete(row)
    await session.flush()
