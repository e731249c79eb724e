"""The LLM reviewing the offline values through the API: what it decided is in the execution log.

The model is pydantic-ai's FunctionModel (no network); the app is the test app's echo action.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic_ai import models
from pydantic_ai.exceptions import ModelHTTPError
from pydantic_ai.messages import ModelMessage, ModelRequest, ModelResponse, ToolCallPart, UserPromptPart
from pydantic_ai.models.function import AgentInfo, FunctionModel

from conftest import make_key
from helpers.apps import test_app
from nlactions.api.app import create_app
from nlactions.catalog import load_registry
from nlactions.resolver.engine import LayeredResolver
from nlactions.resolver.extract import OfflineExtractor
from nlactions.resolver.llm import LLMExtractor
from nlactions.settings import Settings

models.ALLOW_MODEL_REQUESTS = False

EXECUTE = "/api/v2/execute/"


class Model:
    """A FunctionModel body answering one fixed output (or raising it), recording the prompts it saw."""

    def __init__(self) -> None:
        self.answer: dict[str, Any] | Exception = {}
        self.prompts: list[str] = []

    def __call__(self, messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        """Answer through the output tool."""
        first = messages[0]
        assert isinstance(first, ModelRequest)
        self.prompts.append("\n".join(str(p.content) for p in first.parts if isinstance(p, UserPromptPart)))
        if isinstance(self.answer, Exception):
            raise self.answer
        return ModelResponse(parts=[ToolCallPart(info.output_tools[0].name, self.answer)])


@pytest.fixture
def model() -> Model:
    return Model()


@pytest.fixture
async def llm_client(settings: Settings, model: Model) -> AsyncIterator[httpx.AsyncClient]:
    """A client of an app whose resolver is the offline reader reviewed by the FunctionModel."""
    registry = load_registry()
    registry.add(test_app)
    resolver = LayeredResolver([OfflineExtractor(), LLMExtractor(FunctionModel(model, model_name="scripted"))])
    app: FastAPI = create_app(settings, registry=registry, resolver=resolver, migrate=False)
    async with app.router.lifespan_context(app):
        key = await make_key(app.state.runtime)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://nlactions.test", headers={"x-api-key": key.key}
        ) as http:
            yield http


def echo(instructions: str, **params: Any) -> dict[str, Any]:
    return {"instructions": instructions, "app": "TestAPI", "action": "echo", "params": params}


async def log_of(client: httpx.AsyncClient, body: dict[str, Any]) -> dict[str, Any]:
    response = await client.get(f"{EXECUTE}log/{body['execution_log_id']}/")
    assert response.status_code == 200, response.text
    item: dict[str, Any] = response.json()
    return item


async def test_the_model_corrects_an_offline_value_and_the_log_says_who_decided_each(
    llm_client: httpx.AsyncClient, model: Model
) -> None:
    model.answer = {"text": "hello world"}
    body = echo(
        "Post 'hello wrld' in #random",
        password={"mode": "locked", "value": "pa55-very-secret"},
        count={"mode": "locked", "value": 2},
    )
    response = await llm_client.post(f"{EXECUTE}?preview_only=true", json=body)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["status"] == "preview"
    assert answer["resolved_params"]["text"] == "hello world"
    assert answer["resolved_params"]["channel"] == "C002"
    assert 'first reading: "hello wrld"' in model.prompts[0]
    assert "pa55-very-secret" not in model.prompts[0] and "Password" not in model.prompts[0]
    item = await log_of(llm_client, answer)
    assert item["resolved_by"] == {
        "channel": "instructions",
        "text": "llm",
        "count": "locked",
        "password": "locked",
    }
    assert item["resolver_notes"] == []


async def test_a_failing_model_falls_back_to_the_offline_values_and_the_log_notes_it(
    llm_client: httpx.AsyncClient, model: Model
) -> None:
    model.answer = ModelHTTPError(status_code=500, model_name="scripted", body={"error": "boom"})
    response = await llm_client.post(f"{EXECUTE}?preview_only=true", json=echo("Post 'hello' in #random"))
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["status"] == "preview"
    assert {k: answer["resolved_params"][k] for k in ("channel", "text")} == {"channel": "C002", "text": "hello"}
    item = await log_of(llm_client, answer)
    assert item["resolved_by"]["text"] == "instructions"
    assert item["resolver_notes"] == [
        "llm: the model call failed with ModelHTTPError (HTTP 500); the offline values were kept"
    ]


async def test_a_failing_model_with_a_required_need_missing_is_halted_not_an_error(
    llm_client: httpx.AsyncClient, model: Model
) -> None:
    model.answer = ConnectionError("refused")
    response = await llm_client.post(EXECUTE, json=echo("Post it in #random"))
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["status"] == "halted"
    assert "'text'" in answer["error"]
    item = await log_of(llm_client, answer)
    assert item["resolved_by"]["channel"] == "instructions"
    assert "the model call failed with ConnectionError" in item["resolver_notes"][0]
