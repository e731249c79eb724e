"""ExpiringCache: entries lapse after their own lifetime, and a full cache starts over."""

from __future__ import annotations

import pytest

from nlactions.kit import expiring
from nlactions.kit.expiring import ExpiringCache


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    now = [1000.0]
    monkeypatch.setattr(expiring.time, "monotonic", lambda: now[0])
    return now


def test_an_entry_lapses_after_its_seconds(clock: list[float]) -> None:
    cache: ExpiringCache[str] = ExpiringCache()
    cache.put("k", "v", 2)
    clock[0] += 1.9
    assert cache.get("k") == "v" and "k" in cache
    clock[0] += 0.2
    assert cache.get("k") is None and "k" not in cache


def test_zero_seconds_keeps_nothing_and_pop_forgets(clock: list[float]) -> None:
    cache: ExpiringCache[str] = ExpiringCache()
    cache.put("never", "v", 0)
    cache.put("k", "v", 5)
    cache.pop("k")
    assert cache.get("never") is None and cache.get("k") is None


def test_a_full_cache_starts_over(clock: list[float]) -> None:
    cache: ExpiringCache[int] = ExpiringCache(max_entries=3)
    for i in range(3):
        cache.put(str(i), i, 60)
    cache.put("new", 9, 60)
    assert [cache.get(k) for k in ("0", "1", "2", "new")] == [None, None, None, 9]
