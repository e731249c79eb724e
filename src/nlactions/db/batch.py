"""Group commit: concurrent small writes share one transaction, each caller awaits its own commit."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

Write = Callable[[AsyncSession], Awaitable[None]]
log = logging.getLogger(__name__)


class WriteBatcher:
    """Runs submitted writes in batches; ``submit`` returns once the write is durably committed."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], *, max_batch: int = 256):
        self._sessions = sessions
        self._max_batch = max_batch
        self._queue: asyncio.Queue[tuple[Write, asyncio.Future[None]]] = asyncio.Queue()
        self._worker: asyncio.Task[None] | None = None

    async def submit(self, write: Write) -> None:
        """Queue ``write`` and wait until the transaction holding it has committed."""
        if self._worker is None or self._worker.done():
            self._worker = asyncio.create_task(self._run(), name="nlactions-write-batcher")
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        await self._queue.put((write, future))
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

    async def _commit(self, batch: list[tuple[Write, asyncio.Future[None]]]) -> None:
        try:
            async with self._sessions() as session, session.begin():
                for write, _ in batch:
                    await write(session)
        except Exception:
            if len(batch) == 1:
                write, future = batch[0]
                await self._fail_single(write, future)
                return
            # One bad write must not sink the others: retry each in its own transaction.
            for write, future in batch:
                await self._fail_single(write, future)
            return
        for _, future in batch:
            if not future.done():
                future.set_result(None)

    async def _fail_single(self, write: Write, future: asyncio.Future[None]) -> None:
        try:
            async with self._sessions() as session, session.begin():
                await write(session)
        except Exception as exc:
            if not future.done():
                future.set_exception(exc)
            return
        if not future.done():
            future.set_result(None)
