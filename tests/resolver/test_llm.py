"""LLMExtractor against pydantic-ai's FunctionModel / TestModel: never a real model."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import json
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
from pydantic_ai import models
from pydantic_ai.exceptions import ModelHTTPError
from pydantic_ai.messages import (
    ModelMessage,
    ModelRequest,
    ModelResponse,
    RetryPromptPart,
    TextPart,
    ToolCallPart,
    ToolReturnPart,
    UserPromptPart,
)
from pydantic_ai.models.function import AgentInfo, FunctionModel
from pydantic_ai.models.test import TestModel

from nlactions.catalog import Choice, NeedSpec
from nlactions.resolver.base import ExtractionRequest, ParamHint, ResolutionRequest, ResolvedValue
from nlactions.resolver.engine import LayeredResolver
from nlactions.resolver.extract import OfflineExtractor
from nlactions.resolver.llm import LLMExtractor, build_llm_model

models.ALLOW_MODEL_REQUESTS = False

NOW = dt.datetime(2025, 3, 14, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=1)))
CHANNELS = (Choice("C01", "general"), Choice("C02", "random"), Choice("C03", "marketing"))


def need(key: str, type_: str = "str", **kwargs: Any) -> NeedSpec:
    """A NeedSpec with sensible defaults for tests."""
    kwargs.setdefault("label", key.replace("_", " ").title())
    kwargs.setdefault("required", False)
    return NeedSpec(key=key, type=type_, **kwargs)  # type: ignore[arg-type]


def request(
    instructions: str,
    needs: Sequence[NeedSpec],
    *,
    candidates: dict[str, Sequence[Choice]] | None = None,
    known: dict[str, Any] | None = None,
) -> ExtractionRequest:
    """An ExtractionRequest for a Slack-like action."""
    return ExtractionRequest(
        instructions=instructions,
        needs=needs,
        candidates=candidates or {},
        known=known or {},
        now=NOW,
        action_label="Send Channel Message",
        action_description="Post a message to a channel.",
    )


@dataclass
class Scripted:
    """A FunctionModel body that answers from a script and records what the model was shown."""

    answers: list[dict[str, Any] | Exception]
    infos: list[AgentInfo] = field(default_factory=list)
    messages: list[list[ModelMessage]] = field(default_factory=list)

    def __call__(self, messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        """Answer the next scripted output through the output tool (or raise it)."""
        self.infos.append(info)
        self.messages.append(list(messages))
        answer = self.answers[len(self.infos) - 1]
        if isinstance(answer, Exception):
            raise answer
        return ModelResponse(parts=[ToolCallPart(info.output_tools[0].name, answer)])

    @property
    def schema(self) -> dict[str, Any]:
        """The JSON schema of the output tool in the first call."""
        return self.infos[0].output_tools[0].parameters_json_schema

    @property
    def prompt(self) -> str:
        """The user prompt of the first call."""
        first = self.messages[0][0]
        assert isinstance(first, ModelRequest)
        return "\n".join(str(p.content) for p in first.parts if isinstance(p, UserPromptPart))


def extractor(script: Callable[[list[ModelMessage], AgentInfo], ModelResponse], **kwargs: Any) -> LLMExtractor:
    """An LLMExtractor on a FunctionModel."""
    return LLMExtractor(FunctionModel(script, model_name="scripted"), **kwargs)


def enum_of(schema: dict[str, Any], prop: str) -> list[str]:
    """The enum a nullable property is constrained to."""
    options = schema["properties"][prop]["anyOf"]
    return next(o for o in options if "enum" in o)["enum"]


async def test_schema_has_one_optional_field_per_open_need() -> None:
    script = Scripted([{}])
    needs = [
        need("text", required=True),
        need("count", "int"),
        need("when", "datetime"),
        need("tags", list=True),
    ]
    await extractor(script).extract(request("say hi", needs))
    schema = script.schema
    assert set(schema["properties"]) == {"text", "count", "when", "tags"}
    assert not schema.get("required")
    for prop in schema["properties"].values():
        assert {"type": "null"} in prop["anyOf"]
    types = {key: [o.get("type") for o in p["anyOf"]] for key, p in schema["properties"].items()}
    assert types["count"] == ["integer", "null"]
    assert types["tags"] == ["array", "null"]
    assert schema["properties"]["when"]["anyOf"][0]["format"] == "date-time"


async def test_choice_field_is_constrained_to_candidate_ids_and_labels_are_in_the_prompt() -> None:
    script = Scripted([{}])
    needs = [need("channel", label="Channel", choices=CHANNELS)]
    await extractor(script).extract(request("post to #random", needs, candidates={"channel": CHANNELS}))
    assert enum_of(script.schema, "channel") == ["C01", "C02", "C03"]
    assert 'id "C02": random' in script.prompt


async def test_choose_from_candidates_narrow_the_enum() -> None:
    script = Scripted([{}])
    needs = [need("channel", choices=CHANNELS)]
    await extractor(script).extract(request("post it", needs, candidates={"channel": CHANNELS[:2]}))
    assert enum_of(script.schema, "channel") == ["C01", "C02"]


async def test_many_candidates_are_narrowed_to_top_k_by_similarity() -> None:
    projects = [Choice(f"P{i:03}", f"Project {i:03}") for i in range(150)]
    projects.insert(77, Choice("PX", "Quarterly Marketing Launch"))
    script = Scripted([{}])
    needs = [need("project", choices=tuple(projects))]
    instructions = "create a task in the Quarterly Marketing Launch project"
    await extractor(script, max_choices=20).extract(request(instructions, needs, candidates={"project": projects}))
    ids = enum_of(script.schema, "project")
    assert len(ids) == 20
    assert "PX" in ids
    assert "Quarterly Marketing Launch" in script.prompt
    assert "closest" in script.prompt


async def test_known_values_are_in_the_prompt_and_not_asked_for() -> None:
    script = Scripted([{}])
    needs = [need("channel", choices=CHANNELS), need("text"), need("thread")]
    req = request("reply hello", needs, candidates={"channel": CHANNELS}, known={"channel": "C03", "team": "T9"})
    await extractor(script).extract(req)
    assert set(script.schema["properties"]) == {"text", "thread"}
    assert "- channel: C03" in script.prompt
    assert "- team: T9" in script.prompt
    assert "reply hello" in script.prompt
    assert script.infos[0].instructions is not None
    assert "Never invent" in script.infos[0].instructions
    assert NOW.isoformat() in script.infos[0].instructions


async def test_the_model_is_told_the_unseen_failure_kinds() -> None:
    script = Scripted([{}])
    await extractor(script).extract(request("post hello", [need("text"), need("urgent", "bool")]))
    rules = script.infos[0].instructions or ""
    assert "no true for a flag they never name" in rules
    assert "no current\n  date when they name no date" in rules
    assert 'a year ("in 2019") is not an amount' in rules


async def test_values_become_resolved_values_and_nulls_are_left_out() -> None:
    script = Scripted(
        [{"channel": "C03", "text": "Launch is at noon", "count": None, "when": "2025-03-15T15:00:00+01:00"}]
    )
    needs = [need("channel", choices=CHANNELS), need("text"), need("count", "int"), need("when", "datetime")]
    found = await extractor(script).extract(request("x", needs, candidates={"channel": CHANNELS}))
    assert set(found.values) == {"channel", "text", "when"}
    channel = found.values["channel"]
    assert (channel.value, channel.source, channel.confidence) == ("C03", "llm", 0.9)
    assert channel.detail == "marketing"
    assert found.values["text"].value == "Launch is at noon"
    assert found.values["when"].value == dt.datetime(2025, 3, 15, 15, 0, tzinfo=NOW.tzinfo)


async def test_blank_strings_and_empty_lists_are_abstentions() -> None:
    script = Scripted([{"text": "  ", "tags": []}])
    found = await extractor(script).extract(request("x", [need("text"), need("tags", list=True)]))
    assert found.values == {}


async def test_list_choice_need_takes_several_ids() -> None:
    script = Scripted([{"channels": ["C01", "C03"]}])
    needs = [need("channels", choices=CHANNELS, list=True)]
    found = await extractor(script).extract(request("x", needs, candidates={"channels": CHANNELS}))
    assert found.values["channels"].value == ["C01", "C03"]
    assert script.schema["properties"]["channels"]["anyOf"][0]["items"]["enum"] == ["C01", "C02", "C03"]


async def test_an_id_not_among_candidates_is_retried_once_then_accepted() -> None:
    script = Scripted([{"channel": "general"}, {"channel": "C01"}])
    needs = [need("channel", choices=CHANNELS)]
    found = await extractor(script).extract(request("to general", needs, candidates={"channel": CHANNELS}))
    assert len(script.infos) == 2
    retry = script.messages[1][-1]
    assert isinstance(retry, ModelRequest)
    assert any(isinstance(p, ToolReturnPart | RetryPromptPart) for p in retry.parts)
    assert found.values["channel"].value == "C01"
    assert found.usage.requests == 2


async def test_invalid_output_twice_gives_an_empty_extraction() -> None:
    script = Scripted([{"channel": "general"}, {"channel": "still wrong"}])
    needs = [need("channel", choices=CHANNELS)]
    found = await extractor(script).extract(request("to general", needs, candidates={"channel": CHANNELS}))
    assert len(script.infos) == 2
    assert found.values == {}
    assert found.usage.requests == 2


async def test_a_failing_model_gives_an_empty_extraction_and_a_warning_without_secrets(
    caplog: pytest.LogCaptureFixture,
) -> None:
    secret = "sk-live-very-secret"
    error = ModelHTTPError(status_code=503, model_name="scripted", body={"error": f"bad key {secret}"})
    script = Scripted([error])
    with caplog.at_level(logging.WARNING, logger="nlactions.resolver.llm"):
        found = await extractor(script).extract(request(f"use {secret}", [need("text")]))
    assert found.values == {}
    assert found.usage.model == "scripted"
    assert found.usage.seconds >= 0
    assert "HTTP 503" in caplog.text
    assert secret not in caplog.text


async def test_a_model_raising_any_error_does_not_crash() -> None:
    found = await extractor(Scripted([ConnectionError("boom")])).extract(request("x", [need("text")]))
    assert found.values == {}


async def test_usage_is_recorded() -> None:
    script = Scripted([{"text": "hi"}])
    found = await extractor(script).extract(request("say hi", [need("text")]))
    usage = found.usage
    assert usage.model == "scripted"
    assert usage.requests == 1
    assert usage.input_tokens > 0
    assert usage.output_tokens > 0
    assert usage.seconds > 0


async def test_nothing_to_ask_makes_no_call() -> None:
    script = Scripted([])
    needs = [need("channel", choices=CHANNELS)]
    found = await extractor(script).extract(request("x", needs, candidates={"channel": ()}))
    assert script.infos == []
    assert found.values == {}
    assert found.usage.requests == 0


async def test_keys_that_are_not_identifiers_map_back_to_their_need() -> None:
    script = Scripted([{"Due_Date": "2025-03-20", "model_config": "x", "json": "y"}])
    needs = [need("Due Date", "date"), need("model_config"), need("json")]
    found = await extractor(script).extract(request("x", needs))
    assert set(script.schema["properties"]) == {"Due_Date", "model_config", "json"}
    assert found.values["Due Date"].value == dt.date(2025, 3, 20)
    assert found.values["model_config"].value == "x"
    assert found.values["json"].value == "y"


async def test_native_output_mode_sends_the_schema_as_the_response_format() -> None:
    seen: list[AgentInfo] = []

    def answer(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        seen.append(info)
        return ModelResponse(parts=[TextPart(json.dumps({"channel": "C02"}))])

    needs = [need("channel", choices=CHANNELS)]
    found = await extractor(answer, output_mode="native").extract(request("x", needs, candidates={"channel": CHANNELS}))
    output_object = seen[0].model_request_parameters.output_object
    assert output_object is not None
    assert enum_of(output_object.json_schema, "channel") == ["C01", "C02", "C03"]
    assert found.values["channel"].value == "C02"


async def test_test_model_output_abstains_by_default_and_custom_args_are_validated() -> None:
    needs = [need("channel", choices=CHANNELS), need("count", "int"), need("on", "bool")]
    req = request("x", needs, candidates={"channel": CHANNELS})
    assert (await LLMExtractor(TestModel()).extract(req)).values == {}
    model = TestModel(custom_output_args={"channel": "C02", "count": "3", "on": None})
    found = await LLMExtractor(model).extract(req)
    assert {k: v.value for k, v in found.values.items()} == {"channel": "C02", "count": 3}
    assert model.last_model_request_parameters is not None
    tool = model.last_model_request_parameters.output_tools[0]
    assert tool.name == "fill_fields"


def test_build_llm_model_for_an_openai_compatible_server() -> None:
    from pydantic_ai.models.openai import OpenAIChatModel

    model = build_llm_model("openai:llama3.2:3b", "http://127.0.0.1:11434/v1", None)
    assert isinstance(model, OpenAIChatModel)
    assert model.model_name == "llama3.2:3b"
    assert model.base_url.startswith("http://127.0.0.1:11434/v1")
    assert model.client.api_key == "none"


def test_build_llm_model_from_a_model_string_with_a_key() -> None:
    model = build_llm_model("openai-chat:gpt-4o-mini", None, "sk-test")
    assert model.model_name == "gpt-4o-mini"
    assert build_llm_model("test", None, None).model_name == "test"


def test_extractor_takes_a_model_string() -> None:
    extractor = LLMExtractor("openai-chat:gpt-4o-mini", api_key="sk-test")
    assert extractor.model_name == "gpt-4o-mini"
    assert extractor.name == "llm"


# -- the LLM in the cascade: it reviews the offline values ---------------------------------------


class Choices:
    """A ChoiceSource over each need's static choices."""

    async def choices(self, need: NeedSpec, resolved: Mapping[str, Any]) -> Sequence[Choice]:
        """The need's static choices."""
        return need.choices or ()


