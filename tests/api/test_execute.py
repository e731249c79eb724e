"""POST /api/v2/execute/: every mode, flag, status and error code, through the ASGI app."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from helpers.apps import recorder
from nlactions.api.runtime import Runtime
from nlactions.db.models import ExecutionLog

ULID = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")


def body(action: str = "echo", instructions: str = "", app: str = "TestAPI", **params: Any) -> dict[str, Any]:
    return {"instructions": instructions, "app": app, "action": action, "params": params}


def locked(value: Any) -> dict[str, Any]:
    return {"mode": "locked", "value": value}


def guess(value: Any) -> dict[str, Any]:
    return {"mode": "guess", "value": value}


@pytest.fixture(autouse=True)
def reset_recorder() -> None:
    recorder.calls.clear()
    recorder.gate = None
    recorder.entered = None


async def test_locked_params_run_the_formatter(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v2/execute/",
        json=body("text", app="FormatterAPI", transform=locked("uppercase"), input=locked("hello world")),
    )
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["status"] == "success"
    assert data["results"][0]["output"] == "HELLO WORLD"
    assert data["resolved_params"]["transform"] == "uppercase"
    assert data["resolved_params"]["input"] == "hello world"
    assert ULID.match(data["execution_log_id"])
    assert data["action_used"].endswith(": Text")
    assert data["result_field_labels"]["output"] == "Output"
    assert data["error"] is None


async def test_path_without_slash_is_served_without_redirect(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v2/execute", json=body(channel=locked("C001"), text=locked("hi")))
    assert response.status_code == 200
    assert response.json()["status"] == "success"


async def test_results_are_flattened_with_labels(client: httpx.AsyncClient) -> None:
    data = (await client.post("/api/v2/execute/", json=body(channel=locked("C001"), text=locked("hi")))).json()
    assert data["results"] == [{"channel": "C001", "text": "hi", "meta__author__name": "bot"}]
    assert data["result_field_labels"] == {
        "channel": "Channel ID",
        "text": "Message Text",
        "meta__author__name": "Meta Author Name",
    }


@pytest.mark.parametrize(
    "headers",
    [{"X-API-KEY": "{key}"}, {"x-api-key": "{key}"}, {"Authorization": "Bearer {key}"}],
    ids=["upper", "lower", "bearer"],
)
async def test_key_accepted_in_any_header_form(app: Any, key: Any, headers: dict[str, str]) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        filled = {k: v.format(key=key.key) for k, v in headers.items()}
        response = await http.post(
            "/api/v2/execute/", json=body(channel=locked("C001"), text=locked("x")), headers=filled
        )
    assert response.status_code == 200


@pytest.mark.parametrize("headers", [{}, {"x-api-key": "nla_wrong"}, {"Authorization": "Bearer nope"}])
async def test_missing_or_bad_key_is_401(app: Any, headers: dict[str, str]) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        response = await http.post("/api/v2/execute/", json=body(), headers=headers)
    assert response.status_code == 401
    assert "API key" in response.json()["error"]


async def test_account_id_of_another_account_is_403(client: httpx.AsyncClient, runtime: Runtime) -> None:
    from conftest import make_key

    other = await make_key(runtime, account="other", user="someone@else.test")
    payload = body(channel=locked("C001"), text=locked("x")) | {"account_id": other.account_id}
    response = await client.post("/api/v2/execute/", json=payload)
    assert response.status_code == 403
    assert "account_id" in response.json()["error"]


async def test_account_id_of_own_account_is_used(client: httpx.AsyncClient, key: Any) -> None:
    payload = body(channel=locked("C001"), text=locked("x")) | {"account_id": key.account_id}
    assert (await client.post("/api/v2/execute/", json=payload)).status_code == 200


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        (body(app="NoSuchAPI"), "Valid apps:"),
        (body(action="nope"), "Valid actions:"),
        (body(bogus=locked("x")), "Valid needs:"),
        (body(channel={"mode": "choose_from", "value": "C001"}), "list of choice ids"),
        (body(channel={"mode": "choose_from", "value": ["C999"]}, text=locked("x")), "not among the choices"),
        (body(channel={"mode": "locked", "value": None}), "required for mode 'locked'"),
        (body(channel=locked("C001"), text=locked("x"), count=locked("many")), "params.count"),
        (body(channel=locked("C001"), text=locked("x"), count=guess("abc")), "params.count"),
    ],
    ids=[
        "app",
        "action",
        "need",
        "choose_from-not-list",
        "choose_from-unknown-id",
        "locked-null",
        "locked-type",
        "guess-type",
    ],
)
async def test_bad_requests_are_400_naming_the_field(
    client: httpx.AsyncClient, payload: dict[str, Any], fragment: str
) -> None:
    response = await client.post("/api/v2/execute/", json=payload)
    assert response.status_code == 400, response.text
    error = response.json()
    assert fragment in error["error"] + error.get("hint", "")
    assert recorder.calls == []


async def test_preview_resolves_but_does_not_run(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v2/execute/?preview_only=true", json=body(channel=guess("#general"), text=locked("hi"))
    )
    data = response.json()
    assert data["status"] == "preview"
    assert data["results"] == []
    assert data["resolved_params"] == {"channel": "C001", "text": "hi", "count": 1}
    assert recorder.calls == []


async def test_skip_param_guessing_rules(client: httpx.AsyncClient) -> None:
    ok = await client.post(
        "/api/v2/execute/?skip_param_guessing=true",
        json=body(channel=locked("C002"), text=locked("x"), note={"mode": "ignored"}),
    )
    assert ok.json()["status"] == "success"
    with_guess = await client.post(
        "/api/v2/execute/?skip_param_guessing=true", json=body(channel=guess("general"), text=locked("x"))
    )
    assert with_guess.status_code == 400
    assert "'channel'" in with_guess.json()["error"]
    both = await client.post(
        "/api/v2/execute/?skip_param_guessing=true&preview_only=true", json=body(channel=locked("C001"))
    )
    assert both.status_code == 400
    assert "preview_only" in both.json()["error"]


@pytest.mark.parametrize(
    ("hint", "expected"),
    [
        ("C003", "C003"),
        ("engineering", "C003"),
        ("#Engineering", "C003"),
        ("enginering", "C003"),
        ("sales team", "C004"),
    ],
)
async def test_guess_picks_the_matching_choice(client: httpx.AsyncClient, hint: str, expected: str) -> None:
    data = (await client.post("/api/v2/execute/", json=body(channel=guess(hint), text=locked("x")))).json()
    assert data["status"] == "success", data
    assert data["resolved_params"]["channel"] == expected


async def test_guess_without_a_good_match_halts_with_closest_choices(client: httpx.AsyncClient) -> None:
    data = (await client.post("/api/v2/execute/", json=body(channel=guess("zzqx"), text=locked("x")))).json()
    assert data["status"] == "halted"
    assert "'channel'" in data["error"]
    assert "closest choices" in data["error"]
    assert recorder.calls == []


async def test_guess_on_free_text_need_takes_the_hint_typed(client: httpx.AsyncClient) -> None:
    data = (
        await client.post("/api/v2/execute/", json=body(channel=locked("C001"), text=guess("hey"), count=guess("3")))
    ).json()
    assert data["status"] == "success"
    assert data["resolved_params"]["count"] == 3
    assert recorder.calls[0]["text"] == "hey"


async def test_choose_from_one_id_uses_it(client: httpx.AsyncClient) -> None:
    data = (
        await client.post(
            "/api/v2/execute/",
            json=body(channel={"mode": "choose_from", "value": ["C002"]}, text=locked("x")),
        )
    ).json()
    assert data["resolved_params"]["channel"] == "C002"


async def test_choose_from_several_without_a_clue_halts_listing_them(client: httpx.AsyncClient) -> None:
    data = (
        await client.post(
            "/api/v2/execute/",
            json=body(channel={"mode": "choose_from", "value": ["C002", "C004"]}, text=locked("x")),
        )
    ).json()
    assert data["status"] == "halted"
    assert "C002" in data["error"] and "C004" in data["error"]
    assert "C001" not in data["error"]


async def test_ignored_optional_need_is_not_sent(client: httpx.AsyncClient) -> None:
    data = (
        await client.post(
            "/api/v2/execute/", json=body(channel=locked("C001"), text=locked("x"), note={"mode": "ignored"})
        )
    ).json()
    assert data["status"] == "success"
    assert "note" not in data["resolved_params"]


async def test_ignored_required_need_halts(client: httpx.AsyncClient) -> None:
    data = (await client.post("/api/v2/execute/", json=body(channel=locked("C001"), text={"mode": "ignored"}))).json()
    assert data["status"] == "halted"
    assert "'text'" in data["error"] and "ignored" in data["error"]
    assert recorder.calls == []


async def test_missing_required_need_halts_and_names_it(client: httpx.AsyncClient) -> None:
    data = (await client.post("/api/v2/execute/", json=body(channel=locked("C001")))).json()
    assert data["status"] == "halted"
    assert "'text' (Message Text" in data["error"]


async def test_dependent_choices_load_with_resolved_values(client: httpx.AsyncClient) -> None:
    data = (
        await client.post("/api/v2/execute/", json=body("assign", team=guess("Design"), member=guess("jony")))
    ).json()
    assert data["status"] == "success", data
    assert data["resolved_params"] == {"team": "T3", "member": "T3-jony"}


async def test_search_with_no_results_is_empty(client: httpx.AsyncClient) -> None:
    data = (await client.post("/api/v2/execute/", json=body("find", query=locked("nothing")))).json()
    assert data["status"] == "empty"
    assert data["results"] == []


@pytest.mark.parametrize(
    ("mode", "fragment"),
    [("upstream", "503"), ("crash", "failed unexpectedly (RuntimeError)")],
)
async def test_app_failure_is_status_error_with_http_200(client: httpx.AsyncClient, mode: str, fragment: str) -> None:
    response = await client.post("/api/v2/execute/", json=body("boom", mode=locked(mode)))
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "error"
    assert fragment in data["error"]
    assert "secret internal detail" not in response.text
    assert "Traceback" not in response.text


async def test_timeout_is_status_error(client: httpx.AsyncClient, runtime: Runtime) -> None:
    runtime.execute.executor.timeout_seconds = 0.05
    data = (await client.post("/api/v2/execute/", json=body("boom", mode=locked("slow")))).json()
    assert data["status"] == "error"
    assert "did not finish" in data["error"]


async def test_token_budget_truncates_results_but_not_full_results(client: httpx.AsyncClient) -> None:
    long_text = "word " * 400
    data = (
        await client.post("/api/v2/execute/?token_budget=10", json=body(channel=locked("C001"), text=locked(long_text)))
    ).json()
    short = data["results"][0]["text"]
    assert len(short) <= 41 and short.endswith("…")
    assert data["full_results"][0]["text"] == long_text


@pytest.mark.parametrize(
    ("query", "content_type"),
    [
        ("?token_budget=010&skip_param_guessing=1", "application/json"),
        ("?token_budget=10&preview_only=off&skip_param_guessing=yes", "Application/JSON; charset=UTF-8"),
        ("?token_budget=10&token_budget=10", "application/vnd.api+json"),
    ],
    ids=["leading-zero-and-1", "off-yes-charset", "repeated-and-json-suffix"],
)
async def test_flags_and_content_types_in_any_accepted_form_act_alike(
    client: httpx.AsyncClient, query: str, content_type: str
) -> None:
    long_text = "word " * 400
    response = await client.post(
        f"/api/v2/execute/{query}",
        content=json.dumps(body(channel=locked("C001"), text=locked(long_text))),
        headers={"content-type": content_type},
    )
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["status"] == "success"
    assert data["results"][0]["text"].endswith("…") and len(data["results"][0]["text"]) <= 41


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?token_budget=0", "token_budget"),
        ("?preview_only=maybe", "preview_only"),
        ("?token_budget=1e3", "token_budget"),
    ],
)
async def test_bad_flag_is_422_naming_it(client: httpx.AsyncClient, query: str, field: str) -> None:
    response = await client.post(f"/api/v2/execute/{query}", json=body(channel=locked("C001"), text=locked("x")))
    assert response.status_code == 422
    assert response.json()["error"].startswith(field)


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"Authorization": "bearer  {key} "}, 200),
        ({"x-api-key": "", "Authorization": "Bearer {key}"}, 200),
        ({"Authorization": "Basic {key}"}, 401),
        ({"Authorization": "Bearer"}, 401),
    ],
    ids=["lower-scheme-spaces", "empty-x-api-key", "basic", "no-token"],
)
async def test_key_read_as_the_security_schemes_document(
    app: Any, key: Any, headers: dict[str, str], status: int
) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        filled = {k: v.format(key=key.key) for k, v in headers.items()}
        response = await http.post(
            "/api/v2/execute/", json=body(channel=locked("C001"), text=locked("x")), headers=filled
        )
    assert response.status_code == status, response.text


async def test_a_bad_key_is_401_before_a_bad_body_or_flag(app: Any) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        response = await http.post(
            "/api/v2/execute/?token_budget=0", json={"app": 5}, headers={"x-api-key": "nla_wrong"}
        )
    assert response.status_code == 401


async def test_secret_need_is_redacted_everywhere(client: httpx.AsyncClient, runtime: Runtime) -> None:
    data = (
        await client.post(
            "/api/v2/execute/",
            json=body(channel=locked("C001"), text=locked("x"), password=locked("hunter2")),
        )
    ).json()
    assert recorder.calls[0]["password"] == "hunter2"
    assert "hunter2" not in str(data)
    async with runtime.sessions() as session:
        log = await session.get(ExecutionLog, data["execution_log_id"])
    assert log is not None
    assert "hunter2" not in str(log.input_params) + str(log.response)


async def test_app_needing_auth_without_one_is_412(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v2/execute/", json=body("whoami", app="KeyedAPI"))
    assert response.status_code == 412
    error = response.json()
    assert "KeyedAPI" in error["error"]
    assert "/api/v2/apps/KeyedAPI/auths/" in error["hint"]


async def test_app_with_stored_auth_runs_with_its_credentials(
    client: httpx.AsyncClient, runtime: Runtime, key: Any
) -> None:
    from nlactions.db.models import Authentication

    async with runtime.sessions() as session, session.begin():
        row = Authentication(
            account_id=key.account_id,
            app="KeyedAPI",
            title="main",
            secret=runtime.box.seal({"api_key": "sk-test-1234"}),
        )
        session.add(row)
    data = (await client.post("/api/v2/execute/", json=body("whoami", app="KeyedAPI"))).json()
    assert data["status"] == "success"
    assert data["results"] == [{"key_seen": "1234"}]
    wrong = await client.post("/api/v2/execute/", json=body("whoami", app="KeyedAPI") | {"authentication_id": 999})
    assert wrong.status_code == 412


@pytest.mark.parametrize(
    ("content", "status", "fragment"),
    [
        (b'{"app": "TestAPI", "action": "echo"}', 422, "instructions: it is required"),
        (b'{"instructions": 5, "app": "TestAPI", "action": "echo"}', 422, "instructions"),
        (
            b'{"instructions": "x", "app": "TestAPI", "action": "echo", "params": {"a": {"mode": "x"}}}',
            422,
            "params.a.mode",
        ),
        (b"{not json", 400, "not valid JSON"),
    ],
)
async def test_malformed_bodies(client: httpx.AsyncClient, content: bytes, status: int, fragment: str) -> None:
    response = await client.post("/api/v2/execute/", content=content, headers={"content-type": "application/json"})
    assert response.status_code == status
    assert fragment in response.json()["error"]


async def test_oversized_body_is_413(client: httpx.AsyncClient, runtime: Runtime) -> None:
    payload = body(channel=locked("C001"), text=locked("x" * (runtime.settings.max_body_bytes + 10)))
    response = await client.post("/api/v2/execute/", json=payload)
    assert response.status_code == 413
    assert "larger than" in response.json()["error"]


async def test_idempotency_key_returns_first_response_without_running_twice(
    client: httpx.AsyncClient,
) -> None:
    payload = body(channel=locked("C001"), text=locked("once"))
    headers = {"Idempotency-Key": "abc-123"}
    first = await client.post("/api/v2/execute/", json=payload, headers=headers)
    second = await client.post("/api/v2/execute/", json=payload, headers=headers)
    assert first.json() == second.json()
    assert len(recorder.calls) == 1
    changed = await client.post(
        "/api/v2/execute/", json=body(channel=locked("C002"), text=locked("x")), headers=headers
    )
    assert changed.status_code == 400
    assert "Idempotency-Key" in changed.json()["error"]


async def test_log_is_running_while_the_action_runs(client: httpx.AsyncClient, runtime: Runtime) -> None:
    recorder.gate, recorder.entered = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(client.post("/api/v2/execute/", json=body(channel=locked("C001"), text=locked("x"))))
    await asyncio.wait_for(recorder.entered.wait(), 10)
    async with runtime.sessions() as session:
        rows = list(await session.scalars(select(ExecutionLog)))
    assert [r.status for r in rows] == ["running"]
    recorder.gate.set()
    data = (await task).json()
    async with runtime.sessions() as session:
        log = await session.get(ExecutionLog, data["execution_log_id"])
    assert log is not None and log.status == "success" and log.completed_at is not None


async def test_rate_execution_log(client: httpx.AsyncClient, runtime: Runtime) -> None:
    from conftest import make_key

    data = (await client.post("/api/v2/execute/", json=body(channel=locked("C001"), text=locked("x")))).json()
    log_id = data["execution_log_id"]
    rated = await client.post(f"/api/v2/execute/log/{log_id}/rate/?rating=1&feedback=great")
    assert rated.status_code == 200
    assert rated.json()["rating"] == 1 and rated.json()["feedback"] == "great"
    assert rated.json()["execution_log_id"] == log_id
    again = await client.post(f"/api/v2/execute/log/{log_id}/rate?rating=-1")
    assert again.json()["rating"] == -1 and again.json()["feedback"] == "great"
    assert (await client.post(f"/api/v2/execute/log/{log_id}/rate/?rating=5")).status_code == 422
    assert (await client.post("/api/v2/execute/log/01ARZ3NDEKTSV4RRFFQ69G5FAV/rate/?rating=1")).status_code == 404
    other = await make_key(runtime, account="other", user="x@other.test")
    foreign = await client.post(f"/api/v2/execute/log/{log_id}/rate/?rating=1", headers={"x-api-key": other.key})
    assert foreign.status_code == 404


async def test_health(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v2/health/")
    assert response.status_code == 200
    assert response.json() == "OK"


async def test_webhook_to_a_private_address_is_refused_with_a_readable_error(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v2/execute/",
        json=body("post", app="WebhookAPI", url=locked("http://10.0.0.1/hook"), data=locked('{"a": 1}')),
    )
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "error"
    assert "Refused to connect to 10.0.0.1" in data["error"]
    assert "NLACTIONS_SSRF_ALLOW" in data["error"]


async def test_webhook_round_trip_through_execute(client: httpx.AsyncClient, runtime: Runtime) -> None:
    from helpers.echo_server import EchoServer
    from nlactions.kit.ssrf import SSRFGuard

    runtime.guard = SSRFGuard(["127.0.0.1:*"])
    with EchoServer() as server:
        data = (
            await client.post(
                "/api/v2/execute/",
                json=body("post", app="WebhookAPI", url=locked(server.url("/hook")), data=locked('{"a": "b"}')),
            )
        ).json()
    assert data["status"] == "success", data
    assert data["results"][0]["status_code"] == 200


@pytest.mark.parametrize("field", ["account_id", "authentication_id"])
async def test_ids_outside_64_bits_are_422(client: httpx.AsyncClient, field: str) -> None:
    response = await client.post("/api/v2/execute/", json=body(channel=locked("C001")) | {field: 2**70})
    assert response.status_code == 422
    assert field in response.json()["error"]


async def test_empty_idempotency_key_is_422(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v2/execute/", json=body(channel=locked("C001"), text=locked("x")), headers={"Idempotency-Key": ""}
    )
    assert response.status_code == 422
    assert "Idempotency-Key" in response.json()["error"]


async def test_choice_loader_failing_during_execute_is_status_error(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    from nlactions.catalog import Action, ActionContext, App, ChoiceContext, ChoicePage, Needs, UpstreamError, need

    async def boards(ctx: ChoiceContext) -> ChoicePage:
        raise UpstreamError("The board service answered 502 Bad Gateway.", hint="Try again in a minute.")

    class PinInput(Needs):
        board: str = need(label="Board", choices=boards)

    async def pin(ctx: ActionContext, params: PinInput) -> dict[str, str]:
        return {"board": params.board}

    runtime.registry.add(
        App("FlakyAPI", "Flaky", "Loader fails.", (Action("pin", "write", "Pin", "Pin", "Pin it.", PinInput, pin),))
    )
    response = await client.post("/api/v2/execute/", json=body("pin", app="FlakyAPI", board=guess("ideas")))
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "error"
    assert "502 Bad Gateway" in data["error"] and "Try again" in data["error"]
