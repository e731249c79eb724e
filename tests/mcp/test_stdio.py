"""``nlactions mcp`` as a subprocess, driven by the SDK's stdio client: both modes, a form over stdio, bad keys."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import mcp_types as types
import pytest
from fastapi import FastAPI
from mcp.client.session import ClientRequestContext
from mcp.client.stdio import StdioServerParameters

from mcp import Client
from nlactions.accounts import service as accounts
from nlactions.accounts.service import CreatedKey
from nlactions.api.runtime import Runtime
from nlactions.settings import Settings

NLACTIONS = str(Path(sys.executable).with_name("nlactions"))
SHOUT = {"app": "FormatterAPI", "action": "text", "params": {"transform": {"mode": "locked", "value": "uppercase"}}}


def _env(settings: Settings, key: str) -> dict[str, str]:
    return {
        "NLACTIONS_DATA_DIR": str(settings.data_dir),
        "NLACTIONS_DATABASE_URL": settings.effective_database_url,
        "NLACTIONS_SECRET_KEY": settings.secret_key or "",
        "NLACTIONS_API_KEY_CACHE_SECONDS": "0",
        "NLACTIONS_MCP_API_KEY": key,
    }


@asynccontextmanager
async def stdio(settings: Settings, key: str, *args: str, **options: object) -> AsyncIterator[Client]:
    """The SDK's client talking to ``nlactions mcp`` over its stdin and stdout."""
    params = StdioServerParameters(command=NLACTIONS, args=["mcp", *args], env=_env(settings, key))
    async with Client(params, read_timeout_seconds=60, **options) as client:  # type: ignore[arg-type]
        yield client


async def _store(client: httpx.AsyncClient, body: dict[str, object]) -> None:
    response = await client.post("/api/v2/ai-actions/", json={"action_type": "write", "meta": {}, **body})
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_stdio_lists_and_runs_the_keys_ai_actions(
    app: FastAPI, settings: Settings, key: CreatedKey, client: httpx.AsyncClient, runtime: Runtime, mode: str
) -> None:
    await _store(client, SHOUT)
    async with stdio(settings, key.key, mode=mode) as mcp:
        assert mcp.session.protocol_version == ("2026-07-28" if mode == "auto" else "2025-11-25")
        tools = (await mcp.list_tools()).tools
        assert [tool.name for tool in tools] == ["formatter_text"]
        assert tools[0].annotations is not None and tools[0].annotations.open_world_hint is False
        result = await mcp.call_tool("formatter_text", {"instructions": "Shout it", "input": "hello world"})
    assert result.is_error is False and result.structured_content is not None
    assert result.structured_content["results"] == [{"output": "HELLO WORLD"}]
    log = await client.get(f"/api/v2/execute/log/{result.structured_content['execution_log_id']}/")
    assert log.json()["status"] == "success"


async def test_stdio_agentic_runs_any_action(app: FastAPI, settings: Settings, key: CreatedKey) -> None:
    async with stdio(settings, key.key, "--agentic") as mcp:
        names = {tool.name for tool in (await mcp.list_tools()).tools}
        assert "execute_write_action" in names
        result = await mcp.call_tool(
            "execute_write_action",
            {
                "app": "FormatterAPI",
                "action": "text",
                "instructions": "lowercase it",
                "params": {"transform": {"mode": "locked", "value": "lowercase"}, "input": "QUIET"},
            },
        )
    assert result.structured_content is not None
    assert result.structured_content["results"] == [{"output": "quiet"}]


async def test_stdio_asks_a_form_on_a_legacy_connection(
    app: FastAPI, settings: Settings, key: CreatedKey, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    await _store(client, {"app": "FormatterAPI", "action": "text", "params": {}})
    offered: list[str] = []

    async def answer(context: ClientRequestContext, params: types.ElicitRequestParams) -> types.ElicitResult:
        assert isinstance(params, types.ElicitRequestFormParams)
        offered.extend(option["const"] for option in params.requested_schema["properties"]["transform"]["oneOf"])
        return types.ElicitResult(action="accept", content={"transform": "uppercase"})

    async with stdio(settings, key.key, mode="legacy", elicitation_callback=answer) as mcp:
        result = await mcp.call_tool("formatter_text", {"instructions": "do something", "input": "abc"})
    assert "uppercase" in offered and "lowercase" in offered
    assert result.is_error is False and result.structured_content is not None
    assert result.structured_content["results"][0]["output"] == "ABC"


async def test_stdio_only_shows_the_keys_account(
    app: FastAPI, settings: Settings, key: CreatedKey, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    await _store(client, SHOUT)
    async with runtime.sessions() as session, session.begin():
        other = await accounts.create_key(session, account_name="globex", user_email="owner@globex.test")
    async with stdio(settings, other.key) as mcp:
        assert (await mcp.list_tools()).tools == []
        result = await mcp.call_tool("formatter_text", {"instructions": "Shout it", "input": "x"})
    assert result.is_error and result.structured_content is not None
    assert result.structured_content["code"] == "unknown_tool"


async def test_stdio_refuses_a_bad_key_before_serving(app: FastAPI, settings: Settings) -> None:
    env = {**_env(settings, "nla-not-a-key"), "PATH": "/usr/bin:/bin"}
    process = await asyncio.create_subprocess_exec(
        NLACTIONS,
        "mcp",
        env=env,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(b""), 60)
    assert process.returncode == 1
    assert out == b""  # nothing on the protocol channel
    assert b"not valid" in err and b"Traceback" not in err
    missing = await asyncio.create_subprocess_exec(
        NLACTIONS,
        "mcp",
        env={k: v for k, v in env.items() if k != "NLACTIONS_MCP_API_KEY"},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _out, err = await asyncio.wait_for(missing.communicate(), 60)
    assert missing.returncode == 2 and b"NLACTIONS_MCP_API_KEY" in err
