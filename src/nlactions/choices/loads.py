"""Choice loads running in this process: one per cache entry, shared by every request that needs it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from nlactions.catalog import Choice
from nlactions.choices.entry import CachedChoices

LoadBody = Callable[[list[Choice]], Coroutine[Any, Any, CachedChoices]]
"""Loads every page (appending each to the list it is given, so callers can see progress) and stores it."""


@dataclass(eq=False)
class Load:
    """One running (or just finished) load and the choices it has received so far."""

    task: asyncio.Task[CachedChoices]
    partial: list[Choice] = field(default_factory=list)

    @property
    def running(self) -> bool:
        """True until the load finishes, well or badly."""
        return not self.task.done()

    @property
    def error(self) -> BaseException | None:
        """Why a finished load failed, or None."""
        if not self.task.done() or self.task.cancelled():
            return None
        return self.task.exception()

    async def wait(self, seconds: float | None) -> bool:
        """Wait up to ``seconds`` (None: until done) without cancelling the load; True when it finished."""
        if self.task.done():
            return True
        done, _ = await asyncio.wait({self.task}, timeout=seconds)
        return bool(done)

    async def result(self) -> CachedChoices:
        """The finished load's entry (raising its error); waiting does not cancel it for others."""
        return await asyncio.shield(self.task)


class Loads:
    """Running loads by cache key.

    A load that succeeds leaves the registry as soon as its entry is stored. One that fails stays,
    with its error, until a caller collects it (``take_failure``) or a new load replaces it: the error
    is reported once, and the next request tries again.
    """

    def __init__(self) -> None:
        self._loads: dict[str, Load] = {}

    def get(self, key: str) -> Load | None:
        """The load for ``key``, running or failed."""
        return self._loads.get(key)

    def start(self, key: str, body: LoadBody) -> Load:
        """The running load for ``key``, or a new one running ``body``."""
        current = self._loads.get(key)
        if current is not None and current.running:
            return current
        partial: list[Choice] = []
        task = asyncio.create_task(body(partial), name=f"nlactions-choices-{key[:12]}")
        load = Load(task, partial)
        self._loads[key] = load
        task.add_done_callback(lambda t: self._finished(key, load))
        return load

    def take_failure(self, key: str) -> BaseException | None:
        """Remove a failed load for ``key`` and return its error (None if there is none)."""
        load = self._loads.get(key)
        if load is None or load.running or load.error is None:
            return None
        del self._loads[key]
        return load.error

    def _finished(self, key: str, load: Load) -> None:
        succeeded = load.task.cancelled() or load.task.exception() is None
        if succeeded and self._loads.get(key) is load:
            del self._loads[key]

    async def close(self) -> None:
        """Cancel every running load and wait for them to stop."""
        loads, self._loads = list(self._loads.values()), {}
        for load in loads:
            load.task.cancel()
        for load in loads:
            with contextlib.suppress(BaseException):
                await load.task