def cascade(script: Callable[[list[ModelMessage], AgentInfo], ModelResponse]) -> LayeredResolver:
    """Offline extraction, then the LLM on a FunctionModel: the production order."""
    return LayeredResolver([OfflineExtractor(), extractor(script)])


def resolve_request(instructions: str, needs: Sequence[NeedSpec], **params: ParamHint) -> ResolutionRequest:
    """A ResolutionRequest with static choices."""
    return ResolutionRequest(instructions=instructions, needs=needs, params=params, choices=Choices(), now=NOW)


SEND_NEEDS = [
    need("email", label="Recipient email", required=True),
    need("channel", label="Channel", choices=CHANNELS),
]
SEND_TEXT = "Email bob@example.com and post it in #random."


async def test_offline_value_is_a_hint_the_model_can_change() -> None:
    script = Scripted([{"email": "rob@example.com", "channel": None}])
    resolution = await cascade(script).resolve(resolve_request(SEND_TEXT, SEND_NEEDS))
    assert 'first reading: "bob@example.com" (rule-based reader' in script.prompt
    assert 'first reading: "C02"' in script.prompt
    assert set(script.schema["properties"]) == {"email", "channel"}  # offline-filled needs are asked too
    email = resolution.values["email"]
    assert (email.value, email.source) == ("rob@example.com", "llm")
    channel = resolution.values["channel"]  # null keeps the offline reading
    assert (channel.value, channel.source) == ("C02", "instructions")
    assert resolution.sources == {"email": "llm", "channel": "instructions"}
    assert resolution.notes == []


