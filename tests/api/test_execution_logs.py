"""Execution logs that tell the truth: ``running`` while a run runs, ``interrupted`` when its server
process died (run leases), a retry of an interrupted Idempotency-Key runs again, and the v2 listing
``GET /api/v2/execute/log/`` (filters, cursor pagination) and ``GET /api/v2/execute/log/{id}/``."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pydantic
import pytest
from fastapi import FastAPI
from sqlalchemy import select, update

from conftest import make_key
from helpers.apps import recorder, test_app
from nlactions.api.app import create_app
from nlactions.api.runtime import Runtime
from nlactions.catalog import load_registry
from nlactions.db.models import ExecutionLog, ServerInstance
from nlactions.kit.ids import new_ulid
from nlactions.settings import Settings

EXECUTE = "/api/v2/execute/"
LOGS = "/api/v2/execute/log/"
LONG_AGO = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)


def body(action: str = "echo", **params: Any) -> dict[str, Any]:
    return {"instructions": "", "app": "TestAPI", "action": action, "params": params}


def locked(value: Any) -> dict[str, Any]:
    return {"mode": "locked", "value": value}


ECHO = body(channel=locked("C001"), text=locked("hi"))


@pytest.fixture(autouse=True)
def reset_recorder() -> None:
    recorder.calls.clear()
    recorder.gate = None
    recorder.entered = None


@asynccontextmanager
async def another_process(settings: Settings) -> AsyncIterator[Runtime]:
    """A second server started on the same database, as a restarted (or another) process would be."""
    registry = load_registry()
    registry.add(test_app)
    second = create_app(settings, registry=registry, migrate=False)
    async with second.router.lifespan_context(second):
        yield second.state.runtime


async def add_instance(runtime: Runtime, heartbeat_at: dt.datetime) -> str:
    instance_id = new_ulid()
    async with runtime.sessions() as session, session.begin():
        session.add(ServerInstance(id=instance_id, started_at=LONG_AGO, heartbeat_at=heartbeat_at))
    return instance_id


async def add_running_log(runtime: Runtime, account_id: int, instance_id: str | None) -> str:
    """A log as a process leaves it when it dies mid-run: ``running``, no response, its instance named."""
    log_id = new_ulid()
    async with runtime.sessions() as session, session.begin():
        session.add(
            ExecutionLog(
                id=log_id,
                account_id=account_id,
                app="TestAPI",
                action="echo",
                status="running",
                input_params={"text": {"mode": "locked", "value": "hi"}},
                created_at=LONG_AGO,
                instance_id=instance_id,
            )
        )
    return log_id


async def crash(runtime: Runtime, log_id: str, instance_id: str) -> None:
    """Rewrite a completed log to what a crash mid-run leaves: running, no response, owned by ``instance_id``."""
    async with runtime.sessions() as session, session.begin():
        await session.execute(
            update(ExecutionLog)
            .where(ExecutionLog.id == log_id)
            .values(status="running", response=None, error=None, completed_at=None, created_at=LONG_AGO)
            .values(instance_id=instance_id)
        )


async def stored(runtime: Runtime, log_id: str) -> ExecutionLog:
    async with runtime.sessions() as session:
        log = await session.get(ExecutionLog, log_id)
    assert log is not None
    return log


# -- leases: a dead process's runs become interrupted, a live one's are untouched ---------------------


async def test_start_interrupts_runs_of_dead_instances_and_leaves_live_ones_running(
    client: httpx.AsyncClient, runtime: Runtime, settings: Settings, key: Any
) -> None:
    dead = await add_instance(runtime, heartbeat_at=LONG_AGO)
    alive = await add_instance(runtime, heartbeat_at=dt.datetime.now(dt.UTC) + dt.timedelta(hours=1))
    orphan = await add_running_log(runtime, key.account_id, dead)
    legacy = await add_running_log(runtime, key.account_id, None)  # written before run leases existed
    live = await add_running_log(runtime, key.account_id, alive)

    async with another_process(settings):
        pass  # its start sweeps

    for log_id in (orphan, legacy):
        data = (await client.get(f"{LOGS}{log_id}/")).json()
        assert data["status"] == "interrupted", data
        assert "stopped while this ran" in data["error"] and "Idempotency-Key" in data["error"]
        assert data["action_used"] == "Test: Send Message"
        assert data["completed_at"] is None
        assert (await stored(runtime, log_id)).response["status"] == "interrupted"  # the stored body says so too
    assert (await client.get(f"{LOGS}{live}/")).json()["status"] == "running"
    assert (await stored(runtime, live)).status == "running"
    async with runtime.sessions() as session:
        instances = set(await session.scalars(select(ServerInstance.id)))
    assert dead not in instances and alive in instances

    v1 = (await client.get(f"/api/v1/execution-log/{orphan}/")).json()
    assert v1["status"] == "error"
    assert "stopped while this ran" in v1["error"] and "may or may not have happened" in v1["assistant_hint"]


async def test_a_live_process_never_interrupts_its_own_runs(runtime: Runtime, key: Any) -> None:
    own = await add_running_log(runtime, key.account_id, runtime.leases.instance_id)
    async with runtime.sessions() as session, session.begin():
        await session.execute(update(ServerInstance).values(heartbeat_at=LONG_AGO))  # even with a late heartbeat
    assert await runtime.leases.sweep() == 0
    assert (await stored(runtime, own)).status == "running"


async def test_a_clean_shutdown_interrupts_what_it_still_runs(runtime: Runtime, settings: Settings, key: Any) -> None:
    async with another_process(settings) as second:
        mine = await add_running_log(runtime, key.account_id, second.leases.instance_id)
    log = await stored(runtime, mine)
    assert log.status == "interrupted"
    async with runtime.sessions() as session:
        assert await session.get(ServerInstance, second.leases.instance_id) is None


def test_a_lease_shorter_than_the_heartbeat_is_refused() -> None:
    with pytest.raises(pydantic.ValidationError, match="NLACTIONS_RUN_LEASE_SECONDS"):
        Settings(_env_file=None, run_heartbeat_seconds=5, run_lease_seconds=2)  # type: ignore[call-arg]
    assert Settings(_env_file=None, run_heartbeat_seconds=2).run_lease == 6  # type: ignore[call-arg]


# -- Idempotency-Key of an interrupted run -----------------------------------------------------------


async def test_an_interrupted_idempotency_key_runs_again_and_the_first_log_stays_interrupted(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    headers = {"Idempotency-Key": "crash-1"}
    first = (await client.post(EXECUTE, json=ECHO, headers=headers)).json()
    owner = await add_instance(runtime, heartbeat_at=dt.datetime.now(dt.UTC) + dt.timedelta(hours=1))
    await crash(runtime, first["execution_log_id"], owner)

    # While its process is alive the run may still finish: a retry is told to wait.
    waiting = await client.post(EXECUTE, json=ECHO, headers=headers)
    assert waiting.status_code == 409, waiting.text
    assert "still running" in waiting.json()["error"] and "interrupted" in waiting.json()["hint"]
    assert len(recorder.calls) == 1

    # Its process died (no heartbeat for longer than the lease): the retry runs the action again.
    async with runtime.sessions() as session, session.begin():
        await session.execute(update(ServerInstance).where(ServerInstance.id == owner).values(heartbeat_at=LONG_AGO))
    retried = await client.post(EXECUTE, json=ECHO, headers=headers)
    assert retried.status_code == 200, retried.text
    assert retried.json()["status"] == "success"
    assert retried.json()["execution_log_id"] != first["execution_log_id"]
    assert len(recorder.calls) == 2

    old = (await client.get(f"{LOGS}{first['execution_log_id']}/")).json()
    assert old["status"] == "interrupted" and old["retried_by"] == retried.json()["execution_log_id"]
    # The key now belongs to the retry: a further retry replays it without running again.
    again = await client.post(EXECUTE, json=ECHO, headers=headers)
    assert again.json() == retried.json()
    assert len(recorder.calls) == 2
    # ... and still refuses a different request under the same key.
    changed = await client.post(EXECUTE, json=body(channel=locked("C002"), text=locked("x")), headers=headers)
    assert changed.status_code == 400


async def test_concurrent_retries_of_an_interrupted_key_run_it_once(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    headers = {"Idempotency-Key": "crash-2"}
    first = (await client.post(EXECUTE, json=ECHO, headers=headers)).json()
    await crash(runtime, first["execution_log_id"], await add_instance(runtime, heartbeat_at=LONG_AGO))
    recorder.calls.clear()
    recorder.gate, recorder.entered = asyncio.Event(), asyncio.Event()
    running = asyncio.create_task(client.post(EXECUTE, json=ECHO, headers=headers))
    await asyncio.wait_for(recorder.entered.wait(), 10)
    second = await client.post(EXECUTE, json=ECHO, headers=headers)
    assert second.status_code == 409, second.text
    recorder.gate.set()
    assert (await running).json()["status"] == "success"
    assert len(recorder.calls) == 1


# -- a run in progress reads as running everywhere ------------------------------------------------


async def test_a_live_run_reads_running_on_v1_v2_and_rate(client: httpx.AsyncClient, runtime: Runtime) -> None:
    recorder.gate, recorder.entered = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(client.post(EXECUTE, json=ECHO))
    await asyncio.wait_for(recorder.entered.wait(), 10)
    async with runtime.sessions() as session:
        log_id = (await session.scalars(select(ExecutionLog.id))).one()

    v2 = (await client.get(f"{LOGS}{log_id}/")).json()
    assert (v2["status"], v2["error"], v2["completed_at"], v2["results"]) == ("running", None, None, None)
    assert v2["action_used"] == "Test: Send Message"
    listed = (await client.get(LOGS, params={"status": "running"})).json()
    assert [r["execution_log_id"] for r in listed["results"]] == [log_id]
    v1 = (await client.get(f"/api/v1/execution-log/{log_id}/")).json()
    assert v1["status"] == "running" and v1["error"] is None and "still running" in v1["assistant_hint"]
    rated = (await client.post(f"{LOGS}{log_id}/rate/", params={"rating": 1})).json()
    assert rated["status"] == "running" and rated["rating"] == 1

    recorder.gate.set()
    assert (await task).json()["status"] == "success"
    done = (await client.get(f"{LOGS}{log_id}/")).json()
    assert done["status"] == "success" and done["rating"] == 1 and done["completed_at"] is not None
    assert (await client.get(f"/api/v1/execution-log/{log_id}/")).json()["status"] == "success"


# -- the listing ----------------------------------------------------------------------------------


async def run(client: httpx.AsyncClient, payload: dict[str, Any], path: str = EXECUTE, **params: Any) -> str:
    response = await client.post(path, json=payload, params=params)
    assert response.status_code == 200, response.text
    return str(response.json()["execution_log_id"])


async def test_listing_filters_and_pages_newest_first(client: httpx.AsyncClient, runtime: Runtime) -> None:
    echoes = [await run(client, ECHO) for _ in range(3)]
    found = await run(client, body("find", query=locked("nothing")))
    halted = await run(client, body(text=locked("no channel")))
    preview = await run(client, ECHO, preview_only="true")
    stored_action = (
        await client.post("/api/v2/ai-actions/", json={"app": "TestAPI", "action": "echo", "params": ECHO["params"]})
    ).json()["id"]
    by_action = await run(client, {"instructions": "go"}, f"/api/v2/ai-actions/{stored_action}/execute/")
    everything = [by_action, preview, halted, found, *reversed(echoes)]

    page = (await client.get(LOGS)).json()
    assert [r["execution_log_id"] for r in page["results"]] == everything and page["next"] is None
    item = page["results"][-1]
    assert item["status"] == "success" and item["results"] == [
        {"channel": "C001", "text": "hi", "meta__author__name": "bot"}
    ]
    assert dt.datetime.fromisoformat(item["created_at"]).tzinfo is not None
    assert dt.datetime.fromisoformat(item["completed_at"]) >= dt.datetime.fromisoformat(item["created_at"])

    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 3} | ({"cursor": cursor} if cursor else {})
        response = await client.get(LOGS, params=params)
        assert response.status_code == 200, response.text
        seen += [r["execution_log_id"] for r in response.json()["results"]]
        pages += 1
        cursor = response.json()["next"]
        if cursor is None:
            break
    assert seen == everything and pages == 3

    async def ids(**filters: Any) -> list[str]:
        response = await client.get(LOGS, params=filters)
        assert response.status_code == 200, response.text
        return [r["execution_log_id"] for r in response.json()["results"]]

    assert await ids(status="halted") == [halted]
    assert await ids(status="preview") == [preview]
    assert await ids(app="TestAPI", action="find") == [found]
    assert await ids(ai_action_id=stored_action) == [by_action]
    assert await ids(app="FormatterAPI") == []
    assert await ids(status="success", action="echo", limit=2) == [by_action, echoes[-1]]
    assert await ids(since=(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)).isoformat()) == []
    assert await ids(since=(dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)).isoformat()) == everything
    naive_utc = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)).replace(tzinfo=None).isoformat()
    assert await ids(since=naive_utc) == everything
    in_another_zone = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)).astimezone(
        dt.timezone(dt.timedelta(hours=-7))
    )
    assert await ids(since=in_another_zone.isoformat()) == everything

    other = await make_key(runtime, account="other", user="x@other.test")
    theirs = await client.get(LOGS, headers={"x-api-key": other.key})
    assert theirs.json() == {"results": [], "next": None}


@pytest.mark.parametrize(
    ("params", "status", "named"),
    [
        ({"cursor": "not-a-cursor"}, 400, "cursor"),
        ({"cursor": "eyJiZWZvcmUiOiAxfQ"}, 400, "cursor"),  # valid base64 and JSON, not ours
        ({"status": "done"}, 422, "interrupted"),  # the message lists the valid ones
        ({"limit": 101}, 422, "limit"),
        ({"limit": 0}, 422, "limit"),
        ({"since": "yesterday"}, 422, "since"),
        ({"since": "0001-01-01T00:00:00+05:00"}, 400, "since"),  # before year 1 in UTC
    ],
)
async def test_bad_listing_parameters_are_errors_naming_them(
    client: httpx.AsyncClient, params: dict[str, Any], status: int, named: str
) -> None:
    response = await client.get(LOGS, params=params)
    assert response.status_code == status, response.text
    data = response.json()
    assert named in data["error"] and data["code"]
    if named == "cursor":
        assert "next" in data["hint"]


async def test_getting_an_unknown_log_is_404(client: httpx.AsyncClient) -> None:
    for log_id in (new_ulid(), "not-an-id"):
        response = await client.get(f"{LOGS}{log_id}/")
        assert response.status_code == 404 and log_id in response.json()["error"]


async def test_a_started_server_is_a_registered_instance(app: FastAPI, runtime: Runtime) -> None:
    async with runtime.sessions() as session:
        assert await session.get(ServerInstance, runtime.leases.instance_id) is not None
