"""All SQL about users, accounts, memberships and API keys."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from nlactions.db.models import Account, ApiKey, Membership, User


async def user_by_email(session: AsyncSession, email: str) -> User | None:
    """The user with this email."""
    return await session.scalar(select(User).where(User.email == email))


async def account_by_name(session: AsyncSession, name: str) -> Account | None:
    """The account with this name."""
    return await session.scalar(select(Account).where(Account.name == name))


async def count_accounts(session: AsyncSession) -> int:
    """How many accounts exist."""
    return int(await session.scalar(select(func.count()).select_from(Account)) or 0)


async def add(session: AsyncSession, row: object) -> None:
    """Insert a row and flush so its id is known."""
    session.add(row)
    await session.flush()


async def membership(session: AsyncSession, user_id: int, account_id: int) -> Membership | None:
    """The user's membership in the account."""
    return await session.scalar(
        select(Membership).where(Membership.user_id == user_id, Membership.account_id == account_id)
    )


async def accounts_by_ids(session: AsyncSession, account_ids: Collection[int]) -> list[Account]:
    """The accounts with these ids, by id."""
    rows = await session.scalars(select(Account).where(Account.id.in_(list(account_ids))).order_by(Account.id))
    return list(rows)


async def key_with_user(session: AsyncSession, key_hash: str) -> tuple[ApiKey, User] | None:
    """The live API key with this hash and its user."""
    row = (
        await session.execute(
            select(ApiKey, User)
            .join(User, User.id == ApiKey.user_id)
            .where(ApiKey.key_hash == key_hash, ApiKey.revoked_at.is_(None))
        )
    ).first()
    return (row[0], row[1]) if row else None


async def member_account_ids(session: AsyncSession, user_id: int) -> list[int]:
    """Ids of the accounts the user belongs to."""
    return list(await session.scalars(select(Membership.account_id).where(Membership.user_id == user_id)))


async def list_keys(session: AsyncSession, account_id: int | None = None) -> list[tuple[ApiKey, Account, User]]:
    """API keys with their account and user, newest first."""
    query = (
        select(ApiKey, Account, User)
        .join(Account, Account.id == ApiKey.account_id)
        .join(User, User.id == ApiKey.user_id)
        .order_by(ApiKey.id.desc())
    )
    if account_id is not None:
        query = query.where(ApiKey.account_id == account_id)
    return [(r[0], r[1], r[2]) for r in (await session.execute(query)).all()]


async def key_in_account(session: AsyncSession, account_id: int, key_id: int) -> ApiKey | None:
    """The key with this id if it was made for ``account_id``."""
    return await session.scalar(select(ApiKey).where(ApiKey.id == key_id, ApiKey.account_id == account_id))


async def key_by_id_or_prefix(session: AsyncSession, ident: str) -> ApiKey | None:
    """A key by numeric id or by its display prefix."""
    if ident.isdigit():
        return await session.get(ApiKey, int(ident))
    return await session.scalar(select(ApiKey).where(ApiKey.prefix == ident))


def now() -> dt.datetime:
    """Current UTC time."""
    return dt.datetime.now(dt.UTC)


async def users_with_accounts(session: AsyncSession) -> list[tuple[User, list[str]]]:
    """Every user with the names of the accounts they belong to, by id."""
    users = list(await session.scalars(select(User).order_by(User.id)))
    rows = (
        await session.execute(
            select(Membership.user_id, Account.name)
            .join(Account, Account.id == Membership.account_id)
            .order_by(Account.id)
        )
    ).all()
    names: dict[int, list[str]] = {}
    for user_id, name in rows:
        names.setdefault(user_id, []).append(name)
    return [(user, names.get(user.id, [])) for user in users]
