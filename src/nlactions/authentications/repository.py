"""All SQL about stored authentications."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from nlactions.db.models import Authentication


async def get(session: AsyncSession, account_id: int, auth_id: int) -> Authentication | None:
    """An authentication of this account by id."""
    return await session.scalar(
        select(Authentication).where(Authentication.id == auth_id, Authentication.account_id == account_id)
    )


async def for_app(session: AsyncSession, account_id: int, app: str) -> list[Authentication]:
    """The account's authentications for an app, oldest first."""
    rows = await session.scalars(
        select(Authentication)
        .where(Authentication.account_id == account_id, Authentication.app == app)
        .order_by(Authentication.id)
    )
    return list(rows)


async def mark_stale(session: AsyncSession, auth_id: int, stale: bool = True) -> None:
    """Flag an authentication whose credentials a service refused."""
    await session.execute(update(Authentication).where(Authentication.id == auth_id).values(is_stale=stale))
