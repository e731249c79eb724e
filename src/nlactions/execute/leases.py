"""Run leases: a server instance heartbeats; runs left ``running`` by a dead instance become ``interrupted``.

Every process makes an instance id at start and writes a ``server_instances`` row with a heartbeat
renewed every ``heartbeat_seconds``. A log written ``running`` carries its process's instance id. A
log still ``running`` whose instance has not beaten for ``lease_seconds`` (and that started at least
that long ago) is marked ``interrupted``, at start and on every heartbeat, by whichever process sees it
first, so a live process's runs are never touched. Timestamps come from each process's clock: keep
hosts within a small fraction of the lease of each other (NTP does).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nlactions.db.models import ExecutionLog, utcnow
from nlactions.execute import repository as repo
from nlactions.execute.bodies import INTERRUPTED_ERROR, unfinished_body
from nlactions.kit.ids import new_ulid

log = logging.getLogger(__name__)
SWEEP_BATCH = 500


class RunLeases:
    """This process's instance id, its heartbeat task, and the sweep that interrupts orphaned runs."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        heartbeat_seconds: float,
        lease_seconds: float,
        describe: Callable[[str, str], str],
    ):
        self.instance_id = new_ulid()
        self.sessions = sessions
        self.heartbeat_seconds = heartbeat_seconds
        self.lease_seconds = lease_seconds
        self._describe = describe
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Register this instance, interrupt orphaned runs and start heartbeating (once; later calls return)."""
        if self._task is not None:
            return
        async with self._lock:
            if self._task is not None:
                return
            await self.beat()
            await self.sweep()
            self._task = asyncio.create_task(self._run(), name="nlactions-run-lease")

    async def beat(self) -> None:
        """Renew this instance's lease."""
        async with self.sessions() as session, session.begin():
            await repo.beat(session, self.instance_id, utcnow())

    async def sweep(self) -> int:
        """Mark ``interrupted`` every run whose instance's lease has expired; returns how many."""
        cutoff = utcnow() - dt.timedelta(seconds=self.lease_seconds)
        marked = 0
        while True:
            async with self.sessions() as session, session.begin():
                orphans = await repo.orphaned_runs(session, self.instance_id, cutoff, SWEEP_BATCH)
                await repo.interrupt(session, [self._body(o) for o in orphans])
                if len(orphans) < SWEEP_BATCH:
                    await repo.forget_instances(session, self.instance_id, cutoff)
            marked += len(orphans)
            if len(orphans) < SWEEP_BATCH:
                break
        if marked:
            log.warning("marked %d run(s) interrupted: their server process stopped while they ran", marked)
        return marked

    async def close(self) -> None:
        """Stop heartbeating; runs of this instance still running are interrupted and the instance removed."""
        if self._task is None:
            return
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None
        try:
            async with self.sessions() as session, session.begin():
                await repo.interrupt(session, [self._body(o) for o in await repo.own_runs(session, self.instance_id)])
                await repo.remove_instance(session, self.instance_id)
        except Exception:
            log.warning("could not release this instance's run lease; others will after it expires", exc_info=True)

    def _body(self, orphan: ExecutionLog) -> dict[str, object]:
        return unfinished_body(orphan, self._describe(orphan.app, orphan.action), "interrupted", INTERRUPTED_ERROR)

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.heartbeat_seconds)
            try:
                await self.beat()
                await self.sweep()
            except Exception:
                log.warning("run lease heartbeat failed; retrying in %g s", self.heartbeat_seconds, exc_info=True)
