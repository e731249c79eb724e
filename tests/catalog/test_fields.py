"""needs_of / gives_of derive what the API and the resolver show from one pydantic model."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

import pytest

import nlactions.catalog
from nlactions.catalog import (
    Choice,
    ChoiceContext,
    ChoicePage,
    Gives,
    Needs,
    NeedSpec,
    give,
    gives_of,
    need,
    needs_of,
)


async def load_projects(ctx: ChoiceContext) -> ChoicePage:
    return ChoicePage([Choice("P1", "Apollo")])


async def load_tasks(ctx: ChoiceContext) -> ChoicePage:
    return ChoicePage([Choice("T1", "Launch")])


class Everything(Needs):
    title: str = need(label="Title", help_text="Shown in bold.", placeholder="Weekly report")
    count: int | None = need(None, label="Count")
    ratio: float = need(0.5, label="Ratio")
    urgent: bool = need(False, label="Urgent")
    tags: list[str] = need(label="Tags", examples=["red", "blue"])
    priority: Literal["low", "high"] = need("low", label="Priority")
    color: str = need(label="Color", choices=["red", ("grn", "Green"), Choice("blu", "Blue", "#00f")])
    project: str = need(label="Project", choices=load_projects)
    task: str | None = need(None, label="Task", depends_on=["project"], choices=load_tasks)
    password: str = need(label="Password", secret=True)
    due_date: dt.date | None = None


NEEDS = {spec.key: spec for spec in needs_of(Everything)}


def test_needs_keep_declaration_order() -> None:
    assert [s.key for s in needs_of(Everything)] == [
        "title",
        "count",
        "ratio",
        "urgent",
        "tags",
        "priority",
        "color",
        "project",
        "task",
        "password",
        "due_date",
    ]


@pytest.mark.parametrize(
    ("key", "label", "type_", "required", "default", "has_default", "is_list"),
    [
        ("title", "Title", "str", True, None, False, False),
        ("count", "Count", "int", False, None, False, False),
        ("ratio", "Ratio", "float", False, 0.5, True, False),
        ("urgent", "Urgent", "bool", False, False, True, False),
        ("tags", "Tags", "str", True, None, False, True),
        ("priority", "Priority", "str", False, "low", True, False),
        ("color", "Color", "str", True, None, False, False),
        ("task", "Task", "str", False, None, False, False),
        ("due_date", "Due Date", "date", False, None, False, False),
    ],
)
def test_need_shape(
    key: str, label: str, type_: str, required: bool, default: Any, has_default: bool, is_list: bool
) -> None:
    spec = NEEDS[key]
    assert (spec.label, spec.type, spec.required, spec.default, spec.has_default, spec.list) == (
        label,
        type_,
        required,
        default,
        has_default,
        is_list,
    )


def test_need_text_fields() -> None:
    assert NEEDS["title"].help_text == "Shown in bold."
    assert NEEDS["title"].placeholder == "Weekly report"
    assert NEEDS["tags"].examples == ("red", "blue")
    assert NEEDS["password"].secret and not NEEDS["title"].secret


def test_static_choices_accept_strings_pairs_and_choices() -> None:
    assert NEEDS["color"].choices == (
        Choice("red", "red"),
        Choice("grn", "Green"),
        Choice("blu", "Blue", "#00f"),
    )
    assert NEEDS["color"].loader is None
    assert NEEDS["color"].has_choices


def test_literal_becomes_choices() -> None:
    assert NEEDS["priority"].choices == (Choice("low", "low"), Choice("high", "high"))


def test_loader_and_depends_on() -> None:
    task = NEEDS["task"]
    assert task.loader is load_tasks and task.choices is None and task.has_choices
    assert task.depends_on == ("project",)
    assert NEEDS["project"].loader is load_projects
    assert not NEEDS["title"].has_choices


def test_json_schema_carries_labels_and_required() -> None:
    schema = Everything.model_json_schema()
    assert schema["properties"]["title"]["title"] == "Title"
    assert schema["properties"]["title"]["description"] == "Shown in bold."
    assert set(schema["required"]) == {"title", "tags", "color", "project", "password"}
    assert schema["additionalProperties"] is False


class Output(Gives):
    id: str = give(label="Message ID")
    text: str = give(label="Message Text", important=True)
    recipients: list[str] | None = give(label="Recipients")
    signature: str | None = give(label="Signature", secret=True)
    score: float | None = None


def test_gives() -> None:
    gives = {g.key: g for g in gives_of(Output)}
    assert list(gives) == ["id", "text", "recipients", "signature", "score"]
    assert (gives["id"].label, gives["id"].type, gives["id"].important) == ("Message ID", "str", False)
    assert gives["text"].important
    assert gives["recipients"].type == "str"
    assert gives["signature"].secret
    assert (gives["score"].label, gives["score"].type) == ("Score", "float")
    assert gives_of(None) == []


def test_needs_reject_unknown_fields_and_gives_keep_extra_ones() -> None:
    with pytest.raises(ValueError, match="extra"):
        Everything.model_validate({"title": "x", "tags": [], "color": "red", "project": "P1", "password": "p", "x": 1})
    assert Output.model_validate({"id": "1", "text": "hi", "thread": "T9"}).model_dump()["thread"] == "T9"


def test_needspec_is_comparable_without_the_loader() -> None:
    first = NeedSpec(key="a", label="A", type="str", required=True, loader=load_projects)
    second = NeedSpec(key="a", label="A", type="str", required=True, loader=load_tasks)
    assert first == second


def test_public_surface_is_pinned() -> None:
    expected = [
        "Action",
        "ActionContext",
        "ActionType",
        "ApiKeyAuth",
        "App",
        "AppError",
        "AuthExpired",
        "AuthField",
        "AuthKind",
        "AuthTestFailed",
        "BasicAuth",
        "Choice",
        "ChoiceContext",
        "ChoiceLoader",
        "ChoicePage",
        "CustomNeedsLoader",
        "FieldsAuth",
        "GiveSpec",
        "Gives",
        "InvalidInput",
        "NeedSpec",
        "NeedType",
        "Needs",
        "NoAuth",
        "OAuth2Auth",
        "Perform",
        "Registry",
        "ServiceContext",
        "SideToken",
        "TokenFields",
        "UpstreamError",
        "base_url_field",
        "bearer_auth",
        "closest_choices",
        "cursor_params",
        "error_message",
        "give",
        "gives_of",
        "is_rate_limited",
        "link_cursor",
        "load_registry",
        "named_choices",
        "need",
        "needs_of",
        "rate_limit_error",
        "read_base_url",
        "retry_after_seconds",
        "retry_delay",
        "standard_token_fields",
        "status_error",
    ]
    assert nlactions.catalog.__all__ == expected
    assert expected == sorted(expected)
    assert all(hasattr(nlactions.catalog, name) for name in expected)
