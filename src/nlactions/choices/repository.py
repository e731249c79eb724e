"""All SQL about cached choices (the ``choice_cache`` table)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from nlactions.db.models import ChoiceCacheEntry


async def get(session: AsyncSession, account_id: int, cache_key: str) -> ChoiceCacheEntry | None:
    """The account's entry under ``cache_key``."""
    return await session.scalar(
        select(ChoiceCacheEntry).where(
            ChoiceCacheEntry.account_id == account_id, ChoiceCacheEntry.cache_key == cache_key
        )
    )


async def refreshed_at(session: AsyncSession, account_id: int, cache_key: str) -> dt.datetime | None:
    """When the account's entry under ``cache_key`` was loaded, without reading its choices."""
    return await session.scalar(
        select(ChoiceCacheEntry.refreshed_at).where(
            ChoiceCacheEntry.account_id == account_id, ChoiceCacheEntry.cache_key == cache_key
        )
    )


async def upsert(session: AsyncSession, values: dict[str, Any]) -> None:
    """Insert the entry, or replace the choices and time of the one with the same ``cache_key``."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(ChoiceCacheEntry).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=[ChoiceCacheEntry.cache_key],
        set_={"choices": statement.excluded.choices, "refreshed_at": statement.excluded.refreshed_at},
    )
    await session.execute(statement)


async def delete_older_than(session: AsyncSession, account_id: int, before: dt.datetime) -> None:
    """Drop the account's entries loaded before ``before``."""
    await session.execute(
        delete(ChoiceCacheEntry).where(
            ChoiceCacheEntry.account_id == account_id, ChoiceCacheEntry.refreshed_at < before
        )
    )
