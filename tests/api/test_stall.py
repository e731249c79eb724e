"""No request can stall the others: guessing from long instructions runs off the event loop, capped and timed.

A maximal guess (instructions exactly ``NLACTIONS_MAX_INSTRUCTION_CHARS`` long) is read in a worker
thread, so ``GET /api/v2/health/`` is answered while it runs; longer instructions are a 422 naming
``instructions``; a resolution that outlives ``NLACTIONS_ACTION_TIMEOUT_SECONDS`` ends with status
``error`` saying so, and its worker thread stops at the next finder.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from nlactions.api.runtime import Runtime
from nlactions.apps.formatter import app as formatter
from nlactions.db.models import ExecutionLog
from nlactions.resolver.base import Extraction, ExtractionRequest
from nlactions.resolver.engine import LayeredResolver
from nlactions.resolver.extract import OfflineExtractor
from nlactions.resolver.extract.offline import Abandoned
from nlactions.settings import Settings

UNIT = "Uppercase the text 'hello world' "
LIMIT = Settings.model_fields["max_instruction_chars"].default


def instructions(length: int) -> str:
    """The bug report's instructions, cut to exactly ``length`` characters."""
    return (UNIT * (length // len(UNIT) + 1))[:length]


def guess_body(text: str) -> dict[str, Any]:
    return {"instructions": text, "app": "FormatterAPI", "action": "text"}


class ObservedOffline(OfflineExtractor):
    """The real offline extractor, telling the test when its reading starts and ends (and how)."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__()
        self.loop = loop
        self.started = asyncio.Event()
        self.finished = threading.Event()
        self.outcome: str | None = None

    def extract_sync(self, request: ExtractionRequest, stopped: Callable[[], bool] = lambda: False) -> Extraction:
        self.loop.call_soon_threadsafe(self.started.set)
        try:
            extraction = super().extract_sync(request, stopped)
        except Abandoned:
            self.outcome = "abandoned"
            raise
        else:
            self.outcome = "done"
            return extraction
        finally:
            self.finished.set()


def observe(runtime: Runtime) -> ObservedOffline:
    """Put an observed offline extractor in place of the runtime's extractors."""
    observed = ObservedOffline(asyncio.get_running_loop())
    resolver = runtime.execute.executor.resolver
    assert isinstance(resolver, LayeredResolver)
    resolver.extractors = (observed,)
    return observed


async def test_health_is_answered_while_a_maximal_guess_runs(client: httpx.AsyncClient, runtime: Runtime) -> None:
    observed = observe(runtime)
    guess = asyncio.create_task(client.post("/api/v2/execute/?preview_only=true", json=guess_body(instructions(LIMIT))))
    await observed.started.wait()
    health = await client.get("/api/v2/health/")
    assert health.status_code == 200
    # Health came back while the guess was still being read: the event loop was not blocked.
    assert not observed.finished.is_set()
    assert not guess.done()
    response = await guess
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["status"] in ("preview", "halted")  # a normal answer: the repeated quote leaves 'input' open
    assert data["resolved_params"]["transform"] == "uppercase"
    assert observed.outcome == "done"


async def test_instructions_over_the_limit_are_a_422_naming_them(client: httpx.AsyncClient, runtime: Runtime) -> None:
    response = await client.post("/api/v2/execute/?preview_only=true", json=guess_body(instructions(LIMIT + 1)))
    assert response.status_code == 422
    data = response.json()
    assert data["error"].startswith("instructions: ")
    assert f"at most {LIMIT:,} characters" in data["error"]
    assert data["code"] == "instructions_too_long"
    assert f"{LIMIT:,}" in data["hint"] and "skip_param_guessing" in data["hint"]
    async with runtime.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(ExecutionLog)) == 0  # rejected before the log


async def test_instructions_at_the_limit_are_read(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v2/execute/?preview_only=true", json=guess_body(instructions(LIMIT)))
    assert response.status_code == 200, response.text
    assert response.json()["resolved_params"]["transform"] == "uppercase"


async def test_long_instructions_are_accepted_when_nothing_is_guessed(client: httpx.AsyncClient) -> None:
    body = guess_body(instructions(LIMIT * 2))
    body["params"] = {"transform": {"mode": "locked", "value": "uppercase"}, "input": {"mode": "locked", "value": "a"}}
    response = await client.post("/api/v2/execute/?skip_param_guessing=true", json=body)
    assert response.status_code == 200, response.text
    assert response.json()["results"][0]["output"] == "A"


async def test_the_limit_is_a_setting(client: httpx.AsyncClient, runtime: Runtime) -> None:
    runtime.execute.executor.max_instruction_chars = 50
    response = await client.post("/api/v2/execute/?preview_only=true", json=guess_body(instructions(51)))
    assert response.status_code == 422
    assert "at most 50 characters" in response.json()["error"]


class Stuck:
    """An extractor that never answers (a model server that hangs)."""

    name = "stuck"

    async def extract(self, request: ExtractionRequest) -> Extraction:
        await asyncio.sleep(3600)
        return Extraction()


async def test_a_resolution_past_the_timeout_is_status_error(client: httpx.AsyncClient, runtime: Runtime) -> None:
    resolver = runtime.execute.executor.resolver
    assert isinstance(resolver, LayeredResolver)
    resolver.extractors = (Stuck(),)
    runtime.execute.executor.timeout_seconds = 0.05
    response = await client.post("/api/v2/execute/?preview_only=true", json=guess_body("Uppercase 'hi'"))
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "error"
    assert data["error"] == "Resolving the params did not finish within 0.05 s and was stopped."


async def test_a_cancelled_reading_stops_its_thread() -> None:
    observed = ObservedOffline(asyncio.get_running_loop())
    action = formatter.action("text")
    assert action is not None
    request = ExtractionRequest(
        instructions=instructions(LIMIT), needs=action.needs, candidates={}, known={}, now=dt.datetime(2025, 1, 15)
    )
    task = asyncio.create_task(observed.extract(request))
    await observed.started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await asyncio.to_thread(observed.finished.wait)
    assert observed.outcome == "abandoned"


def test_a_stopped_reading_raises_abandoned() -> None:
    action = formatter.action("text")
    assert action is not None
    request = ExtractionRequest(
        instructions="Uppercase 'hi'", needs=action.needs, candidates={}, known={}, now=dt.datetime(2025, 1, 15)
    )
    with pytest.raises(Abandoned):
        OfflineExtractor().extract_sync(request, lambda: True)
