"""All SQL about stored authentications."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, or_, select, update
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


async def claim_refresh(
    session: AsyncSession, auth_id: int, version: int, now: dt.datetime, until: dt.datetime
) -> bool:
    """Claim the right to refresh an authentication's tokens, across processes (compare-and-set on the version).

    True for exactly one claimant while the version is unchanged and no unexpired claim is held.
    """
    result = await session.execute(
        update(Authentication)
        .where(
            Authentication.id == auth_id,
            Authentication.token_version == version,
            or_(Authentication.refresh_claimed_until.is_(None), Authentication.refresh_claimed_until < now),
        )
        .values(refresh_claimed_until=until)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def refreshed(
    session: AsyncSession, auth_id: int, version: int, *, secret: str, expires_at: dt.datetime | None, now: dt.datetime
) -> bool:
    """Store refreshed tokens under a held claim: the version moves on, the claim and any failure are cleared."""
    result = await session.execute(
        update(Authentication)
        .where(Authentication.id == auth_id, Authentication.token_version == version)
        .values(
            secret=secret,
            token_expires_at=expires_at,
            token_version=version + 1,
            refresh_claimed_until=None,
            last_refreshed_at=now,
            last_failure=None,
            last_failure_at=None,
            is_stale=False,
        )
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def refresh_failed(
    session: AsyncSession, auth_id: int, version: int, *, message: str, now: dt.datetime, stale: bool
) -> None:
    """Record a failed refresh and release the claim; a refused refresh token also marks it stale (new version)."""
    values: dict[str, object] = {"refresh_claimed_until": None, "last_failure": message[:500], "last_failure_at": now}
    if stale:
        values.update(is_stale=True, token_version=version + 1)
    await session.execute(
        update(Authentication)
        .where(Authentication.id == auth_id, Authentication.token_version == version)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
