"""MCP over streamable HTTP with the SDK's client: both protocol revisions, both modes, halts, auth, tenants."""

from __future__ import annotations

import json
from typing import Any

import httpx2
import mcp_types as types
import pytest
from mcp.client.session import ClientRequestContext

from helpers.live_server import Live, serve_live
from nlactions.settings import Settings

MODES = ["auto", "legacy"]  # 2026-07-28 (discovered) and the 2025-11-25 initialize handshake
ECHO_LOCKED = {"app": "TestAPI", "action": "echo", "params": {"channel": {"mode": "locked", "value": "C001"}}}


def _text(result: types.CallToolResult) -> Any:
    content = result.content[0]
    assert isinstance(content, types.TextContent)
    return json.loads(content.text)


@pytest.mark.parametrize("mode", MODES)
async def test_managed_tools_list_the_accounts_ai_actions_and_run_them(live: Live, mode: str) -> None:
    first = await live.store(ECHO_LOCKED)
    await live.store(ECHO_LOCKED | {"description": "Echo again"})
    await live.store({"app": "TestAPI", "action": "find", "action_type": "search"})
    async with live.client(mode=mode) as client:
        expected = "2026-07-28" if mode == "auto" else "2025-11-25"
        assert client.session.protocol_version == expected
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
        assert sorted(tools) == ["test_find_record", "test_send_message", "test_send_message_2"]

        echo = tools["test_send_message"]
        assert "Fixed: channel = C001 (general)." in (echo.description or "")
        props = echo.input_schema["properties"]
        assert "channel" not in props  # locked by the owner: left out of the schema
        assert echo.input_schema["required"] == ["instructions"]
        assert props["count"]["type"] == "integer" and props["text"]["type"] == "string"
        assert "output_hint" in props
        assert echo.annotations is not None and echo.annotations.read_only_hint is False
        assert tools["test_find_record"].annotations.read_only_hint is True  # type: ignore[union-attr]
        assert echo.output_schema is not None
        assert echo.output_schema["properties"]["results"]["items"]["properties"]["text"]["title"] == "Message Text"

        result = await client.call_tool("test_send_message", {"instructions": "post it", "text": "hi", "count": 2})
    assert result.is_error is False
    body = result.structured_content
    assert body is not None and body["status"] == "success"
    assert body["results"][0]["text"] == "hihi" and body["resolved_params"]["channel"] == "C001"
    assert _text(result) == body  # the text mirrors the structured content

    log = await live.get(f"/api/v2/execute/log/{body['execution_log_id']}/")
    assert log.status_code == 200
    assert log.json()["ai_action_id"] == first["id"] and log.json()["status"] == "success"


async def test_enums_come_from_static_choices_and_output_hint_narrows_the_text(live: Live) -> None:
    await live.store({"app": "TestAPI", "action": "echo"})
    async with live.client() as client:
        (tool,) = (await client.list_tools()).tools
        channel = tool.input_schema["properties"]["channel"]
        assert channel["enum"] == ["C001", "C002", "C003", "C004"]
        assert "C002 = random" in channel["description"]
        result = await client.call_tool(
            tool.name, {"instructions": "x", "channel": "C002", "text": "yo", "output_hint": "the message text"}
        )
    assert result.structured_content is not None
    assert result.structured_content["results"][0] == {"channel": "C002", "text": "yo", "meta__author__name": "bot"}
    assert _text(result)["results"] == [{"text": "yo"}]


async def test_a_call_changing_a_fixed_need_is_an_error_naming_it(live: Live) -> None:
    await live.store(ECHO_LOCKED)
    async with live.client() as client:
        result = await client.call_tool("test_send_message", {"instructions": "x", "channel": "C002"})
        unknown = await client.call_tool("test_send_message", {"instructions": "x", "colour": "red"})
        missing = await client.call_tool("test_send_message", {"text": "x"})
    assert result.is_error and result.structured_content is not None
    assert result.structured_content["code"] == "param_locked" and "channel" in result.structured_content["error"]
    assert unknown.is_error and unknown.structured_content is not None
    assert "colour" in unknown.structured_content["error"] and "text" in unknown.structured_content["hint"]
    assert missing.is_error and missing.structured_content is not None
    assert missing.structured_content["error"].startswith("instructions")


@pytest.mark.parametrize("mode", MODES)
async def test_halted_call_without_elicitation_is_an_error_with_the_needs(live: Live, mode: str) -> None:
    await live.store({"app": "TestAPI", "action": "echo"})
    async with live.client(mode=mode) as client:
        result = await client.call_tool("test_send_message", {"instructions": "post something"})
    assert result.is_error is True
    body = result.structured_content
    assert body is not None and body["status"] == "halted" and body["retryable"] is False
    needs = {need["key"]: need for need in body["halted_needs"]}
    assert set(needs) == {"channel", "text"}
    assert needs["channel"]["kind"] == "choice" and "channel" in needs["channel"]["send"]
    assert needs["text"]["kind"] == "str"
    assert "channel" in body["error"]  # the same error text the HTTP API gives


