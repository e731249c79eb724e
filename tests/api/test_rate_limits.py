"""Rate limits: execute and read budgets per key and per account, 429s with Retry-After, RateLimit-*
headers, failed-auth throttling per address, the negative key cache, Redis-shared budgets, and a
vendor's own 429 as a retryable execution error."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, contextmanager
from typing import Any
from urllib.parse import quote

import httpx
import pytest
import redis.asyncio as aioredis
from fastapi import FastAPI
from pydantic import ValidationError
from sqlalchemy import event, select

from conftest import make_key
from helpers.echo_server import EchoServer
from nlactions.accounts.service import CreatedKey
from nlactions.api.app import create_app
from nlactions.api.runtime import Runtime
from nlactions.db.models import ExecutionLog
from nlactions.kit.ssrf import SSRFGuard
from nlactions.settings import Settings

REDIS_URL = "redis://127.0.0.1:6379/0"
EXECUTE = {
    "instructions": "",
    "app": "FormatterAPI",
    "action": "text",
    "params": {"transform": {"mode": "locked", "value": "uppercase"}, "input": {"mode": "locked", "value": "hi"}},
}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Small budgets: 3 executes, 5 reads, 4 refused keys a minute."""
    return settings.model_copy(
        update={"rate_limit_execute": "3/minute", "rate_limit_read": "5/minute", "rate_limit_failed_auth": "4/minute"}
    )


def http(app: FastAPI, key: str | None = None, address: str = "127.0.0.1") -> httpx.AsyncClient:
    """A client from ``address`` with ``key``."""
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=(address, 50000)),
        base_url="http://nlactions.test",
        headers={"x-api-key": key} if key else {},
    )


def quota(response: httpx.Response) -> tuple[int, int, int]:
    """``RateLimit-Limit``, ``-Remaining``, ``-Reset``."""
    headers = response.headers
    return int(headers["ratelimit-limit"]), int(headers["ratelimit-remaining"]), int(headers["ratelimit-reset"])


