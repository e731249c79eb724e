"""All SQL about OAuth clients, codes and tokens.

The grant callbacks of authlib are synchronous: they run under ``AsyncSession.run_sync`` and use the
``Session`` functions here; the authenticator and the client API use the async ones.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from nlactions.db.models import Membership, OAuthClient, OAuthCode, OAuthToken, User


def now() -> dt.datetime:
    """Current UTC time."""
    return dt.datetime.now(dt.UTC)


def aware(value: dt.datetime) -> dt.datetime:
    """``value`` with UTC attached when the database gave it back naive (SQLite)."""
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _changed(result: object) -> int:
    return result.rowcount if isinstance(result, CursorResult) else 0


# -- clients ------------------------------------------------------------------------------------------


def live_client(session: Session, client_id: str) -> OAuthClient | None:
    """The client with this id, unless revoked."""
    return session.scalar(
        select(OAuthClient).where(OAuthClient.client_id == client_id, OAuthClient.revoked_at.is_(None))
    )


def add_client_sync(session: Session, row: OAuthClient) -> None:
    """Insert a client (dynamic registration)."""
    session.add(row)
    session.flush()


async def add_client(session: AsyncSession, row: OAuthClient) -> None:
    """Insert a client."""
    session.add(row)
    await session.flush()


async def list_clients(session: AsyncSession, account_id: int | None) -> list[OAuthClient]:
    """Live clients of an account (every live client when None), newest first."""
    query = select(OAuthClient).where(OAuthClient.revoked_at.is_(None)).order_by(OAuthClient.id.desc())
    if account_id is not None:
        query = query.where(OAuthClient.account_id == account_id)
    return list(await session.scalars(query))


async def client_in(session: AsyncSession, client_id: str, account_id: int | None) -> OAuthClient | None:
    """A live client by id, within the account when given."""
    query = select(OAuthClient).where(OAuthClient.client_id == client_id, OAuthClient.revoked_at.is_(None))
    if account_id is not None:
        query = query.where(OAuthClient.account_id == account_id)
    return await session.scalar(query)


async def revoke_client_tokens(session: AsyncSession, client_id: str) -> None:
    """End every token of a client."""
    await session.execute(
        update(OAuthToken)
        .where(OAuthToken.client_id == client_id, OAuthToken.revoked_at.is_(None))
        .values(revoked_at=now())
    )


# -- codes --------------------------------------------------------------------------------------------


def add_code(session: Session, row: OAuthCode) -> None:
    """Insert an authorization code."""
    session.add(row)
    session.flush()


def claim_code(session: Session, code_hash: str, client_id: str) -> bool:
    """Mark the live, unexpired code used; False when another request (or an earlier one) took it."""
    result = session.execute(
        update(OAuthCode)
        .where(
            OAuthCode.code_hash == code_hash,
            OAuthCode.client_id == client_id,
            OAuthCode.used_at.is_(None),
            OAuthCode.expires_at > now(),
        )
        .values(used_at=now())
        .execution_options(synchronize_session=False)
    )
    return _changed(result) == 1


def code_by_hash(session: Session, code_hash: str) -> OAuthCode | None:
    """The code with this hash, used or not."""
    return session.scalar(select(OAuthCode).where(OAuthCode.code_hash == code_hash))


# -- tokens -------------------------------------------------------------------------------------------


def add_token(session: Session, row: OAuthToken) -> None:
    """Insert a token row."""
    session.add(row)
    session.flush()


def token_by_refresh(session: Session, refresh_hash: str) -> OAuthToken | None:
    """The token row whose refresh token has this hash."""
    return session.scalar(select(OAuthToken).where(OAuthToken.refresh_hash == refresh_hash))


def token_by_access_sync(session: Session, access_hash: str) -> OAuthToken | None:
    """The token row whose access token has this hash."""
    return session.scalar(select(OAuthToken).where(OAuthToken.access_hash == access_hash))


def rotate(session: Session, token_id: int) -> bool:
    """Mark a refresh token used; False when it was already used or revoked (a concurrent refresh)."""
    result = session.execute(
        update(OAuthToken)
        .where(OAuthToken.id == token_id, OAuthToken.rotated_at.is_(None), OAuthToken.revoked_at.is_(None))
        .values(rotated_at=now())
        .execution_options(synchronize_session=False)
    )
    return _changed(result) == 1


def revoke_grant(session: Session, grant_id: str) -> None:
    """End every token of a grant (refresh reuse, code reuse, revocation)."""
    session.execute(
        update(OAuthToken)
        .where(OAuthToken.grant_id == grant_id, OAuthToken.revoked_at.is_(None))
        .values(revoked_at=now())
        .execution_options(synchronize_session=False)
    )


async def token_with_user(session: AsyncSession, access_hash: str) -> tuple[OAuthToken, User] | None:
    """The token row with this access hash and its user (revoked or expired too: the caller says which)."""
    row = (
        await session.execute(
            select(OAuthToken, User)
            .join(User, User.id == OAuthToken.user_id)
            .where(OAuthToken.access_hash == access_hash)
        )
    ).first()
    return (row[0], row[1]) if row else None


async def is_member(session: AsyncSession, user_id: int, account_id: int) -> bool:
    """Whether the user still belongs to the account."""
    found = await session.scalar(
        select(Membership.id).where(Membership.user_id == user_id, Membership.account_id == account_id)
    )
    return found is not None


async def client_revoked(session: AsyncSession, client_id: str) -> bool:
    """Whether a stored client with this id was revoked (unknown ids, such as metadata-document URLs, are not)."""
    row = await session.scalar(select(OAuthClient.revoked_at).where(OAuthClient.client_id == client_id))
    return row is not None
