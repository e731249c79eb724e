"""Where loaded choices are kept: the ``choice_cache`` table, or Redis; an in-process LRU in front.

Entries outlive their TTL (by ``retain_seconds``) so that a reload can show the previous list while it
runs; whether an entry is fresh is the service's decision, not the store's.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import OrderedDict
from typing import Protocol

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nlactions.choices import repository as repo
from nlactions.choices.entry import CachedChoices, as_utc, decode_choices, dumps, encode_choices, loads
from nlactions.choices.keys import CacheRef

log = logging.getLogger(__name__)


class ChoiceStore(Protocol):
    """Shared storage of loaded choice lists."""

    async def get(self, ref: CacheRef) -> CachedChoices | None:
        """The entry, whatever its age, or None."""
        ...

    async def version(self, ref: CacheRef) -> dt.datetime | None:
        """When the entry was loaded, without reading its choices (None when absent)."""
        ...

    async def put(self, ref: CacheRef, entry: CachedChoices) -> None:
        """Store (or replace) the entry."""
        ...

    async def close(self) -> None:
        """Release connections."""
        ...


class DbChoiceStore:
    """Entries in the ``choice_cache`` table: they survive restarts and are shared by processes on one DB."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], *, retain_seconds: float):
        self._sessions = sessions
        self._retain = dt.timedelta(seconds=retain_seconds)

    async def get(self, ref: CacheRef) -> CachedChoices | None:
        """The entry from the table."""
        async with self._sessions() as session:
            row = await repo.get(session, ref.account_id, ref.key)
        if row is None:
            return None
        return CachedChoices(decode_choices(row.choices), as_utc(row.refreshed_at))

    async def version(self, ref: CacheRef) -> dt.datetime | None:
        """The entry's ``refreshed_at`` from the table."""
        async with self._sessions() as session:
            moment = await repo.refreshed_at(session, ref.account_id, ref.key)
        return None if moment is None else as_utc(moment)

    async def put(self, ref: CacheRef, entry: CachedChoices) -> None:
        """Upsert the entry and drop the account's entries older than the retention."""
        async with self._sessions() as session, session.begin():
            await repo.upsert(
                session,
                {
                    "account_id": ref.account_id,
                    "cache_key": ref.key,
                    "app": ref.app[:100],
                    "prefill": ref.prefill[:200],
                    "choices": encode_choices(entry.choices),
                    "refreshed_at": as_utc(entry.refreshed_at),
                },
            )
            await repo.delete_older_than(session, ref.account_id, entry.refreshed_at - self._retain)

    async def close(self) -> None:
        """Nothing to release: the engine belongs to the runtime."""


class RedisChoiceStore:
    """Entries as Redis hashes (``r``: load time, ``c``: choices), expiring after the retention."""

    def __init__(self, redis: Redis, *, retain_seconds: float, prefix: str = "nlactions:choices:"):
        self.redis = redis
        self.prefix = prefix
        self._retain = max(1, int(retain_seconds))

    @classmethod
    def from_url(cls, url: str, *, retain_seconds: float, prefix: str = "nlactions:choices:") -> RedisChoiceStore:
        """A store on the Redis server at ``url``."""
        return cls(Redis.from_url(url), retain_seconds=retain_seconds, prefix=prefix)

    def _name(self, ref: CacheRef) -> str:
        return f"{self.prefix}{ref.account_id}:{ref.key}"

    async def get(self, ref: CacheRef) -> CachedChoices | None:
        """The entry from Redis."""
        stamp, blob = await self.redis.hmget(self._name(ref), ["r", "c"])
        if stamp is None or blob is None:
            return None
        return loads(blob.encode() if isinstance(blob, str) else blob, _from_stamp(stamp))

    async def version(self, ref: CacheRef) -> dt.datetime | None:
        """The entry's load time from Redis."""
        stamp = await self.redis.hget(self._name(ref), "r")
        return None if stamp is None else _from_stamp(stamp)

    async def put(self, ref: CacheRef, entry: CachedChoices) -> None:
        """Write the entry and its expiry in one transaction."""
        name = self._name(ref)
        stamp = str((as_utc(entry.refreshed_at) - EPOCH) // dt.timedelta(microseconds=1))
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(name, mapping={"r": stamp, "c": dumps(entry)})
            pipe.expire(name, self._retain)
            await pipe.execute()

    async def close(self) -> None:
        """Close the connection pool."""
        await self.redis.aclose()


EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _from_stamp(stamp: bytes | str) -> dt.datetime:
    """Microseconds since the epoch, as stored, back to an exact datetime."""
    text = stamp.decode() if isinstance(stamp, bytes) else stamp
    return EPOCH + dt.timedelta(microseconds=int(text))


class LruFront:
    """A small in-process LRU in front of a shared store.

    A hit is only used when the shared store still holds the same load (one cheap ``version`` read),
    so a refresh made by another process is seen at once; the saving is not re-reading and decoding
    a long list on every request, and keeping the same list object (whose match index is cached).
    When the shared store fails (Redis down), choices keep working from memory and fresh loads; the
    failure is logged, never shown to callers.
    """

    def __init__(self, shared: ChoiceStore, *, max_entries: int = 256, max_choices: int = 500_000):
        self.shared = shared
        self.max_entries = max_entries
        self.max_choices = max_choices
        self._entries: OrderedDict[str, CachedChoices] = OrderedDict()
        self._total = 0

    async def get(self, ref: CacheRef) -> CachedChoices | None:
        """The entry, from memory when it is the current one, else from the shared store."""
        local = self._entries.get(ref.key)
        try:
            if local is not None:
                current = await self.shared.version(ref)
                if current is not None and current == as_utc(local.refreshed_at):
                    self._entries.move_to_end(ref.key)
                    return local
                self._forget(ref.key)
            entry = await self.shared.get(ref)
        except Exception as exc:
            log.warning("choice cache unavailable, using this process's copy: %s", type(exc).__name__)
            return local
        if entry is not None:
            self._remember(ref.key, entry)
        return entry

    async def version(self, ref: CacheRef) -> dt.datetime | None:
        """The shared store's load time."""
        return await self.shared.version(ref)

    async def put(self, ref: CacheRef, entry: CachedChoices) -> None:
        """Keep the entry in memory and write it through to the shared store."""
        self._remember(ref.key, entry)
        try:
            await self.shared.put(ref, entry)
        except Exception as exc:
            log.warning("choice cache unavailable, kept in this process only: %s", type(exc).__name__)

    async def close(self) -> None:
        """Forget everything and close the shared store."""
        self._entries.clear()
        self._total = 0
        await self.shared.close()

    def _remember(self, key: str, entry: CachedChoices) -> None:
        self._forget(key)
        if len(entry.choices) > self.max_choices:
            return
        self._entries[key] = entry
        self._total += len(entry.choices)
        while len(self._entries) > self.max_entries or self._total > self.max_choices:
            _, dropped = self._entries.popitem(last=False)
            self._total -= len(dropped.choices)

    def _forget(self, key: str) -> None:
        dropped = self._entries.pop(key, None)
        if dropped is not None:
            self._total -= len(dropped.choices)
