"""The budgets' storage: ``limits``' Redis storage when configured, else its memory storage, paced."""

from __future__ import annotations

import time

from limits.aio.storage import MemoryStorage, Storage
from limits.storage import storage_from_string

from nlactions.settings import Settings

SWEEP_SECONDS = 1.0


class PacedMemoryStorage(MemoryStorage):
    """``limits``' memory storage, sweeping expired entries at most once a second.

    The library starts a sweep after every hit once the last one finished, and a sweep hops to a thread
    for every key: about 0.3 ms of each request under load. Counting does not depend on the sweep (a
    moving window only looks at entries inside it), so pacing it only bounds how long expired entries
    stay in memory. If a later ``limits`` renames the hook, this class is plain ``MemoryStorage``.
    """

    def __init__(self) -> None:
        super().__init__()
        self._next_sweep = 0.0

    async def _MemoryStorage__schedule_expiry(self) -> None:
        now = time.monotonic()
        if now < self._next_sweep:
            return
        self._next_sweep = now + SWEEP_SECONDS
        await super()._MemoryStorage__schedule_expiry()  # type: ignore[misc]


def build_storage(settings: Settings) -> Storage:
    """Redis (``async+redis://`` on ``redis_url``, keys under ``rate_limit_key_prefix``) or paced memory."""
    if not settings.redis_url:
        return PacedMemoryStorage()
    storage = storage_from_string(
        "async+" + settings.redis_url,
        implementation="redispy",
        key_prefix=settings.rate_limit_key_prefix,
        wrap_exceptions=True,
    )
    assert isinstance(storage, Storage)
    return storage
