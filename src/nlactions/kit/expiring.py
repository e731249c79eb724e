"""A bounded in-process cache whose entries lapse after their own lifetime (lookups of keys, tokens, documents)."""

from __future__ import annotations

import time
from typing import Generic, TypeVar

V = TypeVar("V")


class ExpiringCache(Generic[V]):
    """A map whose entries are forgotten ``seconds`` after they were put; full, it starts over (no eviction walk)."""

    def __init__(self, max_entries: int = 10_000):
        self._entries: dict[str, tuple[float, V]] = {}
        self._max = max_entries

    def get(self, key: str) -> V | None:
        """The live value under ``key``, or None when there is none or it has lapsed."""
        entry = self._entries.get(key)
        if entry is not None and entry[0] > time.monotonic():
            return entry[1]
        return None

    def __contains__(self, key: str) -> bool:
        return self.get(key) is not None

    def put(self, key: str, value: V, seconds: float) -> None:
        """Keep ``value`` for ``seconds`` (nothing is kept for zero or less)."""
        if seconds <= 0:
            return
        if len(self._entries) >= self._max:
            self._entries.clear()
        self._entries[key] = (time.monotonic() + seconds, value)

    def pop(self, key: str) -> None:
        """Forget ``key`` now."""
        self._entries.pop(key, None)

    def clear(self) -> None:
        """Forget everything."""
        self._entries.clear()
