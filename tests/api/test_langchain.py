"""Real clients against a real server on a loopback socket: LangChain's ZapierNLAWrapper (v1, requests
and aiohttp) and crewAI's Zapier adapter calls (v2 stored AI actions, replayed with requests)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests
import uvicorn
from langchain_community.agent_toolkits.zapier.toolkit import ZapierToolkit
from langchain_community.utilities.zapier import ZapierNLAWrapper

from nlactions.accounts import service as accounts
from nlactions.api.app import create_app
from nlactions.db.engine import make_engine, make_sessionmaker
from nlactions.settings import Settings


@dataclass(frozen=True)
class Live:
    """A running server and an API key for it."""

    url: str
    key: str

    def headers(self) -> dict[str, str]:
        return {"x-api-key": self.key}

    def store(self, params: dict[str, Any], description: str | None = None) -> dict[str, Any]:
        """Create a stored FormatterAPI text action over HTTP."""
        body = {"app": "FormatterAPI", "action": "text", "action_type": "write", "params": params, "meta": {}}
        if description:
            body["description"] = description
        response = requests.post(f"{self.url}/api/v2/ai-actions/", json=body, headers=self.headers(), timeout=10)
        response.raise_for_status()
        return response.json()  # type: ignore[no-any-return]


async def _create_key(settings: Settings) -> str:
    engine = make_engine(settings.effective_database_url)
    try:
        async with make_sessionmaker(engine)() as session, session.begin():
            created = await accounts.create_key(session, account_name="acme", user_email="owner@acme.test")
    finally:
        await engine.dispose()
    return created.key


@pytest.fixture
async def live(settings: Settings) -> AsyncIterator[Live]:
    """The app served by uvicorn in a thread on a free 127.0.0.1 port."""
    key = await _create_key(settings)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        create_app(settings, migrate=False), log_level="warning", lifespan="on", ws="none", loop="asyncio"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "server did not start"
        time.sleep(0.02)
    try:
        yield Live(f"http://127.0.0.1:{port}", key)
    finally:
        server.should_exit = True
        thread.join(20)
        sock.close()


UPPERCASE = {"transform": {"mode": "locked", "value": "uppercase"}}


async def test_langchain_wrapper_lists_runs_and_previews(live: Live) -> None:
    stored = live.store(UPPERCASE)
    wrapper = ZapierNLAWrapper(zapier_nla_api_key=live.key, zapier_nla_api_base=f"{live.url}/api/v1/")

    actions = wrapper.list()
    assert [a["id"] for a in actions] == [stored["id"]]
    assert actions[0]["description"] == "Formatter by nlactions: Text"
    assert actions[0]["params"]["instructions"] == "str"
    assert "Input" in actions[0]["params"] and "Transform" not in actions[0]["params"]

    result = wrapper.run(stored["id"], "Shout the greeting", params={"Input": "hello world"})
    assert result == {"output": "HELLO WORLD"}

    preview = wrapper.preview(stored["id"], "Shout the greeting", params={"Input": "hi there"})
    assert preview["Transform"] == "uppercase"
    assert preview["Input"] == "hi there"

    assert wrapper.run_as_str(stored["id"], "x", params={"Input": "abc"}) == '{"output": "ABC"}'


async def test_langchain_wrapper_async_calls_with_aiohttp(live: Live) -> None:
    stored = live.store(UPPERCASE)
    wrapper = ZapierNLAWrapper(zapier_nla_api_key=live.key, zapier_nla_api_base=f"{live.url}/api/v1/")
    actions = await wrapper.alist()
    assert actions[0]["id"] == stored["id"]
    assert await wrapper.arun(stored["id"], "Shout it", params={"Input": "async"}) == {"output": "ASYNC"}


async def test_langchain_wrapper_with_an_oauth_style_bearer_token(live: Live) -> None:
    stored = live.store(UPPERCASE)
    wrapper = ZapierNLAWrapper(zapier_nla_oauth_access_token=live.key, zapier_nla_api_base=f"{live.url}/api/v1/")
    assert wrapper.run(stored["id"], "x", params={"Input": "bearer"}) == {"output": "BEARER"}


async def test_langchain_wrapper_reports_a_bad_key(live: Live) -> None:
    wrapper = ZapierNLAWrapper(zapier_nla_api_key="nla_wrong", zapier_nla_api_base=f"{live.url}/api/v1/")
    with pytest.raises(requests.HTTPError, match="Check that your api key is correct"):
        wrapper.list()


async def test_langchain_toolkit_tools_run_a_fully_configured_action(live: Live) -> None:
    live.store(UPPERCASE | {"input": {"mode": "locked", "value": "ready"}}, description="Shout: Ready")
    wrapper = ZapierNLAWrapper(zapier_nla_api_key=live.key, zapier_nla_api_base=f"{live.url}/api/v1/")
    tools = ZapierToolkit.from_zapier_nla_wrapper(wrapper).get_tools()
    assert [t.name for t in tools] == ["Shout: Ready"]
    assert tools[0].run("Shout it") == '{"output": "READY"}'


async def test_crewai_adapter_calls(live: Live) -> None:
    """What crewAI's ZapierActionsAdapter sends: list without a trailing slash, then every stored param as a
    guess (including the owner-locked one, which must not break the call or change the locked value)."""
    stored = live.store(UPPERCASE | {"input": "the text to shout"})
    actions_url = f"{live.url}/api/v2/ai-actions"
    listed = requests.get(actions_url, headers=live.headers(), timeout=10)
    listed.raise_for_status()
    action = listed.json()["results"][0]
    assert action["id"] == stored["id"]
    assert action["meta"]["action_label"].replace(" ", "_").replace(":", "").lower() == "text"
    assert set(action["params"]) == {"transform", "input"}

    def execute(**kwargs: Any) -> dict[str, Any]:
        instructions = kwargs.pop("instructions", "Execute this action with the provided parameters")
        params = {key: {"value": value, "mode": "guess"} for key, value in kwargs.items()}
        response = requests.post(
            f"{actions_url}/{action['id']}/execute/",
            headers={**live.headers(), "Content-Type": "application/json"},
            json={"instructions": instructions, "params": params},
            timeout=10,
        )
        response.raise_for_status()
        return response.json()  # type: ignore[no-any-return]

    guessed = execute(instructions="Shout hello crew", transform="lowercase", input="hello crew")
    assert guessed["status"] == "success", guessed
    assert guessed["results"][0]["output"] == "HELLO CREW"
    from_hint = execute()
    assert from_hint["results"][0]["output"] == "THE TEXT TO SHOUT"
