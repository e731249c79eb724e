"""Formatter by nlactions: conformance, then every transform on real inputs and its error cases."""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from nlactions.apps.formatter import app
from nlactions.catalog import Action, ActionContext, InvalidInput
from nlactions.catalog.registry import BUILTIN_APPS
from nlactions.catalog.testing import conformance_suite

test_conformance = conformance_suite(app)

NOW = dt.datetime(2024, 3, 5, 14, 30, tzinfo=dt.UTC)  # a Tuesday
TEXT = app.actions_by_key["text"]
NUMBER = app.actions_by_key["number"]
DATE = app.actions_by_key["date"]


def _no_network(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"the formatter must not call the network ({request.url})")


@pytest.fixture
async def ctx() -> AsyncIterator[ActionContext]:
    """A context at a fixed ``now`` whose HTTP client refuses every request."""
    async with httpx.AsyncClient(transport=httpx.MockTransport(_no_network)) as http:
        yield ActionContext(http=http, now=NOW)


async def run(action: Action, ctx: ActionContext, params: dict[str, Any]) -> dict[str, Any]:
    """Validate ``params`` as the executor does, then perform the action."""
    result: dict[str, Any] = await action.perform(ctx, action.input.model_validate(params))
    return result


def transform_keys(action: Action) -> set[str]:
    """The transform ids the action offers."""
    return {choice.key for choice in action.needs_by_key["transform"].choices or ()}


def test_registry_target_loads_the_app() -> None:
    assert "nlactions.apps.formatter:app" in BUILTIN_APPS
    assert importlib.import_module("nlactions.apps.formatter").app is app
    assert app.key == "FormatterAPI"
    assert not app.needs_auth
    assert [a.key for a in app.actions] == ["text", "number", "date"]


def test_transform_labels_are_human_readable() -> None:
    labels = {c.key: c.label for a in app.actions for c in a.needs_by_key["transform"].choices or ()}
    assert labels["extract_email"] == "Extract Email Address"
    assert labels["uppercase"] == "Uppercase"
    assert labels["add_time"] == "Add/Subtract Time"
    assert all(" " in label or label[0].isupper() for label in labels.values())