async def test_a_value_the_model_confirms_stays_as_the_offline_reader_found_it() -> None:
    script = Scripted([{"email": "bob@example.com", "channel": "C02"}])
    offline = await LayeredResolver([OfflineExtractor()]).resolve(resolve_request(SEND_TEXT, SEND_NEEDS))
    resolution = await cascade(script).resolve(resolve_request(SEND_TEXT, SEND_NEEDS))
    assert resolution.values == offline.values
    assert resolution.sources == {"email": "instructions", "channel": "instructions"}


async def test_the_model_may_change_a_choice_only_to_a_candidate_id() -> None:
    script = Scripted([{"channel": "C03"}])
    needs = [need("channel", label="Channel", choices=CHANNELS)]
    resolution = await cascade(script).resolve(resolve_request("post in #random", needs))
    assert enum_of(script.schema, "channel") == ["C01", "C02", "C03"]
    assert (resolution.values["channel"].value, resolution.values["channel"].source) == ("C03", "llm")


async def test_a_hinted_choice_stays_in_a_narrowed_enum() -> None:
    projects = tuple(Choice(f"P{i:03}", f"Project {i:03}") for i in range(150))
    hinted = projects[42]
    request_ = request(
        "put it somewhere",
        [need("project", choices=projects)],
        candidates={"project": projects},
    )
    request_ = dataclasses.replace(request_, hints={"project": ResolvedValue(hinted.key, 0.9, "instructions")})
    script = Scripted([{}])
    await extractor(script, max_choices=10).extract(request_)
    ids = enum_of(script.schema, "project")
    assert len(ids) == 10 and hinted.key in ids