@contextmanager
def counted_queries(runtime: Runtime) -> Iterator[list[str]]:
    """The SQL statements the runtime's engine runs inside the block."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    engine = runtime.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


async def test_the_execute_past_the_budget_is_a_429_with_retry_after(client: httpx.AsyncClient) -> None:
    remaining = []
    for _ in range(3):
        response = await client.post("/api/v2/execute/", json=EXECUTE)
        assert response.status_code == 200, response.text
        limit, left, reset = quota(response)
        assert limit == 3 and 0 < reset <= 60
        remaining.append(left)
    assert remaining == [2, 1, 0]
    refused = await client.post("/api/v2/execute/", json=EXECUTE)
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert quota(refused)[:2] == (3, 0)
    body = refused.json()
    assert set(body) == {"error", "code", "hint"}
    assert body["code"] == "rate_limited"
    assert body["error"].startswith("Rate limit of 3 executes per minute for this API key reached; retry in ")
    assert "Retry-After" in body["hint"] and "NLACTIONS_RATE_LIMIT_EXECUTE" in body["hint"]


async def test_every_response_carries_decreasing_headers_errors_too(client: httpx.AsyncClient) -> None:
    answers = [
        await client.get("/api/v2/auth/check/"),
        await client.get("/api/v2/ai-actions/01JAAAAAAAAAAAAAAAAAAAAAAA/"),
        await client.get("/api/v2/auth/accounts/"),
        await client.get("/api/v2/apps/NoSuchAPI/"),
        await client.get("/api/v2/auth/check/"),
    ]
    assert [a.status_code for a in answers] == [200, 404, 200, 404, 200]
    assert [quota(a)[:2] for a in answers] == [(5, 4), (5, 3), (5, 2), (5, 1), (5, 0)]
    refused = await client.get("/api/v2/auth/check/")
    assert refused.status_code == 429
    assert "5 read requests per minute for this API key" in refused.json()["error"]


async def test_reads_and_executes_have_separate_budgets(client: httpx.AsyncClient) -> None:
    for _ in range(3):
        assert (await client.post("/api/v2/execute/", json=EXECUTE)).status_code == 200
    assert (await client.post("/api/v2/execute/", json=EXECUTE)).status_code == 429
    read = await client.get("/api/v2/auth/check/")
    assert read.status_code == 200
    assert quota(read)[:2] == (5, 4)


async def test_every_execute_route_spends_the_execute_budget(client: httpx.AsyncClient) -> None:
    """v2 execute, stored AI action execute and preview, v1 exposed execute (unknown ids: 404, still counted)."""
    unknown = "01JAAAAAAAAAAAAAAAAAAAAAAA"
    answers = [
        await client.post(f"/api/v2/ai-actions/{unknown}/execute/", json={"instructions": "x"}),
        await client.post(f"/api/v2/ai-actions/{unknown}/preview/", json={"instructions": "x"}),
        await client.post(f"/api/v1/exposed/{unknown}/execute/", json={"instructions": "x"}),
        await client.post("/api/v2/execute/", json=EXECUTE),
    ]
    assert [a.status_code for a in answers] == [404, 404, 404, 429]
    assert [quota(a)[:2] for a in answers] == [(3, 2), (3, 1), (3, 0), (3, 0)]


async def test_another_key_and_account_are_unaffected(app: FastAPI, runtime: Runtime, key: CreatedKey) -> None:
    other = await make_key(runtime, account="globex", user="owner@globex.test")
    async with http(app, key.key) as acme, http(app, other.key) as globex:
        for _ in range(3):
            await acme.post("/api/v2/execute/", json=EXECUTE)
        assert (await acme.post("/api/v2/execute/", json=EXECUTE)).status_code == 429
        response = await globex.post("/api/v2/execute/", json=EXECUTE)
    assert response.status_code == 200
    assert quota(response)[:2] == (3, 2)


async def test_two_keys_of_one_account_share_its_budget(app: FastAPI, runtime: Runtime, key: CreatedKey) -> None:
    second = await make_key(runtime, account="acme", user="second@acme.test")
    assert second.account_id == key.account_id
    async with http(app, key.key) as first_client, http(app, second.key) as second_client:
        assert (await first_client.post("/api/v2/execute/", json=EXECUTE)).status_code == 200
        assert (await first_client.post("/api/v2/execute/", json=EXECUTE)).status_code == 200
        last = await second_client.post("/api/v2/execute/", json=EXECUTE)
        refused = await second_client.post("/api/v2/execute/", json=EXECUTE)
    assert last.status_code == 200
    assert quota(last)[:2] == (3, 0)
    assert refused.status_code == 429
    assert "for this account (shared by all its API keys)" in refused.json()["error"]


async def test_zero_switches_a_limit_off(settings: Settings, key: CreatedKey) -> None:
    """A second app on the same database with executes unlimited; reads keep their budget."""
    unlimited = create_app(settings.model_copy(update={"rate_limit_execute": "0"}), migrate=False)
    async with unlimited.router.lifespan_context(unlimited), http(unlimited, key.key) as client:
        answers = [await client.post("/api/v2/execute/", json=EXECUTE) for _ in range(6)]
        read = await client.get("/api/v2/auth/check/")
    assert [a.status_code for a in answers] == [200] * 6
    assert all("ratelimit-limit" not in a.headers for a in answers)
    assert quota(read)[:2] == (5, 4)


def test_a_bad_notation_is_refused_at_settings_load() -> None:
    with pytest.raises(ValidationError) as raised:
        Settings(_env_file=None, rate_limit_execute="600 a minute")  # type: ignore[call-arg]
    message = str(raised.value)
    assert "NLACTIONS_RATE_LIMIT_EXECUTE='600 a minute' is not a rate limit" in message
    assert "'600/minute'" in message and "0 to switch the limit off" in message
    assert Settings(_env_file=None, rate_limit_read="10/second; 600/minute").rate_limit_read  # type: ignore[call-arg]


async def test_bad_keys_are_throttled_per_address_before_any_lookup(
    app: FastAPI, runtime: Runtime, key: CreatedKey
) -> None:
    async with http(app) as anonymous:
        first = [await anonymous.get("/api/v2/auth/check/", headers={"x-api-key": f"nla_bad{i}"}) for i in range(4)]
        assert [a.status_code for a in first] == [401] * 4
        assert [quota(a)[:2] for a in first] == [(4, 3), (4, 2), (4, 1), (4, 0)]
        with counted_queries(runtime) as queries:
            refused = await anonymous.get("/api/v2/auth/check/", headers={"x-api-key": "nla_bad5"})
            valid_too = await anonymous.get("/api/v2/auth/check/", headers={"x-api-key": key.key})
        no_key = await anonymous.get("/api/v2/auth/check/")
    assert queries == []
    assert refused.status_code == 429 and valid_too.status_code == 429
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert refused.json()["code"] == "rate_limited"
    assert "invalid API key from your address (4 per minute allowed)" in refused.json()["error"]
    assert no_key.status_code == 401
    async with http(app, address="192.0.2.7") as elsewhere:
        assert (await elsewhere.get("/api/v2/auth/check/", headers={"x-api-key": "nla_bad6"})).status_code == 401
        assert (await elsewhere.get("/api/v2/auth/check/", headers={"x-api-key": key.key})).status_code == 200


async def test_an_unknown_keys_second_lookup_does_not_hit_the_database(app: FastAPI, runtime: Runtime) -> None:
    async with http(app, "nla_unknown-key") as client:
        with counted_queries(runtime) as first:
            assert (await client.get("/api/v2/auth/check/")).status_code == 401
        with counted_queries(runtime) as second:
            again = await client.get("/api/v2/auth/check/")
    assert first != []
    assert again.status_code == 401
    assert again.json()["error"] == "The API key is not valid (unknown or revoked)."
    assert second == []


async def test_keyless_routes_send_the_addresss_failed_auth_quota(app: FastAPI) -> None:
    async with http(app) as anonymous:
        health = await anonymous.get("/api/v2/health/")
        await anonymous.get("/api/v2/auth/check/", headers={"x-api-key": "nla_bad"})
        after = await anonymous.get("/api/v2/health/")
    assert health.status_code == 200
    assert quota(health) == (4, 4, 0)
    assert quota(after)[:2] == (4, 3)


@pytest.fixture
async def redis_prefix() -> AsyncIterator[str]:
    """A key prefix of this test's own on the shared Redis, deleted afterwards; skips without Redis."""
    client = aioredis.from_url(REDIS_URL)
    try:
        await client.ping()
    except Exception as exc:
        await client.aclose()
        pytest.skip(f"Redis unreachable at {REDIS_URL}: {exc}")
    prefix = f"nlactions-test-{uuid.uuid4().hex}"
    try:
        yield prefix
    finally:
        keys = [k async for k in client.scan_iter(match=f"{prefix}*")]
        if keys:
            await client.delete(*keys)
        await client.aclose()


