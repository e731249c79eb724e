"""The layered resolver: modes, extractor cascade, thresholds, and what extractors are shown."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from nlactions.catalog import Choice, Needs, NeedSpec, need, needs_of
from nlactions.resolver.base import (
    Extraction,
    ExtractionRequest,
    ParamHint,
    ResolutionRequest,
    ResolvedValue,
)
from nlactions.resolver.engine import LayeredResolver

NOW = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)


class Input(Needs):
    token: str = need(label="Token", secret=True)
    project: str = need(label="Project", choices=[("P1", "Apollo"), ("P2", "Gemini")])
    task: str = need(label="Task", depends_on=["project"])
    size: int = need(3, label="Size")


class Static:
    async def choices(self, need: NeedSpec, resolved: Mapping[str, Any]) -> Sequence[Choice]:
        return need.choices or ()


class Spy:
    """An extractor that records what it is asked and answers from a table."""

    def __init__(self, name: str, answers: dict[str, ResolvedValue]):
        self.name = name
        self.answers = answers
        self.requests: list[ExtractionRequest] = []

    async def extract(self, request: ExtractionRequest) -> Extraction:
        self.requests.append(request)
        keys = {n.key for n in request.needs}
        return Extraction({k: v for k, v in self.answers.items() if k in keys})


def request(**params: ParamHint) -> ResolutionRequest:
    return ResolutionRequest("do the thing", needs_of(Input), params, Static(), NOW)


async def test_layers_run_in_dependency_order_and_secrets_are_not_shown() -> None:
    first = Spy("first", {"project": ResolvedValue("P2", 0.95, "instructions")})
    second = Spy("second", {"task": ResolvedValue("write docs", 0.9, "llm")})
    resolution = await LayeredResolver([first, second]).resolve(request(token=ParamHint("locked", "s3cret")))
    assert resolution.params == {"token": "s3cret", "project": "P2", "task": "write docs", "size": 3}
    assert [[n.key for n in r.needs] for r in first.requests] == [["project", "size"], ["task"]]
    assert all("token" not in r.known for r in first.requests + second.requests)
    assert first.requests[1].known == {"project": "P2", "size": 3}
    assert resolution.values["size"].source == "default"


async def test_low_confidence_and_out_of_list_values_are_refused() -> None:
    spy = Spy(
        "x",
        {"project": ResolvedValue("P9", 0.99, "instructions"), "task": ResolvedValue("maybe", 0.5, "instructions")},
    )
    resolution = await LayeredResolver([spy]).resolve(request(token=ParamHint("locked", "t")))
    assert "project" in resolution.unresolved and "task" in resolution.unresolved
    assert [c.key for c in resolution.unresolved["project"].closest] == ["P1", "P2"]


async def test_later_extractor_only_gets_what_is_left() -> None:
    first = Spy("first", {"project": ResolvedValue("P1", 0.9, "instructions")})
    second = Spy("second", {"project": ResolvedValue("P2", 0.9, "llm")})
    resolution = await LayeredResolver([first, second]).resolve(
        request(token=ParamHint("locked", "t"), task=ParamHint("locked", "x"))
    )
    assert resolution.params["project"] == "P1"
    assert [[n.key for n in r.needs] for r in second.requests] == [["size"]]
