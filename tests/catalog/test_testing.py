"""The conformance suite passes a sound app and names each real mistake in a broken one."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import AsyncIterator
from typing import Any, Literal

import httpx
import pytest
from pydantic import ConfigDict

from nlactions.catalog import (
    Action,
    ActionContext,
    App,
    Choice,
    ChoiceContext,
    ChoicePage,
    Gives,
    Needs,
    NeedSpec,
    give,
    need,
)
from nlactions.catalog.testing import CHECKS, check_app, conformance_suite, load_all_choices, problems


async def load_workspaces(ctx: ChoiceContext) -> ChoicePage:
    return ChoicePage([Choice("W1", "Marketing"), Choice("W2", "Sales")])


class SendInput(Needs):
    workspace: str = need(label="Workspace", choices=load_workspaces)
    channel: str = need(label="Channel", depends_on=["workspace"], choices=[("C1", "general"), ("C2", "random")])
    text: str = need(label="Message Text")
    priority: Literal["low", "high"] = need("low", label="Priority", choices=[("low", "Low"), ("high", "High")])


class SendOutput(Gives):
    id: str = give(label="Message ID")
    text: str = give(label="Message Text", important=True)


async def send(ctx: ActionContext, params: SendInput) -> dict[str, str]:
    return {"id": "M1", "text": params.text}


SEND = Action(
    key="send_message",
    type="write",
    noun="Message",
    name="Send Message",
    description="Post a message to a channel.",
    input=SendInput,
    output=SendOutput,
    perform=send,
    sample={"id": "M1", "text": "hello"},
)


def app_with(*actions: Action, **changes: Any) -> App:
    """A small app around ``actions``; ``changes`` override its fields."""
    fields: dict[str, Any] = {
        "key": "DemoAPI",
        "name": "Demo",
        "description": "A demo app.",
        "actions": actions,
    }
    return App(**(fields | changes))


def action_with(**changes: Any) -> Action:
    """``SEND`` with some fields changed."""
    return dataclasses.replace(SEND, **changes)


def assert_fails(app: App, fragment: str) -> None:
    """``check_app`` raises, and its message contains ``fragment``."""
    with pytest.raises(AssertionError) as raised:
        check_app(app)
    assert fragment in str(raised.value), str(raised.value)


# Broken inputs, each with one mistake.


class MissingDependency(Needs):
    channel: str = need(label="Channel", depends_on=["workspace"])


class Cycle(Needs):
    a: str = need(label="A", depends_on=["b"])
    b: str = need(label="B", depends_on=["a"])


class SelfDependency(Needs):
    a: str = need(label="A", depends_on=["a"])


class DuplicateChoices(Needs):
    color: str = need(label="Color", choices=[("red", "Red"), ("red", "Crimson")])


class EmptyChoiceKey(Needs):
    color: str = need(label="Color", choices=[("", "None"), ("red", "Red")])


class ChoicesTheTypeRejects(Needs):
    size: Literal["s", "m"] = need(label="Size", choices=[("s", "Small"), ("m", "Medium"), ("l", "Large")])


def sync_loader(ctx: ChoiceContext) -> ChoicePage:
    return ChoicePage([])


class SyncLoader(Needs):
    project: str = need(label="Project", choices=sync_loader)  # type: ignore[arg-type]


class NoLabel(Needs):
    text: str = need(label=" ")


class Opaque:
    """A type pydantic cannot describe in JSON Schema."""


class NoSchema(Needs):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    thing: Opaque | None = need(None, label="Thing")


class SecretOutput(Gives):
    id: str = give(label="ID")
    key: str = give(label="Key", secret=True)


class TokenOutput(Gives):
    id: str = give(label="ID")
    accessToken: str = give(label="Access")  # a vendor's spelling


def sync_perform(ctx: ActionContext, params: SendInput) -> dict[str, str]:
    return {}


class AltersCustomFields(Needs):
    table: str = need(label="Table", alters_custom_fields=True)


def sync_columns(ctx: ChoiceContext) -> list[NeedSpec]:
    return []


BROKEN: list[tuple[str, App, str]] = [
    (
        "duplicate action keys",
        app_with(SEND, action_with(name="Send Again")),
        "duplicate action key 'send_message'",
    ),
    ("app key with spaces", app_with(SEND, key="Demo API"), "app key 'Demo API' is not identifier-like"),
    ("empty app key", app_with(SEND, key=""), "app key '' is not identifier-like"),
    ("no app description", app_with(SEND, description=""), "app 'DemoAPI' has no description"),
    ("no actions", app_with(), "app 'DemoAPI' has no actions"),
    ("action key with dash", app_with(action_with(key="send-message")), "action key 'send-message'"),
    ("no action description", app_with(action_with(description="  ")), "'send_message' has no description"),
    ("no action noun", app_with(action_with(noun="")), "'send_message' has no noun"),
    ("no action name", app_with(action_with(name="")), "'send_message' has no name"),
    ("unknown action type", app_with(action_with(type="delete")), "has type 'delete'"),
    ("need without label", app_with(action_with(input=NoLabel, sample=None)), "need 'text' has no label"),
    (
        "depends_on a missing need",
        app_with(action_with(input=MissingDependency)),
        "need 'channel' depends_on 'workspace', which is not a need",
    ),
    ("depends_on cycle", app_with(action_with(input=Cycle)), "depends_on cycle: a -> b -> a"),
    ("depends_on itself", app_with(action_with(input=SelfDependency)), "depends_on cycle: a -> a"),
    ("duplicate choice keys", app_with(action_with(input=DuplicateChoices)), "duplicate choice key 'red'"),
    (
        "empty choice key",
        app_with(action_with(input=EmptyChoiceKey)),
        "need 'color' has a choice with an empty key",
    ),
    (
        "choices the type rejects",
        app_with(action_with(input=ChoicesTheTypeRejects)),
        "need 'size' offers choices its type rejects: ['l']",
    ),
    ("sync choice loader", app_with(action_with(input=SyncLoader)), "loader that is not an async callable"),
    ("input without JSON schema", app_with(action_with(input=NoSchema)), "input cannot build a JSON schema"),
    (
        "secret give",
        app_with(action_with(output=SecretOutput, sample=None)),
        "gives secret field 'key'",
    ),
    (
        "give named like a token",
        app_with(action_with(output=TokenOutput, sample=None)),
        "gives 'accessToken', named like a secret",
    ),
    (
        "sample not matching the output",
        app_with(action_with(sample={"id": ["not", "a", "string"]})),
        "sample does not validate against its output model",
    ),
    ("sync perform", app_with(action_with(perform=sync_perform)), "perform is not an async function"),
    (
        "alters_custom_fields without a loader",
        app_with(action_with(input=AltersCustomFields, sample=None)),
        "flags ['table'] alters_custom_fields but has no custom_needs loader",
    ),
    (
        "sync custom needs loader",
        app_with(action_with(input=AltersCustomFields, custom_needs=sync_columns, sample=None)),
        "custom_needs loader that is not an async callable",
    ),
    ("input model not Needs", app_with(action_with(input=SendOutput)), "input is not a subclass of Needs"),
]


@pytest.mark.parametrize(
    ("app", "fragment"), [(app, fragment) for _, app, fragment in BROKEN], ids=[b[0] for b in BROKEN]
)
def test_check_app_names_the_mistake(app: App, fragment: str) -> None:
    assert_fails(app, fragment)


def test_a_sound_app_passes() -> None:
    assert problems(app_with(SEND)) == []
    check_app(app_with(SEND))


def test_every_problem_is_listed_at_once() -> None:
    app = app_with(action_with(noun="", description="", perform=sync_perform), key="bad key")
    with pytest.raises(AssertionError) as raised:
        check_app(app)
    message = str(raised.value)
    assert message.startswith("app 'bad key' fails conformance:")
    for fragment in ("not identifier-like", "has no noun", "has no description", "perform is not an async"):
        assert fragment in message


class Caller:
    """A callable object whose ``__call__`` is async, as some loaders are written."""

    async def __call__(self, ctx: ChoiceContext) -> ChoicePage:
        return ChoicePage([])


async def tagged_loader(tag: str, ctx: ChoiceContext) -> ChoicePage:
    return ChoicePage([Choice(tag, tag)])


class OtherLoaders(Needs):
    a: str = need(label="A", choices=Caller())
    b: str = need(label="B", choices=functools.partial(tagged_loader, "b"))


def test_async_callable_objects_and_partials_are_loaders() -> None:
    check_app(app_with(action_with(input=OtherLoaders)))


def test_perform_may_be_an_async_partial() -> None:
    async def perform(suffix: str, ctx: ActionContext, params: SendInput) -> dict[str, str]:
        return {"id": "M1", "text": params.text + suffix}

    check_app(app_with(action_with(perform=functools.partial(perform, "!"))))


@pytest.mark.parametrize(
    ("name", "flagged"),
    [
        ("password", True),
        ("access_token", True),
        ("refreshToken", True),
        ("client_secret", True),
        ("api_key", True),
        ("APIKey", True),
        ("token_count", False),
        ("tokens", False),
        ("keyword", False),
        ("key", False),
        ("secretary", False),
    ],
)
def test_gives_named_like_a_secret_are_flagged(name: str, flagged: bool) -> None:
    output = type("Output", (Gives,), {"__annotations__": {name: str}, name: give(label="Value")})
    found = problems(app_with(action_with(output=output, sample=None)))
    assert bool(found) is flagged, found


def test_conformance_suite_is_one_parametrized_test_per_check() -> None:
    test = conformance_suite(app_with(action_with(input=Cycle)))
    marks = [m for m in getattr(test, "pytestmark", []) if m.name == "parametrize"]
    assert marks and list(marks[0].args[1]) == list(CHECKS)
    test("perform")
    with pytest.raises(AssertionError, match="depends_on cycle"):
        test("depends_on")


test_demo_conformance = conformance_suite(app_with(SEND))


def pages(count: int) -> tuple[list[str | None], Any]:
    """A loader serving ``count`` pages of two choices; it records the cursors it was asked for."""
    seen: list[str | None] = []

    async def loader(ctx: ChoiceContext) -> ChoicePage:
        seen.append(ctx.cursor)
        index = int(ctx.cursor or 0)
        nxt = str(index + 1) if index + 1 < count else None
        return ChoicePage([Choice(f"c{index}a", "A"), Choice(f"c{index}b", "B")], next_cursor=nxt)

    return seen, loader


async def stuck_loader(ctx: ChoiceContext) -> ChoicePage:
    """A buggy loader that always says there is a next page at the same cursor."""
    return ChoicePage([Choice("x", "X")], next_cursor="same")


@pytest.fixture
async def choice_ctx() -> AsyncIterator[ChoiceContext]:
    async with httpx.AsyncClient(transport=httpx.MockTransport(lambda r: httpx.Response(500))) as http:
        yield ChoiceContext(http=http, params={"workspace": "W1"})


async def test_load_all_choices_follows_cursors_to_the_end(choice_ctx: ChoiceContext) -> None:
    seen, loader = pages(3)
    choices = await load_all_choices(loader, choice_ctx)
    assert [c.key for c in choices] == ["c0a", "c0b", "c1a", "c1b", "c2a", "c2b"]
    assert seen == [None, "1", "2"]
    assert choice_ctx.cursor is None


async def test_load_all_choices_refuses_a_cursor_that_repeats(choice_ctx: ChoiceContext) -> None:
    with pytest.raises(AssertionError, match="cursor 'same' again"):
        await load_all_choices(stuck_loader, choice_ctx)


async def test_load_all_choices_stops_at_max_pages(choice_ctx: ChoiceContext) -> None:
    _, loader = pages(50)
    with pytest.raises(AssertionError, match="within 10 pages"):
        await load_all_choices(loader, choice_ctx, max_pages=10)
