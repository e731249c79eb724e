"""The v1 adapter: check, exposed list and execute (plus dynamic twins), execution log, dynamic OpenAPI,
the api_key query parameter, and account isolation."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
import schemathesis
from fastapi import FastAPI

from conftest import make_key
from helpers.apps import recorder
from nlactions.accounts.service import CreatedKey
from nlactions.api.runtime import Runtime
from nlactions.catalog import Action, ActionContext, App, Needs, need

ULID_RE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")
FUNCTION_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
V1_KEYS = {
    "id",
    "action_used",
    "input_params",
    "review_url",
    "result",
    "additional_results",
    "result_field_labels",
    "status",
    "error",
    "assistant_hint",
}


class ItemsInput(Needs):
    count: int = need(3, label="How Many")


async def items(ctx: ActionContext, params: ItemsInput) -> list[dict[str, str]]:
    return [{"id": str(i), "name": f"item {i}"} for i in range(params.count)]


items_app = App(
    key="ItemsAPI",
    name="Items",
    description="Lists items.",
    actions=(Action("list_items", "search", "Item", "List Items", "List some items.", ItemsInput, items),),
)


@pytest.fixture
def app(app: FastAPI) -> FastAPI:
    """The shared started app with an app that returns several results."""
    app.state.runtime.registry.add(items_app)
    return app


@pytest.fixture(autouse=True)
def reset_recorder() -> None:
    recorder.calls.clear()
    recorder.gate = None
    recorder.entered = None


@pytest.fixture
async def stranger(runtime: Runtime) -> CreatedKey:
    """A key of another account, held by another user."""
    return await make_key(runtime, account="globex", user="hank@globex.test")


def locked(value: Any) -> dict[str, Any]:
    return {"mode": "locked", "value": value}


async def store(client: httpx.AsyncClient, app: str = "TestAPI", action: str = "echo", **params: Any) -> str:
    body = {"app": app, "action": action, "action_type": "write", "params": params, "meta": {}}
    response = await client.post("/api/v2/ai-actions/", json=body)
    assert response.status_code == 200, response.text
    return str(response.json()["id"])


async def shout(client: httpx.AsyncClient) -> str:
    """A stored FormatterAPI text action that uppercases whatever Input it is given."""
    return await store(client, "FormatterAPI", "text", transform=locked("uppercase"))


async def execute(client: httpx.AsyncClient, ai_action_id: str, **body: Any) -> httpx.Response:
    return await client.post(f"/api/v1/exposed/{ai_action_id}/execute/", json=body)


@pytest.mark.parametrize("how", ["header", "bearer", "query"])
async def test_check_accepts_header_bearer_and_api_key_query(app: FastAPI, key: CreatedKey, how: str) -> None:
    headers = {"header": {"x-api-key": key.key}, "bearer": {"Authorization": f"Bearer {key.key}"}}.get(how, {})
    params = {"api_key": key.key} if how == "query" else {}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        response = await http.get("/api/v1/check/", headers=headers, params=params)
    assert response.status_code == 200, response.text
    assert response.json()["success"] is True
    assert response.json()["email"] == "owner@acme.test"


@pytest.mark.parametrize("params", [{}, {"api_key": "nla_wrong"}])
async def test_check_without_a_valid_key_is_401(app: FastAPI, params: dict[str, str]) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        response = await http.get("/api/v1/check", params=params)
    assert response.status_code == 401
    assert "API key" in response.json()["error"]


async def test_api_key_query_parameter_is_for_v1_only(app: FastAPI, key: CreatedKey) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        v2 = await http.get("/api/v2/ai-actions/", params={"api_key": key.key})
        v1 = await http.get("/api/v1/exposed/", params={"api_key": key.key})
    assert v2.status_code == 401
    assert v1.status_code == 200


async def test_configuration_link(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/configuration-link/")
    assert response.json()["configuration_link"].startswith("http://nlactions.test/")


@pytest.mark.parametrize("prefix", ["/api/v1/exposed/", "/api/v1/dynamic/exposed/", "/api/v1/exposed"])
async def test_exposed_lists_each_stored_action_with_its_hint_params(client: httpx.AsyncClient, prefix: str) -> None:
    echo = await store(client, channel=locked("C001"))
    upper = await shout(client)
    response = await client.get(prefix)
    assert response.status_code == 200
    body = response.json()
    assert body["configuration_link"].startswith("http://nlactions.test/")
    first, second = body["results"]
    assert first == {
        "id": echo,
        "operation_id": f"exposed_{echo}_execute",
        "description": "Test: Send Message",
        "params": {"instructions": "str", "Message_Text": "str", "Count": "str", "Note": "str", "Password": "str"},
    }
    assert FUNCTION_NAME.match(first["operation_id"])
    assert second["id"] == upper
    assert second["description"] == "Formatter by nlactions: Text"
    assert "Transform" not in second["params"]
    assert {"Input", "Replace_With", "Max_Length", "Segment_Index"} <= set(second["params"])


@pytest.mark.parametrize("name", ["Input", "input", "INPUT"])
async def test_execute_with_a_hint_param(client: httpx.AsyncClient, name: str) -> None:
    action_id = await shout(client)
    response = await execute(client, action_id, instructions="Shout it", **{name: "hello world"})
    assert response.status_code == 200, response.text
    data = response.json()
    assert set(data) == V1_KEYS
    assert data["status"] == "success"
    assert data["result"] == {"output": "HELLO WORLD"}
    assert data["additional_results"] == []
    assert data["result_field_labels"]["output"] == "Output"
    assert data["input_params"]["Transform"] == "uppercase"
    assert data["input_params"]["Input"] == "hello world"
    assert ULID_RE.match(data["id"])
    assert data["review_url"] == f"http://nlactions.test/api/v1/execution-log/{data['id']}/"
    assert data["action_used"] == "Formatter by nlactions: Text"
    assert data["error"] is None and data["assistant_hint"] is None


async def test_dynamic_execute_is_the_same(client: httpx.AsyncClient) -> None:
    action_id = await shout(client)
    response = await client.post(
        f"/api/v1/dynamic/exposed/{action_id}/execute", json={"instructions": "x", "Input": "abc"}
    )
    assert response.json()["result"]["output"] == "ABC"


async def test_preview_does_not_run_and_asks_for_confirmation(client: httpx.AsyncClient) -> None:
    action_id = await store(client, channel="engineering")
    response = await execute(client, action_id, instructions="x", Message_Text="hi", preview_only=True)
    data = response.json()
    assert data["status"] == "preview"
    assert data["review_url"].endswith(f"/api/v1/execution-log/{data['id']}/?needs_confirmation=true")
    assert data["input_params"] == {"Channel": "C003", "Message_Text": "hi", "Count": 1}
    assert data["result"] is None
    assert "preview" in data["assistant_hint"]
    assert recorder.calls == []


async def test_app_failure_is_http_200_with_status_error(client: httpx.AsyncClient) -> None:
    action_id = await store(client, "TestAPI", "boom", mode=locked("upstream"))
    response = await execute(client, action_id, instructions="go")
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "error"
    assert "503" in data["error"]
    assert data["assistant_hint"]


async def test_unresolved_need_is_status_error_naming_it(client: httpx.AsyncClient) -> None:
    action_id = await store(client, channel=locked("C001"))
    data = (await execute(client, action_id, instructions="")).json()
    assert data["status"] == "error"
    assert "'text'" in data["error"]
    assert "hint params" in data["assistant_hint"]


async def test_unknown_hint_param_is_400_listing_the_valid_ones(client: httpx.AsyncClient) -> None:
    action_id = await store(client, channel=locked("C001"))
    response = await execute(client, action_id, instructions="x", Colour="red")
    assert response.status_code == 400
    error = response.json()
    assert "'Colour'" in error["error"]
    assert "Message_Text" in error["hint"]


async def test_hint_for_a_need_the_owner_locked_is_ignored(client: httpx.AsyncClient) -> None:
    action_id = await store(client, channel=locked("C001"))
    data = (await execute(client, action_id, instructions="x", Channel="random", Message_Text="hi")).json()
    assert data["status"] == "success"
    assert data["input_params"]["Channel"] == "C001"
    assert recorder.calls[0]["channel"] == "C001"


async def test_several_results_split_into_result_and_additional_results(client: httpx.AsyncClient) -> None:
    action_id = await store(client, "ItemsAPI", "list_items", count=locked(3))
    data = (await execute(client, action_id, instructions="list")).json()
    assert data["result"] == {"id": "0", "name": "item 0"}
    assert data["additional_results"] == [{"id": "1", "name": "item 1"}, {"id": "2", "name": "item 2"}]


async def test_long_results_are_trimmed(client: httpx.AsyncClient) -> None:
    action_id = await store(client, channel=locked("C001"), text=locked("word " * 1000))
    data = (await execute(client, action_id, instructions="x")).json()
    assert len(data["result"]["text"]) <= 350 * 4 + 1
    assert data["result"]["text"].endswith("…")


async def test_execution_log_returns_the_execute_response(client: httpx.AsyncClient) -> None:
    action_id = await shout(client)
    ran = (await execute(client, action_id, instructions="x", Input="abc")).json()
    for path in (f"/api/v1/execution-log/{ran['id']}/", f"/api/v1/execution-log/{ran['id'].lower()}"):
        response = await client.get(path)
        assert response.status_code == 200
        assert response.json() == ran


async def test_execution_log_of_a_v2_run_in_v1_shape(client: httpx.AsyncClient) -> None:
    body = {"instructions": "", "app": "TestAPI", "action": "echo", "params": {"channel": locked("C002")}}
    body["params"]["text"] = locked("hi")
    ran = (await client.post("/api/v2/execute/", json=body)).json()
    data = (await client.get(f"/api/v1/execution-log/{ran['execution_log_id']}/")).json()
    assert data["status"] == "success"
    assert data["input_params"] == {"Channel": "C002", "Message_Text": "hi", "Count": 1}
    assert data["result"]["text"] == "hi"


async def test_unknown_ids_are_404(client: httpx.AsyncClient) -> None:
    missing = "01ARZ3NDEKTSV4RRFFQ69G5FAV"
    assert (await execute(client, missing, instructions="x")).status_code == 404
    assert (await client.get(f"/api/v1/execution-log/{missing}/")).status_code == 404
    assert (await client.get("/api/v1/execution-log/nope/")).status_code == 404


async def test_dynamic_openapi_describes_each_exposed_action(client: httpx.AsyncClient) -> None:
    echo = await store(client, channel=locked("C001"))
    upper = await shout(client)
    response = await client.get("/api/v1/dynamic/openapi.json")
    assert response.status_code == 200, response.text
    doc = response.json()
    assert doc["servers"] == [{"url": "http://nlactions.test"}]
    operation = doc["paths"][f"/api/v1/dynamic/exposed/{echo}/execute/"]["post"]
    assert operation["operationId"] == f"exposed_{echo}_execute"
    assert operation["summary"] == "Test: Send Message (execute)"
    ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert ref == f"#/components/schemas/PreviewExecuteRequest_{echo}"
    schema = doc["components"]["schemas"][f"PreviewExecuteRequest_{echo}"]
    assert schema["required"] == ["instructions"]
    assert set(schema["properties"]) == {"instructions", "Message_Text", "Count", "Note", "Password", "preview_only"}
    assert schema["properties"]["Message_Text"]["type"] == "string"
    assert f"/api/v1/dynamic/exposed/{upper}/execute/" in doc["paths"]
    assert "api_key" in str(doc["components"]["securitySchemes"])
    loaded = schemathesis.openapi.from_dict(doc)
    operation_ids = {op.ok().definition.raw.get("operationId") for op in loaded.get_all_operations()}
    assert {f"exposed_{echo}_execute", f"exposed_{upper}_execute", "list_exposed_actions"} == operation_ids


async def test_dynamic_openapi_with_api_key_query(app: FastAPI, key: CreatedKey) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        response = await http.get("/api/v1/dynamic/openapi.json", params={"api_key": key.key})
    assert response.status_code == 200
    assert list(response.json()["paths"]) == ["/api/v1/dynamic/exposed/"]


async def test_another_account_sees_none_of_it(client: httpx.AsyncClient, app: FastAPI, stranger: CreatedKey) -> None:
    action_id = await shout(client)
    ran = (await execute(client, action_id, instructions="x", Input="abc")).json()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        for auth in ({"headers": {"x-api-key": stranger.key}}, {"params": {"api_key": stranger.key}}):
            for prefix in ("/api/v1/exposed/", "/api/v1/dynamic/exposed/"):
                assert (await http.get(prefix, **auth)).json()["results"] == []
                response = await http.post(
                    f"{prefix}{action_id}/execute/", json={"instructions": "x", "Input": "abc"}, **auth
                )
                assert response.status_code == 404
                assert action_id in response.json()["error"]
            log = await http.get(f"/api/v1/execution-log/{ran['id']}/", **auth)
            assert log.status_code == 404
            doc = (await http.get("/api/v1/dynamic/openapi.json", **auth)).json()
            assert action_id not in str(doc)
    assert (await client.get(f"/api/v1/execution-log/{ran['id']}/")).status_code == 200
