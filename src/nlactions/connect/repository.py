"""All SQL about registered OAuth clients and connect states."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from nlactions.db.models import ConnectClient, ConnectState


async def client(session: AsyncSession, app: str) -> ConnectClient | None:
    """The OAuth client registered for an app by the CLI."""
    return await session.get(ConnectClient, app)


async def clients(session: AsyncSession) -> list[ConnectClient]:
    """Every OAuth client registered by the CLI, by app key."""
    return list(await session.scalars(select(ConnectClient).order_by(ConnectClient.app)))


async def put_client(session: AsyncSession, row: ConnectClient) -> ConnectClient:
    """Insert or replace an app's OAuth client."""
    merged = await session.merge(row)
    await session.flush()
    return merged


async def remove_client(session: AsyncSession, app: str) -> bool:
    """Forget an app's OAuth client; False when there was none."""
    result = await session.execute(delete(ConnectClient).where(ConnectClient.app == app))
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def add_state(session: AsyncSession, row: ConnectState) -> ConnectState:
    """Insert a connect state (and drop states that expired over a day ago)."""
    cutoff = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    await session.execute(delete(ConnectState).where(ConnectState.expires_at < cutoff))
    session.add(row)
    await session.flush()
    return row


async def state(session: AsyncSession, state_hash: str) -> ConnectState | None:
    """A connect state by the hash of its ``state`` value."""
    return await session.scalar(select(ConnectState).where(ConnectState.state_hash == state_hash))


async def use_state(session: AsyncSession, state_id: int, now: dt.datetime) -> bool:
    """Mark a state used, once: False when it was already used (a concurrent callback won)."""
    result = await session.execute(
        update(ConnectState).where(ConnectState.id == state_id, ConnectState.used_at.is_(None)).values(used_at=now)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