async def test_locked_choose_from_guess_and_secret_needs_never_reach_the_model() -> None:
    script = Scripted([{"text": "Hello team"}])
    needs = [
        need("channel", label="Channel", choices=CHANNELS),
        need("thread", label="Thread", choices=CHANNELS),
        need("team", label="Team", choices=CHANNELS),
        need("token", label="Bot token", secret=True),
        need("text", label="Message text", required=True),
    ]
    params = {
        "channel": ParamHint("locked", "C01"),
        "thread": ParamHint("choose_from", ["C03"]),
        "team": ParamHint("guess", "random"),
        "token": ParamHint("locked", "xoxb-very-secret"),
    }
    resolution = await cascade(script).resolve(resolve_request("say hello team", needs, **params))
    assert set(script.schema["properties"]) == {"text"}
    assert "xoxb-very-secret" not in script.prompt
    assert "token" not in script.prompt and "Bot token" not in script.prompt
    assert resolution.sources == {
        "channel": "locked",
        "thread": "choose_from",
        "team": "hint",
        "token": "locked",
        "text": "llm",
    }
    assert resolution.params["team"] == "C02"  # the guess went through the matcher, not the model


async def test_a_secret_need_the_offline_reader_filled_is_not_shown_to_the_model() -> None:
    script = Scripted([{}])
    needs = [need("password", label="Password", secret=True), need("user", label="User name")]
    resolution = await cascade(script).resolve(resolve_request('log in with password "hunter2-secret"', needs))
    assert "Password" not in script.prompt and "hunter2-secret" not in json.dumps(script.schema)
    assert set(script.schema["properties"]) == {"user"}
    assert resolution.params.get("password") == "hunter2-secret"  # the offline value is kept as it was


