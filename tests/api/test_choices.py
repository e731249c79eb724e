"""Prefill choices over HTTP: static and loaded lists, paging, caching, loading state, failures, tenancy."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from redis.asyncio import Redis
from sqlalchemy import select

from helpers.apps import directory, directory_app, keyed_app, test_app, vault_app
from nlactions.api.app import create_app
from nlactions.api.runtime import Runtime
from nlactions.catalog import load_registry
from nlactions.choices.stores import LruFront, RedisChoiceStore
from nlactions.db.models import ChoiceCacheEntry
from nlactions.settings import Settings

REDIS_URL = os.environ.get("NLACTIONS_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
CUSTOMERS = "/api/v2/apps/DirectoryAPI/choices/open_ticket.customer/"


def start(settings: Settings) -> FastAPI:
    registry = load_registry()
    for extra in (test_app, keyed_app, directory_app, vault_app):
        registry.add(extra)
    return create_app(settings, registry=registry, migrate=False)


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    """The app with the DirectoryAPI and VaultAPI test apps installed."""
    application = start(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture(autouse=True)
def fresh_directory() -> Iterator[None]:
    directory.reset()
    yield
    if directory.gate is not None:
        directory.gate.set()
    directory.reset()


async def post(
    client: httpx.AsyncClient, path: str = CUSTOMERS, params: dict[str, Any] | None = None, **query: Any
) -> httpx.Response:
    return await client.post(path, params=query, json={"params": params or {}})


async def ok(client: httpx.AsyncClient, path: str = CUSTOMERS, **kwargs: Any) -> dict[str, Any]:
    response = await post(client, path, **kwargs)
    assert response.status_code == 200, response.text
    return response.json()


def keys(body: dict[str, Any]) -> list[str]:
    return [c["key"] for c in body["results"]]


def labels(body: dict[str, Any]) -> list[str]:
    return [c["label"] for c in body["results"]]


def shift_clock(runtime: Runtime, seconds: float) -> None:
    """Make the choice service see a later time."""
    base = dt.datetime.now(dt.UTC)
    runtime.choices.clock = lambda: base + dt.timedelta(seconds=seconds)


# -- lists ----------------------------------------------------------------------------------------


async def test_static_choices_need_no_load(client: httpx.AsyncClient) -> None:
    body = await ok(client, "/api/v2/apps/DirectoryAPI/choices/open_ticket.priority/")
    assert body == {
        "is_loading": False,
        "last_refresh_seconds_ago": 0,
        "results": [
            {"key": "low", "label": "low", "sample": None},
            {"key": "normal", "label": "normal", "sample": None},
            {"key": "high", "label": "high", "sample": None},
        ],
    }
    channels = await ok(client, "/api/v2/apps/TestAPI/choices/echo.channel/", query="eng")
    assert keys(channels)[0] == "C003"


async def test_a_loader_is_paged_to_the_end(client: httpx.AsyncClient) -> None:
    body = await ok(client)
    assert body["is_loading"] is False
    assert len(body["results"]) == 250
    assert keys(body)[0] == "cust-0" and keys(body)[-1] == "cust-249"
    assert directory.calls == [("customers", None), ("customers", "100"), ("customers", "200")]


async def test_query_filters_best_first(client: httpx.AsyncClient) -> None:
    exact = await ok(client, query="Customer 00042")
    assert keys(exact)[0] == "cust-42"
    lisbon = await ok(client, query="lisbon")
    assert len(lisbon["results"]) == len([i for i in range(250) if i % 7 == 1])
    assert all("Lisbon" in label for label in labels(lisbon))
    by_key = await ok(client, query="cust-7")
    assert keys(by_key)[0] == "cust-7"
    assert directory.first_pages("customers") == 1


async def test_slash_less_path_is_served(client: httpx.AsyncClient) -> None:
    response = await post(client, CUSTOMERS.rstrip("/"))
    assert response.status_code == 200
    assert len(response.json()["results"]) == 250


# -- caching --------------------------------------------------------------------------------------


async def test_a_second_request_is_served_from_the_cache(client: httpx.AsyncClient) -> None:
    first = await ok(client)
    second = await ok(client)
    assert second["results"] == first["results"]
    assert directory.first_pages("customers") == 1


async def test_force_refresh_reloads(client: httpx.AsyncClient) -> None:
    await ok(client)
    directory.edition = "v2"
    cached = await ok(client)
    assert labels(cached)[0].endswith("(v1)")
    refreshed = await ok(client, force_refresh="true")
    assert labels(refreshed)[0].endswith("(v2)")
    assert refreshed["last_refresh_seconds_ago"] == 0
    assert directory.first_pages("customers") == 2
    after = await ok(client)
    assert labels(after)[0].endswith("(v2)")
    assert directory.first_pages("customers") == 2


async def test_last_refresh_seconds_ago_grows_then_the_ttl_reloads(client: httpx.AsyncClient, runtime: Runtime) -> None:
    await ok(client)
    shift_clock(runtime, 90)
    later = await ok(client)
    assert 90 <= later["last_refresh_seconds_ago"] <= 92
    assert directory.first_pages("customers") == 1

    directory.edition = "v2"
    shift_clock(runtime, runtime.settings.choice_cache_ttl_seconds + 5)
    expired = await ok(client)
    assert directory.first_pages("customers") == 2
    assert expired["last_refresh_seconds_ago"] == 0
    assert labels(expired)[0].endswith("(v2)")


async def test_cache_survives_a_restart(client: httpx.AsyncClient, settings: Settings, key: Any) -> None:
    await ok(client)
    second = start(settings)
    async with (
        second.router.lifespan_context(second),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=second), base_url="http://t", headers={"x-api-key": key.key}
        ) as other,
    ):
        body = await ok(other)
    assert len(body["results"]) == 250
    assert directory.first_pages("customers") == 1


# -- loading state --------------------------------------------------------------------------------


async def test_a_long_load_answers_is_loading_with_what_is_known(client: httpx.AsyncClient, runtime: Runtime) -> None:
    runtime.choices.wait_seconds = 0.05
    directory.gate = asyncio.Event()
    first, second = await asyncio.gather(ok(client), ok(client))
    for body in (first, second):
        assert body["is_loading"] is True
        assert body["last_refresh_seconds_ago"] == 0
        assert keys(body) == [f"cust-{i}" for i in range(100)]  # the first page, received so far
    assert directory.first_pages("customers") == 1  # both requests share one load

    directory.gate.set()
    runtime.choices.wait_seconds = 5
    done = await ok(client)
    assert done["is_loading"] is False
    assert len(done["results"]) == 250
    assert directory.first_pages("customers") == 1


async def test_a_refresh_in_progress_shows_the_previous_list(client: httpx.AsyncClient, runtime: Runtime) -> None:
    await ok(client)
    shift_clock(runtime, 30)
    runtime.choices.wait_seconds = 0.05
    directory.gate = asyncio.Event()
    directory.edition = "v2"
    loading = await ok(client, force_refresh="true")
    assert loading["is_loading"] is True
    assert len(loading["results"]) == 250 and labels(loading)[0].endswith("(v1)")
    assert 30 <= loading["last_refresh_seconds_ago"] <= 31
    directory.gate.set()
    runtime.choices.wait_seconds = 5
    fresh = await ok(client)
    assert fresh["is_loading"] is False
    assert labels(fresh)[0].endswith("(v2)")


async def test_100000_choices_are_loaded_and_filtered_by_query(client: httpx.AsyncClient) -> None:
    directory.customers = 100_000
    directory.page_size = 5_000
    started = time.perf_counter()
    everything = await ok(client)
    loaded = time.perf_counter() - started
    assert everything["is_loading"] is False
    assert len(everything["results"]) == 100_000
    assert directory.first_pages("customers") == 1

    timings = []
    for text in ("04242", "Customer 99999", "customer 5 osaka"):
        started = time.perf_counter()
        body = await ok(client, query=text)
        timings.append((text, time.perf_counter() - started, len(body["results"])))
        if text == "04242":
            assert keys(body)[0] == "cust-4242"
        if text == "Customer 99999":
            assert keys(body)[0] == "cust-99999"
    print(f"\n100,000 choices: first load and answer {loaded:.2f} s")
    for text, seconds, count in timings:
        print(f"  query {text!r}: {seconds * 1000:.0f} ms, {count} results")
    assert directory.first_pages("customers") == 1


# -- naming and errors ----------------------------------------------------------------------------


async def test_unknown_prefill_is_404_naming_the_valid_ones(client: httpx.AsyncClient) -> None:
    response = await post(client, "/api/v2/apps/DirectoryAPI/choices/open_ticket.nope/")
    assert response.status_code == 404
    body = response.json()
    assert "open_ticket.nope" in body["error"]
    assert body["code"] == "unknown_prefill"
    for valid in ("open_ticket.customer", "open_ticket.project", "board.id.name", "route.queue"):
        assert valid in body["hint"]
    assert "open_ticket.title" not in body["hint"]  # a need without choices is no prefill
    unknown_app = await post(client, "/api/v2/apps/NoSuchAPI/choices/x.y/")
    assert unknown_app.status_code == 404
    assert "NoSuchAPI" in unknown_app.json()["error"]


async def test_a_declared_prefill_name_and_action_dot_need_share_one_cache(client: httpx.AsyncClient) -> None:
    details = await client.post("/api/v2/apps/DirectoryAPI/actions/open_ticket/", json={"params": {}})
    needs = {n["key"]: n for n in details.json()["results"][0]["action_needs"]}
    assert needs["board"]["prefill"] == "board.id.name"
    assert needs["customer"]["prefill"] == "open_ticket.customer"
    by_name = await ok(client, "/api/v2/apps/DirectoryAPI/choices/board.id.name/")
    by_need = await ok(client, "/api/v2/apps/DirectoryAPI/choices/open_ticket.board/")
    assert labels(by_name) == labels(by_need) == ["Roadmap", "Bugs"]
    assert directory.first_pages("boards") == 1


async def test_dependent_choices_need_their_params(client: httpx.AsyncClient) -> None:
    path = "/api/v2/apps/DirectoryAPI/choices/open_ticket.project/"
    missing = await post(client, path)
    assert missing.status_code == 400
    assert "'customer'" in missing.json()["error"]
    one = await ok(client, path, params={"customer": "cust-1", "title": "ignored"})
    two = await ok(client, path, params={"customer": "cust-2"})
    assert labels(one) == ["Project 1 of cust-1", "Project 2 of cust-1"]
    assert labels(two) == ["Project 1 of cust-2", "Project 2 of cust-2"]
    assert directory.params_seen == [{"customer": "cust-1"}, {"customer": "cust-2"}]
    again = await ok(client, path, params={"customer": "cust-1", "title": "other"})
    assert labels(again) == labels(one)
    assert directory.first_pages("projects") == 2


async def test_a_failing_loader_says_what_the_service_answered(client: httpx.AsyncClient) -> None:
    path = "/api/v2/apps/DirectoryAPI/choices/route.queue/"
    response = await post(client, path)
    assert response.status_code == 502
    body = response.json()
    assert "503 Service Unavailable: maintenance until 14:00 UTC" in body["error"]
    assert body["code"] == "upstream_error"
    assert body["hint"] == "Try again after 14:00 UTC."
    again = await post(client, path)
    assert again.status_code == 502
    assert directory.first_pages("queues") == 2  # a failure is not cached


async def test_a_background_load_that_fails_is_reported_on_the_next_poll(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    runtime.choices.wait_seconds = 0.05
    directory.gate = asyncio.Event()
    directory.fail_after_gate = True
    loading = await ok(client)
    assert loading["is_loading"] is True and len(loading["results"]) == 100
    directory.gate.set()
    await asyncio.sleep(0.1)
    failed = await post(client)
    assert failed.status_code == 502
    assert "500 Internal Server Error for the page at 100" in failed.json()["error"]
    directory.gate = None
    runtime.choices.wait_seconds = 5
    retried = await ok(client)
    assert len(retried["results"]) == 250
    assert directory.first_pages("customers") == 2


async def test_account_id_of_another_account_is_403(client: httpx.AsyncClient, runtime: Runtime) -> None:
    from conftest import make_key

    other = await make_key(runtime, account="other", user="someone@else.test")
    response = await post(client, account_id=other.account_id)
    assert response.status_code == 403


@pytest.mark.parametrize("name", ["authentication_id", "account_id"])
async def test_ids_out_of_range_are_422_naming_them(client: httpx.AsyncClient, name: str) -> None:
    response = await post(client, **{name: 2**64})
    assert response.status_code == 422
    assert name in response.json()["error"]


async def test_params_body_is_required(client: httpx.AsyncClient) -> None:
    response = await client.post(CUSTOMERS, json={})
    assert response.status_code == 422
    assert "params" in response.json()["error"]


# -- tenancy and authentication ------------------------------------------------------------------


async def test_another_account_has_its_own_cache(
    client: httpx.AsyncClient, app: FastAPI, runtime: Runtime, key: Any
) -> None:
    from conftest import make_key

    mine = await ok(client)
    directory.edition = "v2"
    other_key = await make_key(runtime, account="other", user="someone@else.test")
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t", headers={"x-api-key": other_key.key}
    ) as other:
        theirs = await ok(other)
    assert labels(theirs)[0].endswith("(v2)")
    assert directory.first_pages("customers") == 2
    still_mine = await ok(client)
    assert still_mine["results"] == mine["results"]
    assert labels(still_mine)[0].endswith("(v1)")
    assert directory.first_pages("customers") == 2
    async with runtime.sessions() as session:
        rows = (await session.scalars(select(ChoiceCacheEntry))).all()
    assert sorted(r.account_id for r in rows) == sorted([key.account_id, other_key.account_id])


async def test_an_app_needing_auth_loads_with_the_stored_credentials(client: httpx.AsyncClient) -> None:
    path = "/api/v2/apps/VaultAPI/choices/fetch_item.item/"
    missing = await post(client, path)
    assert missing.status_code == 412
    assert "VaultAPI" in missing.json()["error"]
    created = await client.post(
        "/api/v2/apps/VaultAPI/auths/", json={"title": "Vault", "fields": {"api_key": "sk-vault-secret-1234"}}
    )
    assert created.status_code == 201, created.text
    response = await post(client, path)
    assert response.status_code == 200, response.text
    assert [c["label"] for c in response.json()["results"]] == ["Passport scan", "Lease"]
    assert directory.credentials_seen == ["sk-vault-secret-1234"]
    assert "sk-vault-secret" not in response.text
    wrong = await post(client, path, authentication_id=999_999)
    assert wrong.status_code == 412


async def test_a_refused_authentication_is_412_and_marked_stale(client: httpx.AsyncClient) -> None:
    created = await client.post(
        "/api/v2/apps/VaultAPI/auths/", json={"title": "Vault", "fields": {"api_key": "sk-vault-secret-1234"}}
    )
    assert created.status_code == 201, created.text
    directory.vault_refuses = True
    response = await post(client, "/api/v2/apps/VaultAPI/choices/fetch_item.item/")
    assert response.status_code == 412
    assert "401 Unauthorized: the key was revoked" in response.json()["error"]
    assert "Reconnect" in response.json()["hint"]
    [auth] = (await client.get("/api/v2/apps/VaultAPI/auths/")).json()["results"]
    assert auth["is_stale"] is True


# -- execution shares the cache -------------------------------------------------------------------


async def test_execution_after_a_choices_call_uses_the_cache(client: httpx.AsyncClient) -> None:
    await ok(client)
    assert directory.first_pages("customers") == 1
    response = await client.post(
        "/api/v2/execute/",
        json={
            "instructions": "Open a ticket",
            "app": "DirectoryAPI",
            "action": "open_ticket",
            "params": {
                "customer": {"mode": "guess", "value": "Customer 00007 Berlin (v1)"},
                "title": {"mode": "locked", "value": "Printer on fire"},
            },
        },
    )
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["status"] == "success", data
    assert data["results"][0]["customer"] == "cust-7"
    assert directory.first_pages("customers") == 1


async def test_choices_after_an_execution_use_the_cache(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v2/execute/",
        json={
            "instructions": "Open a ticket",
            "app": "DirectoryAPI",
            "action": "open_ticket",
            "params": {
                "customer": {"mode": "guess", "value": "Customer 00003 Nairobi (v1)"},
                "title": {"mode": "locked", "value": "Hello"},
            },
        },
    )
    assert response.json()["status"] == "success", response.text
    assert directory.first_pages("customers") == 1
    body = await ok(client)
    assert len(body["results"]) == 250
    assert directory.first_pages("customers") == 1


# -- Redis ----------------------------------------------------------------------------------------


@pytest.fixture
async def redis_prefix() -> AsyncIterator[str]:
    """A key prefix of this test's own on the real Redis; its keys are deleted afterwards."""
    prefix = f"nlactions-test:{uuid.uuid4().hex}:"
    redis = Redis.from_url(REDIS_URL)
    try:
        await redis.ping()
    except Exception as exc:
        await redis.aclose()
        pytest.skip(f"Redis unreachable at {REDIS_URL}: {exc}")
    yield prefix
    async for name in redis.scan_iter(match=prefix + "*"):
        await redis.delete(name)
    await redis.aclose()