TEXT_CASES: list[tuple[dict[str, Any], dict[str, Any]]] = [
    ({"transform": "uppercase", "input": "Hello world"}, {"output": "HELLO WORLD"}),
    ({"transform": "lowercase", "input": "Hello World"}, {"output": "hello world"}),
    ({"transform": "titlecase", "input": "the lord of the rings"}, {"output": "The Lord of the Rings"}),
    ({"transform": "titlecase", "input": "A TALE OF TWO CITIES"}, {"output": "A Tale of Two Cities"}),
    (
        {"transform": "titlecase", "input": "working at NASA in the end"},
        {"output": "Working at NASA in the End"},
    ),
    ({"transform": "capitalize", "input": "hello wORLD, it's me"}, {"output": "Hello WORLD, It's Me"}),
    ({"transform": "trim", "input": "  padded text \n"}, {"output": "padded text"}),
    ({"transform": "length", "input": "Hello big world"}, {"output": "15", "length": 15, "words": 3}),
    ({"transform": "length", "input": 12345}, {"output": "5", "length": 5, "words": 1}),
    (
        {"transform": "extract_email", "input": "Write to Jane at jane.doe+work@example.co.uk."},
        {"output": "jane.doe+work@example.co.uk"},
    ),
    ({"transform": "extract_email", "input": "no address here"}, {"output": ""}),
    (
        {"transform": "extract_url", "input": "Docs (at https://example.com/a?b=1). More later"},
        {"output": "https://example.com/a?b=1"},
    ),
    (
        {"transform": "extract_url", "input": "see https://en.wikipedia.org/wiki/Python_(language), ok"},
        {"output": "https://en.wikipedia.org/wiki/Python_(language)"},
    ),
    (
        {"transform": "extract_url", "input": "Go to www.example.org/path, then"},
        {"output": "www.example.org/path"},
    ),
    ({"transform": "extract_url", "input": "nothing to click"}, {"output": ""}),
    ({"transform": "extract_number", "input": "Total: $1,234.56 due"}, {"output": "1,234.56"}),
    ({"transform": "extract_number", "input": "balance -42.5 today"}, {"output": "-42.5"}),
    ({"transform": "extract_number", "input": "no digits"}, {"output": ""}),
    (
        {"transform": "extract_phone", "input": "Call +1 (555) 123-4567 today"},
        {"output": "+1 (555) 123-4567"},
    ),
    ({"transform": "extract_phone", "input": "On 2024-03-05 call 555.123.4567"}, {"output": "555.123.4567"}),
    ({"transform": "extract_phone", "input": "order 12345 shipped"}, {"output": ""}),
    ({"transform": "replace", "input": "a-b-c", "find": "-", "replace_with": " + "}, {"output": "a + b + c"}),
    ({"transform": "replace", "input": "a-b-c", "find": "-"}, {"output": "abc"}),
    ({"transform": "truncate", "input": "Hello world", "max_length": 5}, {"output": "Hello"}),
    ({"transform": "truncate", "input": "Hi", "max_length": 5}, {"output": "Hi"}),
    (
        {"transform": "split", "input": "red, green, blue", "separator": ", ", "segment_index": 1},
        {"output": "green", "segments": ["red", "green", "blue"]},
    ),
    (
        {"transform": "split", "input": "red, green, blue", "separator": ", ", "segment_index": -1},
        {"output": "blue"},
    ),
    (
        {"transform": "split", "input": "one two  three"},
        {"output": "one", "segments": ["one", "two", "three"]},
    ),
    (
        {"transform": "split", "input": "a\nb", "separator": "[:newline:]", "segment_index": 1},
        {"output": "b"},
    ),
    ({"transform": "url_encode", "input": "a b&c=d/é"}, {"output": "a%20b%26c%3Dd%2F%C3%A9"}),
    ({"transform": "url_decode", "input": "a%20b+c%26d%C3%A9"}, {"output": "a b c&dé"}),
    (
        {
            "transform": "strip_html",
            "input": "<p>Hello <b>world</b> &amp; friends</p><script>alert(1)</script><ul><li>Bye</li></ul>",
        },
        {"output": "Hello world & friends\nBye"},
    ),
]


@pytest.mark.parametrize(("params", "expected"), TEXT_CASES)
async def test_text(ctx: ActionContext, params: dict[str, Any], expected: dict[str, Any]) -> None:
    result = await run(TEXT, ctx, params)
    assert {key: result.get(key) for key in expected} == expected


TEXT_ERRORS = [
    ({"transform": "replace", "input": "abc"}, "find"),
    ({"transform": "truncate", "input": "abc"}, "max_length"),
    ({"transform": "truncate", "input": "abc", "max_length": -1}, "max_length"),
    ({"transform": "split", "input": "a,b", "separator": ",", "segment_index": 5}, "segment_index"),
]


