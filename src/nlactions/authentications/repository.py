"""All SQL about stored authentications."""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from nlactions.db.models import Account, Authentication, User

MAX_ID = 2**63 - 1


def _valid_id(auth_id: int) -> bool:
    """Ids outside BIGINT can exist in no table (and would make PostgreSQL raise)."""
    return 0 < auth_id <= MAX_ID


async def get(session: AsyncSession, account_id: int, auth_id: int) -> Authentication | None:
    """An authentication of this account by id."""
    if not _valid_id(auth_id):
        return None
    return await session.scalar(
        select(Authentication).where(Authentication.id == auth_id, Authentication.account_id == account_id)
    )


async def for_app(session: AsyncSession, account_id: int, app: str, user_id: int | None = None) -> list[Authentication]:
    """The account's authentications for an app (only ``user_id``'s when given), oldest first."""
    query = select(Authentication).where(Authentication.account_id == account_id, Authentication.app == app)
    if user_id is not None:
        query = query.where(Authentication.user_id == user_id)
    return list(await session.scalars(query.order_by(Authentication.id)))


async def add(session: AsyncSession, row: Authentication) -> Authentication:
    """Insert an authentication and flush so its id and timestamps are known."""
    session.add(row)
    await session.flush()
    await session.refresh(row)
    return row


async def save(session: AsyncSession, row: Authentication) -> Authentication:
    """Flush changes to an authentication and reload its timestamps."""
    await session.flush()
    await session.refresh(row)
    return row


async def remove(session: AsyncSession, account_id: int, auth_id: int) -> bool:
    """Delete an authentication of this account; False when there was none."""
    if not _valid_id(auth_id):
        return False
    result = await session.execute(
        delete(Authentication).where(Authentication.id == auth_id, Authentication.account_id == account_id)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def mark_stale(session: AsyncSession, auth_id: int, stale: bool = True) -> None:
    """Flag an authentication whose credentials a service refused."""
    await session.execute(update(Authentication).where(Authentication.id == auth_id).values(is_stale=stale))


async def by_id(session: AsyncSession, auth_id: int) -> Authentication | None:
    """An authentication by id in any account: for the operator's CLI only, never for API callers."""
    return await session.get(Authentication, auth_id) if _valid_id(auth_id) else None


async def with_owners(
    session: AsyncSession, app: str | None = None, account_id: int | None = None
) -> list[tuple[Authentication, Account, User | None]]:
    """Authentications with their account and creator, optionally of one app and/or account (CLI only)."""
    query = (
        select(Authentication, Account, User)
        .join(Account, Account.id == Authentication.account_id)
        .outerjoin(User, User.id == Authentication.user_id)
    )
    if app is not None:
        query = query.where(Authentication.app == app)
    if account_id is not None:
        query = query.where(Authentication.account_id == account_id)
    rows = await session.execute(query.order_by(Authentication.id))
    return [(r[0], r[1], r[2]) for r in rows.all()]