async def test_halted_call_asks_a_form_with_the_choices_and_runs_with_the_answer(live: Live) -> None:
    await live.store({"app": "TestAPI", "action": "echo"})
    asked: list[types.ElicitRequestParams] = []

    async def answer(context: ClientRequestContext, params: types.ElicitRequestParams) -> types.ElicitResult:
        asked.append(params)
        return types.ElicitResult(action="accept", content={"channel": "C003", "text": "from the form"})

    async with live.client(elicitation_callback=answer) as client:
        result = await client.call_tool("test_send_message", {"instructions": "post something"})
    assert len(asked) == 1
    form = asked[0]
    assert isinstance(form, types.ElicitRequestFormParams)
    channel = form.requested_schema["properties"]["channel"]
    assert [option["const"] for option in channel["oneOf"]] == ["C001", "C002", "C003", "C004"]
    assert {option["title"] for option in channel["oneOf"]} >= {"engineering"}
    assert form.requested_schema["properties"]["text"]["type"] == "string"
    assert result.is_error is False and result.structured_content is not None
    assert result.structured_content["resolved_params"]["channel"] == "C003"
    assert result.structured_content["results"][0]["text"] == "from the form"


async def test_a_declined_form_leaves_the_halt_as_an_error(live: Live) -> None:
    await live.store({"app": "TestAPI", "action": "echo"})

    async def decline(context: ClientRequestContext, params: types.ElicitRequestParams) -> types.ElicitResult:
        return types.ElicitResult(action="decline")

    async with live.client(elicitation_callback=decline) as client:
        result = await client.call_tool("test_send_message", {"instructions": "post something"})
    assert result.is_error and result.structured_content is not None
    assert result.structured_content["status"] == "halted"


@pytest.mark.parametrize("mode", MODES)
async def test_agentic_tools_discover_detail_preview_and_run(live: Live, mode: str) -> None:
    async with live.client("/mcp/agentic/", mode=mode) as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
        assert set(tools) == {
            "search_actions",
            "get_action_details",
            "execute_read_action",
            "execute_write_action",
            "preview_action",
            "get_configuration_url",
        }
        assert tools["execute_read_action"].annotations.read_only_hint is True  # type: ignore[union-attr]
        assert tools["execute_write_action"].annotations.read_only_hint is False  # type: ignore[union-attr]

        found = await client.call_tool("search_actions", {"query": "send a message", "app": "TestAPI"})
        assert found.structured_content is not None
        assert found.structured_content["results"][0]["action"] == "echo"

        details = await client.call_tool(
            "get_action_details", {"app": "TestAPI", "action": "assign", "params": {"team": "T1"}}
        )
        assert details.structured_content is not None
        needs = {n["key"]: n for n in details.structured_content["results"][0]["action_needs"]}
        assert [c["key"] for c in needs["member"]["choices"]] == ["T1-ada", "T1-linus"]  # the dependent field

        run = {"app": "TestAPI", "action": "echo", "instructions": "post hi", "params": {"channel": "general"}}
        preview = await client.call_tool("preview_action", run | {"params": {"channel": "general", "text": "hi"}})
        assert preview.structured_content is not None and preview.structured_content["status"] == "preview"
        written = await client.call_tool("execute_write_action", run | {"params": {"channel": "general", "text": "hi"}})
        wrong = await client.call_tool("execute_read_action", run)
        url = await client.call_tool("get_configuration_url", {})
    assert written.is_error is False and written.structured_content is not None
    assert written.structured_content["resolved_params"]["channel"] == "C001"
    assert wrong.is_error and wrong.structured_content is not None
    assert (
        wrong.structured_content["code"] == "wrong_tool" and "execute_write_action" in wrong.structured_content["hint"]
    )
    assert url.structured_content == {"url": f"{live.url}/docs#/ai-actions"}
    log = await live.get(f"/api/v2/execute/log/{written.structured_content['execution_log_id']}/")
    assert log.json()["status"] == "success" and log.json()["ai_action_id"] is None


