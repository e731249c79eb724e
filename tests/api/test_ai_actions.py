"""/api/v2/ai-actions/: CRUD, replace semantics, execute and preview, precedence, secrets, tenancy."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from ulid import ULID

from conftest import make_key
from helpers.apps import recorder
from nlactions.accounts.service import CreatedKey, create_key
from nlactions.api.runtime import Runtime
from nlactions.db.models import AiAction, Authentication, ExecutionLog

ULID_RE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")
BASE = "/api/v2/ai-actions/"


def locked(value: Any) -> dict[str, Any]:
    return {"mode": "locked", "value": value}


def guess(value: Any) -> dict[str, Any]:
    return {"mode": "guess", "value": value}


def stored(app: str = "TestAPI", action: str = "echo", **params: Any) -> dict[str, Any]:
    return {"app": app, "action": action, "action_type": "write", "params": params, "meta": {}}


async def create(client: httpx.AsyncClient, body: dict[str, Any], **query: Any) -> dict[str, Any]:
    response = await client.post(BASE, json=body, params=query)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def run(client: httpx.AsyncClient, ai_action_id: str, instructions: str = "", **params: Any) -> httpx.Response:
    return await client.post(f"{BASE}{ai_action_id}/execute/", json={"instructions": instructions, "params": params})


def as_uuid(ulid: str) -> str:
    return str(uuid.UUID(bytes=ULID.from_str(ulid).bytes))


@pytest.fixture(autouse=True)
def reset_recorder() -> None:
    recorder.calls.clear()
    recorder.gate = None
    recorder.entered = None


@pytest.fixture
async def stranger(runtime: Runtime) -> CreatedKey:
    """A key of another account, held by another user."""
    return await make_key(runtime, account="globex", user="hank@globex.test")


async def test_create_returns_zapier_shape_with_needs(client: httpx.AsyncClient, key: CreatedKey) -> None:
    data = await create(client, stored("FormatterAPI", "text", transform=locked("uppercase"), input="the quoted text"))
    assert ULID_RE.match(data["id"])
    assert data["description"] == "Formatter by nlactions: Text"
    assert data["account_id"] == key.account_id
    assert data["authentication_id"] is None
    assert (data["app"], data["action"], data["action_type"]) == ("FormatterAPI", "text", "write")
    assert data["params"] == {"transform": locked("uppercase"), "input": "the quoted text"}
    assert data["meta"] == {
        "params": {},
        "app_label": "Formatter by nlactions",
        "action_label": "Text",
        "authentication_label": None,
        "app_needs_auth": False,
    }
    needs = {n["key"]: n for n in data["needs"]}
    assert needs["input"]["required"] is True and needs["input"]["type"] == "str"
    assert needs["input"]["label"] == "Input"
    assert {"key": "uppercase", "label": "Uppercase", "sample": None} in needs["transform"]["choices"]
    assert needs["segment_index"]["default"] == 0 and needs["segment_index"]["required"] is False


async def test_description_and_meta_labels_are_kept_when_given(client: httpx.AsyncClient) -> None:
    body = stored(channel="general") | {
        "description": "Post to the team",
        "meta": {"params": {"channel": "#general"}, "app_label": "Chat", "extra": 1},
    }
    data = await create(client, body)
    assert data["description"] == "Post to the team"
    assert data["meta"]["app_label"] == "Chat"
    assert data["meta"]["action_label"] == "Send Message"
    assert data["meta"]["params"] == {"channel": "#general"}
    assert data["meta"]["extra"] == 1


async def test_list_get_and_slashless_paths(client: httpx.AsyncClient) -> None:
    first = await create(client, stored(channel="general"))
    second = await create(client, stored("TestAPI", "find"))
    listed = await client.get("/api/v2/ai-actions")
    assert listed.status_code == 200
    body = listed.json()
    assert [a["id"] for a in body["results"]] == [first["id"], second["id"]]
    assert body["configuration_link"].startswith("http://nlactions.test/")
    one = await client.get(f"{BASE}{first['id']}")
    assert one.status_code == 200 and one.json() == first
    lower = await client.get(f"{BASE}{first['id'].lower()}/")
    assert lower.json()["id"] == first["id"]


async def test_uuid_form_of_the_id_works_in_every_path(client: httpx.AsyncClient) -> None:
    data = await create(client, stored(channel=locked("C001"), text=locked("hi")))
    uid = as_uuid(data["id"])
    assert (await client.get(f"{BASE}{uid}/")).json()["id"] == data["id"]
    ran = await run(client, uid)
    assert ran.json()["status"] == "success", ran.text
    previewed = await client.post(f"{BASE}{uid}/preview/", json={"instructions": ""})
    assert previewed.json()["status"] == "preview"
    replaced = await client.put(f"{BASE}{uid}/", json=stored(channel="random"))
    assert replaced.json()["id"] == data["id"]
    assert (await client.delete(f"{BASE}{uid}/")).json() is True


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (stored("NoSuchAPI"), "Valid apps:"),
        (stored(action="nope"), "Valid actions:"),
        (stored(bogus="x"), "Valid needs: channel, text, count, note, password"),
        (stored(channel=[]), "non-empty list"),
        (stored(channel={"mode": "choose_from", "value": "C001"}), "non-empty list"),
        (stored(channel=["C001", "C999"]), "'C999' is not among the choices"),
        (stored(channel={"mode": "locked"}), "required for mode 'locked'"),
        (stored(count=locked("many")), "params.count.value"),
        (stored("FormatterAPI", "text", transform=locked("shout")), "Valid choice ids: uppercase"),
    ],
    ids=[
        "app",
        "action",
        "need",
        "empty-list",
        "choose_from-not-list",
        "unknown-choice",
        "locked-null",
        "locked-type",
        "locked-choice",
    ],
)
async def test_create_rejects_bad_config_naming_the_field(
    client: httpx.AsyncClient, body: dict[str, Any], fragment: str
) -> None:
    response = await client.post(BASE, json=body)
    assert response.status_code == 400, response.text
    error = response.json()
    assert fragment in error["error"] + " " + error.get("hint", "")
    assert (await client.get(BASE)).json()["results"] == []


async def test_create_with_malformed_body_is_422(client: httpx.AsyncClient) -> None:
    response = await client.post(BASE, json={"action": "echo"})
    assert response.status_code == 422
    assert "app: it is required" in response.json()["error"]


async def test_put_replaces_the_whole_object(client: httpx.AsyncClient) -> None:
    body = stored(channel=locked("C001"), text="hello") | {
        "description": "Old",
        "meta": {"params": {"channel": "general"}},
    }
    data = await create(client, body)
    replaced = await client.put(f"{BASE}{data['id']}/", json=stored("TestAPI", "find", query="cats"))
    assert replaced.status_code == 200, replaced.text
    after = replaced.json()
    assert after["id"] == data["id"]
    assert (after["app"], after["action"], after["action_type"]) == ("TestAPI", "find", "search")
    assert after["params"] == {"query": "cats"}
    assert after["meta"]["params"] == {}
    assert after["description"] == "Test: Find Record"
    assert (await client.get(f"{BASE}{data['id']}/")).json() == after


@pytest.mark.parametrize("missing", ["app", "action", "action_type", "params", "meta"])
async def test_put_requires_every_field(client: httpx.AsyncClient, missing: str) -> None:
    data = await create(client, stored(channel="general"))
    body = stored(channel="random")
    del body[missing]
    response = await client.put(f"{BASE}{data['id']}/", json=body)
    assert response.status_code == 422
    assert f"{missing}: it is required" in response.json()["error"]
    assert (await client.get(f"{BASE}{data['id']}/")).json()["params"] == {"channel": "general"}


async def test_put_accepts_a_get_body_round_trip(client: httpx.AsyncClient) -> None:
    data = await create(client, stored(channel="general"))
    edited = data | {"params": {"channel": "random"}}
    response = await client.put(f"{BASE}{data['id']}/", json=edited)
    assert response.status_code == 200, response.text
    assert response.json()["params"] == {"channel": "random"}


async def test_delete_answers_true_then_false(client: httpx.AsyncClient) -> None:
    data = await create(client, stored(channel="general"))
    first = await client.delete(f"{BASE}{data['id']}/")
    assert first.status_code == 200 and first.json() is True
    again = await client.delete(f"{BASE}{data['id']}")
    assert again.status_code == 200 and again.json() is False
    assert (await client.get(f"{BASE}{data['id']}/")).status_code == 404
    assert (await client.delete(f"{BASE}not-an-id/")).json() is False


async def test_execute_runs_the_stored_config_and_logs_the_ai_action(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    data = await create(client, stored("FormatterAPI", "text", transform=locked("uppercase"), input=locked("hello")))
    response = await run(client, data["id"], "Shout it")
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["status"] == "success"
    assert result["results"][0]["output"] == "HELLO"
    assert result["action_used"] == "Formatter by nlactions: Text"
    async with runtime.sessions() as session:
        log = await session.get(ExecutionLog, result["execution_log_id"])
    assert log is not None and log.ai_action_id == data["id"]


async def test_preview_route_and_preview_only_flag_do_not_run(client: httpx.AsyncClient) -> None:
    data = await create(client, stored(channel="engineering", text=locked("hi")))
    for response in (
        await client.post(f"{BASE}{data['id']}/preview/", json={"instructions": "go"}),
        await client.post(f"{BASE}{data['id']}/execute/?preview_only=true", json={"instructions": "go"}),
    ):
        assert response.status_code == 200, response.text
        result = response.json()
        assert result["status"] == "preview"
        assert result["results"] == []
        assert result["resolved_params"] == {"channel": "C003", "text": "hi", "count": 1}
    assert recorder.calls == []


async def test_execute_accepts_params_constraints_alias(client: httpx.AsyncClient) -> None:
    data = await create(client, stored(text=locked("hi")))
    response = await client.post(
        f"{BASE}{data['id']}/execute/",
        json={"instructions": "", "params_constraints": {"channel": locked("C002")}},
    )
    assert response.json()["resolved_params"]["channel"] == "C002"


# Precedence: stored locked > request params > stored hints > instructions.


async def test_owner_locked_value_wins_over_a_request_guess(client: httpx.AsyncClient) -> None:
    data = await create(client, stored(channel=locked("C001"), text=locked("hi")))
    result = (await run(client, data["id"], "post in #random", channel=guess("random"))).json()
    assert result["status"] == "success"
    assert result["resolved_params"]["channel"] == "C001"
    assert recorder.calls[0]["channel"] == "C001"


@pytest.mark.parametrize(
    ("owner", "request_param", "fragment"),
    [
        (locked("C001"), locked("C002"), "locked to a fixed value"),
        (locked("C001"), {"mode": "choose_from", "value": ["C002"]}, "locked to a fixed value"),
        (locked("C001"), {"mode": "ignored"}, "locked to a fixed value"),
        ({"mode": "ignored"}, locked("C002"), "turned off (ignored)"),
    ],
    ids=["lock-over-lock", "choose-over-lock", "ignore-over-lock", "lock-over-ignored"],
)
async def test_request_cannot_override_what_the_owner_fixed(
    client: httpx.AsyncClient, owner: dict[str, Any], request_param: dict[str, Any], fragment: str
) -> None:
    data = await create(client, stored(note=owner, channel=owner, text=locked("hi")))
    response = await run(client, data["id"], channel=request_param)
    assert response.status_code == 400, response.text
    error = response.json()
    assert error["code"] == "param_locked"
    assert "params.channel" in error["error"] and fragment in error["error"]
    assert "owner" in error["error"]
    assert recorder.calls == []


async def test_request_locking_the_owners_own_value_is_fine(client: httpx.AsyncClient) -> None:
    data = await create(client, stored(channel=locked("C001"), text=locked("hi")))
    assert (await run(client, data["id"], channel=locked("C001"))).json()["status"] == "success"


async def test_request_param_beats_stored_guess_hint(client: httpx.AsyncClient) -> None:
    data = await create(client, stored(channel="random", text=locked("hi")))
    result = (await run(client, data["id"], channel=guess("engineering"))).json()
    assert result["resolved_params"]["channel"] == "C003"
    overridden = (await run(client, data["id"], channel=locked("C004"))).json()
    assert overridden["resolved_params"]["channel"] == "C004"


async def test_request_param_beats_stored_choice_list(client: httpx.AsyncClient) -> None:
    data = await create(client, stored(channel=["C002", "C004"], text=locked("hi")))
    halted = (await run(client, data["id"])).json()
    assert halted["status"] == "halted"
    assert "C002" in halted["error"] and "C004" in halted["error"] and "C001" not in halted["error"]
    chosen = (await run(client, data["id"], channel=locked("C001"))).json()
    assert chosen["resolved_params"]["channel"] == "C001"


async def test_request_guess_without_value_keeps_the_stored_hint(client: httpx.AsyncClient) -> None:
    data = await create(client, stored(channel="random", text=locked("hi")))
    result = (await run(client, data["id"], channel=guess(""))).json()
    assert result["resolved_params"]["channel"] == "C002"


async def test_stored_guess_hint_beats_instructions(client: httpx.AsyncClient) -> None:
    data = await create(client, stored(channel="random", text=locked("hi")))
    result = (await run(client, data["id"], "Post hi to the #engineering channel")).json()
    assert result["status"] == "success", result
    assert result["resolved_params"]["channel"] == "C002"


async def test_unknown_request_param_is_400_listing_needs(client: httpx.AsyncClient) -> None:
    data = await create(client, stored(channel="random"))
    response = await run(client, data["id"], bogus=locked("x"))
    assert response.status_code == 400
    assert "Valid needs:" in response.json()["hint"]


# Secrets


async def test_secret_values_are_sealed_redacted_and_kept_on_round_trip(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    data = await create(
        client,
        stored(channel=locked("C001"), text=locked("hi"), password=locked("hunter2"))
        | {"meta": {"params": {"password": "hunter2"}}},
    )
    assert data["params"]["password"] == "[redacted]"
    assert data["meta"]["params"]["password"] == "[redacted]"
    async with runtime.sessions() as session:
        row = await session.get(AiAction, data["id"])
    assert row is not None and "hunter2" not in str(row.params) + str(row.meta)
    result = (await run(client, data["id"])).json()
    assert recorder.calls[-1]["password"] == "hunter2"
    assert "hunter2" not in str(result)
    async with runtime.sessions() as session:
        log = await session.get(ExecutionLog, result["execution_log_id"])
    assert log is not None and "hunter2" not in str(log.input_params) + str(log.response)

    fetched = (await client.get(f"{BASE}{data['id']}/")).json()
    fetched["params"]["text"] = locked("changed")
    assert (await client.put(f"{BASE}{data['id']}/", json=fetched)).status_code == 200
    await run(client, data["id"])
    assert recorder.calls[-1] == recorder.calls[-1] | {"password": "hunter2", "text": "changed"}


async def test_redacted_marker_without_a_stored_secret_is_400(client: httpx.AsyncClient) -> None:
    response = await client.post(BASE, json=stored(password="[redacted]"))
    assert response.status_code == 400
    assert "params.password" in response.json()["error"]


# Authentications


async def test_authentication_id_must_be_one_of_the_account_for_the_app(
    client: httpx.AsyncClient, runtime: Runtime, key: CreatedKey, stranger: CreatedKey
) -> None:
    async with runtime.sessions() as session, session.begin():
        mine = Authentication(
            account_id=key.account_id, app="KeyedAPI", title="main", secret=runtime.box.seal({"api_key": "k-1234"})
        )
        theirs = Authentication(
            account_id=stranger.account_id, app="KeyedAPI", title="x", secret=runtime.box.seal({"api_key": "z"})
        )
        session.add_all([mine, theirs])
    body = stored("KeyedAPI", "whoami")
    foreign = await client.post(BASE, json=body, params={"authentication_id": theirs.id})
    assert foreign.status_code == 400
    assert "authentication_id" in foreign.json()["error"]
    data = await create(client, body, authentication_id=mine.id)
    assert data["authentication_id"] == mine.id
    assert data["meta"]["authentication_label"] == "main"
    assert data["meta"]["app_needs_auth"] is True
    result = (await run(client, data["id"])).json()
    assert result["results"] == [{"key_seen": "1234"}]


async def test_app_needing_auth_without_one_is_412_on_execute(client: httpx.AsyncClient) -> None:
    data = await create(client, stored("KeyedAPI", "whoami"))
    response = await run(client, data["id"])
    assert response.status_code == 412


# Tenancy


async def test_another_account_sees_nothing_and_gets_404(client: httpx.AsyncClient, stranger: CreatedKey) -> None:
    data = await create(client, stored(channel=locked("C001"), text=locked("hi")))
    theirs = {"x-api-key": stranger.key}
    listed = await client.get(BASE, headers=theirs)
    assert listed.json()["results"] == []
    for method, path, body in [
        ("GET", f"{BASE}{data['id']}/", None),
        ("PUT", f"{BASE}{data['id']}/", stored(channel="random")),
        ("POST", f"{BASE}{data['id']}/execute/", {"instructions": "x"}),
        ("POST", f"{BASE}{data['id']}/preview/", {"instructions": "x"}),
        ("GET", f"{BASE}{as_uuid(data['id'])}/", None),
    ]:
        response = await client.request(method, path, json=body, headers=theirs)
        assert response.status_code == 404, (method, path, response.text)
        assert data["id"] in response.json()["error"] or as_uuid(data["id"]) in response.json()["error"]
    deleted = await client.delete(f"{BASE}{data['id']}/", headers=theirs)
    assert deleted.json() is False
    assert recorder.calls == []
    assert (await client.get(f"{BASE}{data['id']}/")).json() == data


async def test_creating_in_an_account_not_yours_is_403(client: httpx.AsyncClient, stranger: CreatedKey) -> None:
    response = await client.post(BASE, json=stored(channel="x"), params={"account_id": stranger.account_id})
    assert response.status_code == 403
    assert "account_id" in response.json()["error"]


async def test_an_all_accounts_key_lists_both_of_its_users_accounts_and_can_filter(
    client: httpx.AsyncClient, runtime: Runtime, key: CreatedKey
) -> None:
    second = await make_key(runtime, account="acme-eu", user="owner@acme.test")
    async with runtime.sessions() as session, session.begin():
        wide = await create_key(session, account_name="acme", user_email=key.user_email, all_accounts=True)
    scoped = {"x-api-key": key.key}
    client.headers["x-api-key"] = wide.key
    here = await create(client, stored(channel="general"))
    there = await create(client, stored(channel="random"), account_id=second.account_id)
    assert there["account_id"] == second.account_id
    everything = (await client.get(BASE)).json()["results"]
    assert {a["id"] for a in everything} == {here["id"], there["id"]}
    only = (await client.get(BASE, params={"account_id": second.account_id})).json()["results"]
    assert [a["id"] for a in only] == [there["id"]]
    assert [a["id"] for a in (await client.get(BASE, headers=scoped)).json()["results"]] == [here["id"]]
    assert (await client.get(f"{BASE}{there['id']}/", headers=scoped)).status_code == 404


async def test_unknown_ids_are_404(client: httpx.AsyncClient) -> None:
    for path in (f"{BASE}01ARZ3NDEKTSV4RRFFQ69G5FAV/", f"{BASE}nope/"):
        response = await client.get(path)
        assert response.status_code == 404
        assert "GET /api/v2/ai-actions/" in response.json()["hint"]
    response = await client.post(f"{BASE}01ARZ3NDEKTSV4RRFFQ69G5FAV/execute/", json={"instructions": "x"})
    assert response.status_code == 404


async def test_rows_are_scoped_in_the_database(client: httpx.AsyncClient, runtime: Runtime, key: CreatedKey) -> None:
    await create(client, stored(channel="general"))
    async with runtime.sessions() as session:
        rows = list(await session.scalars(select(AiAction)))
    assert [r.account_id for r in rows] == [key.account_id]


async def test_idempotency_key_replays_a_stored_execution(client: httpx.AsyncClient) -> None:
    data = await create(client, stored(channel=locked("C001"), text=locked("once")))
    url = f"{BASE}{data['id']}/execute/"
    headers = {"Idempotency-Key": "stored-1"}
    first = await client.post(url, json={"instructions": "x"}, headers=headers)
    second = await client.post(url, json={"instructions": "x"}, headers=headers)
    assert first.json() == second.json()
    assert len(recorder.calls) == 1
    changed = await client.post(url, json={"instructions": "y"}, headers=headers)
    assert changed.status_code == 400