async def test_a_failing_model_keeps_the_offline_values_and_says_so() -> None:
    error = ModelHTTPError(status_code=503, model_name="scripted", body={"error": "overloaded"})
    needs = [*SEND_NEEDS, need("subject", label="Subject", required=True)]
    resolution = await cascade(Scripted([error])).resolve(resolve_request(SEND_TEXT, needs))
    assert resolution.params == {"email": "bob@example.com", "channel": "C02"}
    assert resolution.sources == {"email": "instructions", "channel": "instructions"}
    assert resolution.notes == [
        "llm: the model call failed with ModelHTTPError (HTTP 503); the offline values were kept"
    ]
    assert set(resolution.unresolved) == {"subject"}  # a required need nobody filled: halted, as before


async def test_invalid_output_after_one_retry_keeps_the_offline_values() -> None:
    script = Scripted([{"channel": "general"}, {"channel": "still wrong"}])
    resolution = await cascade(script).resolve(resolve_request(SEND_TEXT, SEND_NEEDS))
    assert len(script.infos) == 2
    assert resolution.params == {"email": "bob@example.com", "channel": "C02"}
    assert resolution.notes and "did not fit the fields after a retry" in resolution.notes[0]


async def test_a_model_that_times_out_keeps_the_offline_values() -> None:
    async def slow(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        await asyncio.sleep(5)
        return ModelResponse(parts=[ToolCallPart(info.output_tools[0].name, {"email": "x@example.com"})])

    resolver = LayeredResolver([OfflineExtractor(), extractor(slow, timeout=0.05)])
    resolution = await resolver.resolve(resolve_request(SEND_TEXT, SEND_NEEDS))
    assert resolution.params == {"email": "bob@example.com", "channel": "C02"}
    assert resolution.notes == ["llm: the model did not answer within 0.05 s; the offline values were kept"]