@pytest.mark.parametrize(("params", "need"), TEXT_ERRORS)
async def test_text_errors_name_the_need(ctx: ActionContext, params: dict[str, Any], need: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        await run(TEXT, ctx, params)
    assert raised.value.need == need
    assert raised.value.message and raised.value.hint


NUMBER_CASES: list[tuple[dict[str, Any], dict[str, Any]]] = [
    (
        {"transform": "format_number", "input": "1234567.891"},
        {"output": "1,234,567.891", "value": 1234567.891},
    ),
    (
        {"transform": "format_number", "input": "1234.5", "decimals": 2},
        {"output": "1,234.50", "value": 1234.5},
    ),
    ({"transform": "format_number", "input": "1.234,5"}, {"output": "1,234.5"}),
    ({"transform": "format_number", "input": 42}, {"output": "42"}),
    ({"transform": "format_currency", "input": "1234.5"}, {"output": "$1,234.50"}),
    ({"transform": "format_currency", "input": "-3", "currency": "EUR"}, {"output": "-€3.00"}),
    (
        {"transform": "format_currency", "input": "1234.5", "currency": "JPY"},
        {"output": "¥1,235", "value": 1235},
    ),
    (
        {"transform": "format_currency", "input": "(12.5)", "currency": "GBP", "decimals": 0},
        {"output": "-£13"},
    ),
    ({"transform": "add", "input": "0.1", "operand": 0.2}, {"output": "0.3", "value": 0.3}),
    ({"transform": "subtract", "input": "1,000", "operand": 0.01}, {"output": "999.99"}),
    ({"transform": "multiply", "input": "$4.99", "operand": 3}, {"output": "14.97"}),
    ({"transform": "divide", "input": "10", "operand": 4}, {"output": "2.5"}),
    ({"transform": "divide", "input": "10", "operand": 3}, {"output": "3.3333333333"}),
    ({"transform": "divide", "input": "10", "operand": 4, "decimals": 2}, {"output": "2.50"}),
    ({"transform": "round", "input": "2.5"}, {"output": "3", "value": 3}),
    ({"transform": "round", "input": "-2.5"}, {"output": "-3"}),
    ({"transform": "round", "input": "3.14159", "decimals": 2}, {"output": "3.14"}),
    ({"transform": "round", "input": "1234", "decimals": -2}, {"output": "1200"}),
]


@pytest.mark.parametrize(("params", "expected"), NUMBER_CASES)
async def test_number(ctx: ActionContext, params: dict[str, Any], expected: dict[str, Any]) -> None:
    result = await run(NUMBER, ctx, params)
    assert {key: result.get(key) for key in expected} == expected


NUMBER_ERRORS = [
    ({"transform": "format_number", "input": "twelve"}, "input"),
    ({"transform": "format_number", "input": ""}, "input"),
    ({"transform": "format_number", "input": "12,345,6"}, "input"),
    ({"transform": "format_number", "input": "1e40", "decimals": 2}, "input"),
    ({"transform": "add", "input": "5"}, "operand"),
    ({"transform": "divide", "input": "5", "operand": 0}, "operand"),
]


@pytest.mark.parametrize(("params", "need"), NUMBER_ERRORS)
async def test_number_errors_name_the_need(ctx: ActionContext, params: dict[str, Any], need: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        await run(NUMBER, ctx, params)
    assert raised.value.need == need
    assert raised.value.message and raised.value.hint


DATE_CASES: list[tuple[dict[str, Any], dict[str, Any]]] = [
    (
        {"transform": "format_date", "input": "2024-03-05", "to_format": "MM/DD/YYYY"},
        {"output": "03/05/2024", "iso": "2024-03-05T00:00:00+00:00"},
    ),
    (
        {"transform": "format_date", "input": "March 5, 2024 3pm", "to_format": "dddd, MMMM D, YYYY"},
        {"output": "Tuesday, March 5, 2024"},
    ),
    ({"transform": "format_date", "input": "tomorrow", "to_format": "YYYY-MM-DD"}, {"output": "2024-03-06"}),
    (
        {"transform": "format_date", "input": "next friday", "to_format": "DD/MM/YYYY"},
        {"output": "08/03/2024"},
    ),
    (
        {"transform": "format_date", "input": "2024-03-05T10:00:00-08:00", "to_format": "MM/DD/YYYY h:mm A"},
        {"output": "03/05/2024 10:00 AM"},
    ),
    (
        {"transform": "format_date", "input": "2024-03-05T10:00:00-08:00"},
        {"output": "2024-03-05T10:00:00-08:00"},
    ),
    (
        {"transform": "format_date", "input": "1709648400", "to_format": "YYYY-MM-DD HH:mm:ss"},
        {"output": "2024-03-05 14:20:00"},
    ),
    ({"transform": "format_date", "input": "2024-03-05 14:20", "to_format": "X"}, {"output": "1709648400"}),
    ({"transform": "format_date", "input": "1709648400000", "to_format": "HH:mm"}, {"output": "14:20"}),
    (
        {"transform": "format_date", "input": "Jan 2 2024", "to_format": "ddd, MMM D, YYYY"},
        {"output": "Tue, Jan 2, 2024"},
    ),
    (
        {"transform": "add_time", "input": "2024-01-31", "expression": "+1 month", "to_format": "YYYY-MM-DD"},
        {"output": "2024-02-29"},
    ),
    (
        {
            "transform": "add_time",
            "input": "2024-03-05 09:00",
            "expression": "-2 hours",
            "to_format": "HH:mm",
        },
        {"output": "07:00"},
    ),
    (
        {
            "transform": "add_time",
            "input": "2024-03-05",
            "expression": "+1 week 2 days",
            "to_format": "YYYY-MM-DD",
        },
        {"output": "2024-03-14"},
    ),
    (
        {
            "transform": "add_time",
            "input": "2024-03-05",
            "expression": "-1 day 12 hours",
            "to_format": "YYYY-MM-DD HH:mm:ss",
        },
        {"output": "2024-03-03 12:00:00"},
    ),
    (
        {"transform": "add_time", "input": "now", "expression": "+3 days"},
        {"output": "2024-03-08T14:30:00+00:00"},
    ),
    (
        {"transform": "add_time", "input": "2024-12-31", "expression": "+1y", "to_format": "MMMM D, YYYY"},
        {"output": "December 31, 2025"},
    ),
    (
        {"transform": "days_between", "input": "2024-01-01", "other_date": "2024-03-01"},
        {"output": "60", "days": 60},
    ),
    ({"transform": "days_between", "input": "2024-01-01"}, {"output": "64", "days": 64}),
    ({"transform": "days_between", "input": "2024-03-10", "other_date": "2024-03-05"}, {"days": -5}),
]


@pytest.mark.parametrize(("params", "expected"), DATE_CASES)
async def test_date(ctx: ActionContext, params: dict[str, Any], expected: dict[str, Any]) -> None:
    result = await run(DATE, ctx, params)
    assert {key: result.get(key) for key in expected} == expected


DATE_ERRORS = [
    ({"transform": "format_date", "input": "not a date at all"}, "input"),
    ({"transform": "format_date", "input": ""}, "input"),
    ({"transform": "add_time", "input": "2024-03-05"}, "expression"),
    ({"transform": "add_time", "input": "2024-03-05", "expression": "+3 fortnights"}, "expression"),
    ({"transform": "add_time", "input": "2024-03-05", "expression": "+9999 years"}, "expression"),
    ({"transform": "days_between", "input": "2024-03-05", "other_date": "gibberish"}, "other_date"),
]


@pytest.mark.parametrize(("params", "need"), DATE_ERRORS)
async def test_date_errors_name_the_need(ctx: ActionContext, params: dict[str, Any], need: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        await run(DATE, ctx, params)
    assert raised.value.need == need
    assert raised.value.message and raised.value.hint


async def test_relative_dates_follow_ctx_now() -> None:
    async with httpx.AsyncClient(transport=httpx.MockTransport(_no_network)) as http:
        later = ActionContext(http=http, now=dt.datetime(2030, 7, 1, 8, 0, tzinfo=dt.UTC))
        result = await run(DATE, later, {"transform": "format_date", "input": "tomorrow", "to_format": "YYYY-MM-DD"})
    assert result["output"] == "2030-07-02"


async def test_dates_without_zone_are_read_in_the_zone_of_now() -> None:
    paris = dt.timezone(dt.timedelta(hours=1))
    async with httpx.AsyncClient(transport=httpx.MockTransport(_no_network)) as http:
        local = ActionContext(http=http, now=dt.datetime(2024, 3, 5, 14, 30, tzinfo=paris))
        result = await run(DATE, local, {"transform": "format_date", "input": "2024-03-05 09:00"})
    assert result["output"] == "2024-03-05T09:00:00+01:00"


@pytest.mark.parametrize(
    ("action", "params"),
    [
        (TEXT, {"transform": "pluralize", "input": "cat"}),
        (NUMBER, {"transform": "random", "input": "1"}),
        (NUMBER, {"transform": "format_currency", "input": "1", "currency": "XYZ"}),
        (DATE, {"transform": "format_date", "input": "today", "to_format": "%Y"}),
        (TEXT, {"transform": "uppercase"}),
    ],
)
def test_values_outside_the_choices_are_refused(action: Action, params: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        action.input.model_validate(params)


@pytest.mark.parametrize(
    ("action", "cases"),
    [(TEXT, TEXT_CASES), (NUMBER, NUMBER_CASES), (DATE, DATE_CASES)],
    ids=["text", "number", "date"],
)
def test_every_transform_is_exercised(action: Action, cases: list[tuple[dict[str, Any], dict[str, Any]]]) -> None:
    assert {params["transform"] for params, _ in cases} == transform_keys(action)
