"""Group commit: concurrent small writes share one transaction, each caller awaits its own commit.

Writes are (statement, parameters) pairs; a batch runs each distinct statement once with all its
parameter sets (``executemany``), so a hundred log rows cost one round trip and one commit.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql.base import Executable

log = logging.getLogger(__name__)
Item = tuple[Executable, dict[str, Any], asyncio.Future[None]]


class WriteBatcher:
    """Runs submitted writes in batches; ``submit`` returns once the write is durably committed."""

    def __init__(self, engine: AsyncEngine, *, max_batch: int = 512):
        self._engine = engine
        self._max_batch = max_batch
        self._queue: asyncio.Queue[Item] = asyncio.Queue()
        self._worker: asyncio.Task[None] | None = None

    async def submit(self, statement: Executable, params: dict[str, Any]) -> None:
        """Queue a write and wait until the transaction holding it has committed."""
        if self._worker is None or self._worker.done():
            self._worker = asyncio.create_task(self._run(), name="nlactions-write-batcher")
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait((statement, params, future))
        await future

    async def close(self) -> None:
        """Finish queued writes and stop the worker."""
        if self._worker is None:
            return
        await self._queue.join()
        self._worker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._worker
        self._worker = None

    async def _run(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while len(batch) < self._max_batch and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            try:
                await self._commit(batch)
            finally:
                for _ in batch:
                    self._queue.task_done()

    async def _commit(self, batch: list[Item]) -> None:
        groups: dict[int, tuple[Executable, list[dict[str, Any]]]] = {}
        for statement, params, _ in batch:
            groups.setdefault(id(statement), (statement, []))[1].append(params)
        try:
            async with self._engine.begin() as conn:
                for statement, rows in groups.values():
                    await conn.execute(statement, rows if len(rows) > 1 else rows[0])
        except Exception:
            # One bad write must not sink the others: retry each in its own transaction.
            for item in batch:
                await self._commit_one(item)
            return
        for _, _, future in batch:
            if not future.done():
                future.set_result(None)

    async def _commit_one(self, item: Item) -> None:
        statement, params, future = item
        try:
            async with self._engine.begin() as conn:
                await conn.execute(statement, params)
        except Exception as exc:
            if not future.done():
                future.set_exception(exc)
            return
        if not future.done():
            future.set_result(None)