async def test_with_redis_the_cache_lives_in_redis(settings: Settings, key: Any, redis_prefix: str) -> None:
    redis_settings = settings.model_copy(update={"redis_url": REDIS_URL})
    bodies = []
    for _process in range(2):  # two servers on one Redis (or one server restarted)
        application = start(redis_settings)
        async with application.router.lifespan_context(application):
            runtime: Runtime = application.state.runtime
            assert isinstance(runtime.choices.store, LruFront)
            shared = runtime.choices.store.shared
            assert isinstance(shared, RedisChoiceStore)
            shared.prefix = redis_prefix
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=application), base_url="http://t", headers={"x-api-key": key.key}
            ) as http:
                bodies.append(await ok(http))
                bodies.append(await ok(http, query="Customer 00042"))
            async with runtime.sessions() as session:
                assert (await session.scalars(select(ChoiceCacheEntry))).all() == []
    assert directory.first_pages("customers") == 1
    assert len(bodies[0]["results"]) == 250 and bodies[2]["results"] == bodies[0]["results"]
    assert keys(bodies[1])[0] == keys(bodies[3])[0] == "cust-42"
    redis = Redis.from_url(REDIS_URL)
    try:
        names = [name async for name in redis.scan_iter(match=redis_prefix + "*")]
        assert len(names) == 1
        ttl = await redis.ttl(names[0])
        assert 0 < ttl <= 2 * settings.choice_cache_ttl_seconds
    finally:
        await redis.aclose()


async def test_with_redis_down_choices_still_answer(settings: Settings, key: Any) -> None:
    down = settings.model_copy(update={"redis_url": "redis://127.0.0.1:1/0"})
    application = start(down)
    async with (
        application.router.lifespan_context(application),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=application), base_url="http://t", headers={"x-api-key": key.key}
        ) as http,
    ):
        first = await ok(http)
        second = await ok(http, query="Customer 00042")
    assert len(first["results"]) == 250
    assert keys(second)[0] == "cust-42"
    assert directory.first_pages("customers") == 1  # kept in the process while the shared cache is down
