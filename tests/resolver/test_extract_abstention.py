"""The offline extractor abstains on vague text and never invents a value."""

from __future__ import annotations

import datetime as dt

import pytest

from helpers.extraction import extract, need
from nlactions.catalog import NeedSpec
from nlactions.resolver.base import ExtractionRequest
from nlactions.resolver.extract import OfflineExtractor

NEEDS = [
    need("email", "Recipient email"),
    need("amount", "Amount", "float"),
    need("due", "Due date", "date"),
    need("time", "Start time"),
    need("city", "City"),
    need("title", "Title"),
    need("priority", "Priority", choices=[("p1", "Urgent"), ("p2", "Normal")]),
    need("notify", "Notify followers", "bool"),
]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Please take care of it.",
        "Do the usual thing for the client, you know what I mean.",
        "Can you help me with something?",
        "hmm",
    ],
)
def test_vague_text_fills_nothing(text: str) -> None:
    assert extract(text, *NEEDS).values == {}


def test_unrelated_numbers_do_not_become_values() -> None:
    found = extract("I have 3 kids and 2 cats.", need("budget", "Budget", "int"), need("floor", "Floor", "int"))
    assert found.values == {}


def test_several_unnamed_numbers_are_not_guessed_in_order() -> None:
    found = extract(
        "Use 4, 9 and 16.",
        need("a", "First", "int"),
        need("b", "Second", "int"),
        need("c", "Third", "int"),
    )
    assert found.values == {}


def test_an_unknown_choice_is_not_invented() -> None:
    found = extract(
        "Set the priority to critical", need("priority", "Priority", choices=[("p1", "Low"), ("p2", "High")])
    )
    assert found.values == {}


def test_values_appear_in_the_text() -> None:
    text = "Send the invoice to billing@acme.test by Friday with the subject 'March invoice'"
    needs: list[NeedSpec] = [need("to", "To email"), need("subject", "Subject"), need("due", "Due date", "date")]
    found = extract(text, *needs).values
    assert found["to"].value in text
    assert found["subject"].value in text
    assert set(found) == {"to", "subject", "due"}


def test_a_higher_threshold_abstains_more() -> None:
    text = "Table for 4 people"
    seats = need("seats", "Number of seats", choices=[str(i) for i in range(1, 7)])
    assert extract(text, seats).values
    assert extract(text, seats, threshold=0.99).values == {}


def test_the_word_naming_a_free_need_is_not_its_value() -> None:
    """A help text quoting the need's own name ("the 'name' column") does not make "name" a value of it."""
    needs = [
        NeedSpec(key=h, label=h, type="str", required=False, help_text=f"The value of the {h!r} column.")
        for h in ("name", "amount")
    ]
    request = ExtractionRequest(
        instructions="add a row with name Ana and amount 42",
        needs=needs,
        candidates={},
        known={},
        now=dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
    )
    found = OfflineExtractor().extract_sync(request).values
    assert found.get("name") is None or found["name"].value != "name"