async def test_an_app_failure_is_an_error_saying_whether_to_retry(live: Live) -> None:
    async with live.client("/mcp/agentic/") as client:
        failed = await client.call_tool(
            "execute_write_action",
            {"app": "TestAPI", "action": "boom", "instructions": "fail", "params": {"mode": "upstream"}},
        )
        crashed = await client.call_tool(
            "execute_write_action",
            {"app": "TestAPI", "action": "boom", "instructions": "fail", "params": {"mode": "crash"}},
        )
        unknown = await client.call_tool(
            "execute_write_action", {"app": "NoSuchAPI", "action": "x", "instructions": "fail"}
        )
    assert failed.is_error and failed.structured_content is not None
    assert failed.structured_content["status"] == "error" and failed.structured_content["retryable"] is True
    assert "503" in failed.structured_content["error"]
    assert crashed.is_error and crashed.structured_content is not None
    assert crashed.structured_content["retryable"] is False
    assert "secret internal detail" not in json.dumps(crashed.structured_content)
    assert unknown.is_error and unknown.structured_content is not None
    assert unknown.structured_content["code"] == "unknown_app" and "TestAPI" in unknown.structured_content["hint"]


@pytest.mark.parametrize("path", ["/mcp/", "/mcp/agentic/", "/mcp"])
async def test_no_or_bad_credential_is_401_pointing_at_the_resource_metadata(live: Live, path: str) -> None:
    ping = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
    async with httpx2.AsyncClient(base_url=live.url) as http:
        missing = await http.post(path, json=ping)
        bad = await http.post(path, json=ping, headers={"Authorization": "Bearer nla-not-a-key"})
        metadata = await http.get("/.well-known/oauth-protected-resource")
    for response in (missing, bad):
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == (
            f'Bearer resource_metadata="{live.url}/.well-known/oauth-protected-resource"'
        )
        assert set(response.json()) >= {"error", "hint"}
    assert metadata.status_code == 200
    doc = metadata.json()
    assert doc["resource"] == live.url and doc["authorization_servers"] == [live.url]
    assert doc["scopes_supported"] == ["nla:exposed_actions:execute", "openid"]
    assert doc["bearer_methods_supported"] == ["header"]


async def test_a_bearer_key_works_like_the_header(live: Live) -> None:
    await live.store(ECHO_LOCKED)
    async with live.client(headers={"Authorization": f"Bearer {live.key}"}) as client:
        assert [t.name for t in (await client.list_tools()).tools] == ["test_send_message"]


async def test_another_accounts_ai_actions_are_invisible_and_uncallable(live: Live) -> None:
    await live.store(ECHO_LOCKED)
    async with live.client(key=live.other_key) as client:
        assert (await client.list_tools()).tools == []
        result = await client.call_tool("test_send_message", {"instructions": "post hi", "text": "hi"})
    assert result.is_error and result.structured_content is not None
    assert result.structured_content["code"] == "unknown_tool"
    own = await live.get("/api/v2/execute/log/", key=live.other_key)
    assert own.json()["results"] == []  # nothing ran in globex
    theirs = await live.get("/api/v2/execute/log/")
    assert theirs.json()["results"] == []  # nor in acme


async def test_tool_calls_spend_the_execute_budget_and_listing_the_read_budget(settings: Settings) -> None:
    limited = settings.model_copy(update={"rate_limit_execute": "2/minute"})
    call = {"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": {"name": "test_send_message"}}
    listing = {"jsonrpc": "2.0", "id": 8, "method": "tools/list", "params": {}}
    async with serve_live(limited) as live:
        await live.store(ECHO_LOCKED)
        async with live.client() as client:
            for _ in range(2):
                ran = await client.call_tool("test_send_message", {"instructions": "x", "text": "hi"})
                assert ran.is_error is False
            assert len((await client.list_tools()).tools) == 1  # reads are another budget
        async with httpx2.AsyncClient(base_url=live.url, headers={"x-api-key": live.key}) as http:
            refused = await http.post("/mcp/", json=call)
            read = await http.post("/mcp/", json=listing)
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) >= 1 and refused.headers["ratelimit-remaining"] == "0"
    assert refused.json()["code"] == "rate_limited"
    assert read.status_code != 429


async def test_odd_requests_get_4xx_never_5xx(live: Live) -> None:
    headers = {"x-api-key": live.key, "accept": "application/json, text/event-stream"}
    async with httpx2.AsyncClient(base_url=live.url, headers=headers) as http:
        answers = [
            await http.get("/mcp/"),
            await http.delete("/mcp/agentic/"),
            await http.post("/mcp/", content=b"{not json", headers={"content-type": "application/json"}),
            await http.post("/mcp/", json=[{"jsonrpc": "2.0", "id": 1, "method": "tools/list"}]),
            await http.post(
                "/mcp/",
                json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
                headers={"mcp-protocol-version": "1999-01-01"},
            ),
            await http.post("/mcp/", json={"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": "x"}),
        ]
    assert [r.status_code for r in answers] == [405, 405, 400, 400, 400, 400]
    assert answers[0].json()["code"] == "method_not_allowed"
    assert all("Traceback" not in r.text for r in answers)