async def test_two_servers_on_one_redis_share_a_budget(settings: Settings, key: CreatedKey, redis_prefix: str) -> None:
    shared = settings.model_copy(update={"redis_url": REDIS_URL, "rate_limit_key_prefix": redis_prefix})
    first, second = create_app(shared, migrate=False), create_app(shared, migrate=False)
    async with AsyncExitStack() as stack:
        for application in (first, second):
            await stack.enter_async_context(application.router.lifespan_context(application))
        one = await stack.enter_async_context(http(first, key.key))
        two = await stack.enter_async_context(http(second, key.key))
        answers = [
            await one.post("/api/v2/execute/", json=EXECUTE),
            await two.post("/api/v2/execute/", json=EXECUTE),
            await one.post("/api/v2/execute/", json=EXECUTE),
            await two.post("/api/v2/execute/", json=EXECUTE),
        ]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [quota(a)[1] for a in answers] == [2, 1, 0, 0]


async def test_a_vendors_429_is_a_retryable_error_saying_when(client: httpx.AsyncClient, runtime: Runtime) -> None:
    with EchoServer() as server:
        runtime.guard = SSRFGuard([f"127.0.0.1:{server.port}"])
        url = server.url(f"/respond?status=429&body={quote('slow down')}&retry_after=30")
        response = await client.post(
            "/api/v2/execute/",
            json={
                "instructions": "",
                "app": "WebhookAPI",
                "action": "get",
                "params": {"url": {"mode": "locked", "value": url}},
            },
        )
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "error"
    said = "127.0.0.1 answered 429 Too Many Requests: slow down. Rate limited by the service; retry after 30 s."
    assert data["error"] == said
    async with runtime.sessions() as session:
        log = await session.scalar(select(ExecutionLog).where(ExecutionLog.id == data["execution_log_id"]))
    assert log is not None
    assert (log.status, log.retryable, log.retry_after_seconds) == ("error", True, 30.0)


async def test_an_unreachable_redis_lets_requests_through(settings: Settings, key: CreatedKey) -> None:
    """A rate-limit store outage is no reason to refuse (or 500) a request: it is served without headers."""
    down = create_app(settings.model_copy(update={"redis_url": "redis://127.0.0.1:1/0"}), migrate=False)
    async with down.router.lifespan_context(down), http(down, key.key) as client:
        response = await client.get("/api/v2/auth/check/")
        health = await client.get("/api/v2/health/")
    assert response.status_code == 200 and health.status_code == 200
    assert "ratelimit-limit" not in response.headers


def test_the_memory_storage_hook_that_is_paced_still_exists() -> None:
    """``PacedMemoryStorage`` overrides a private hook of ``limits``; a rename would silently cost ~0.3 ms a request."""
    from limits.aio.storage import MemoryStorage

    assert callable(vars(MemoryStorage).get("_MemoryStorage__schedule_expiry"))
