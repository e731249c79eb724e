"""A value written right after its need's own label, up to a phrase boundary (extract/labelled.py)."""

from __future__ import annotations

from helpers.extraction import extract, need, values
from nlactions.catalog import NeedSpec


def columns(*names: str) -> list[NeedSpec]:
    """Optional text needs named like a sheet's header row (label and key are the header)."""
    return [need(n, n, required=False, help_text=f"The value of the {n!r} column.") for n in names]


ROW = columns("name", "amount", "note")


def test_two_labels_joined_by_and_each_take_their_value() -> None:
    assert values("add a row with name Ana and amount 42", *ROW) == {"name": "Ana", "amount": "42"}


def test_a_comma_or_the_next_label_ends_a_value_and_numbers_keep_their_sign() -> None:
    found = values("add a row with name Ana Lopez, amount -42.5 and note Lunch", *ROW)
    assert found == {"name": "Ana Lopez", "amount": "-42.5", "note": "Lunch"}
    assert values("name Ana amount 42", *ROW) == {"name": "Ana", "amount": "42"}


def test_a_label_followed_by_a_lower_case_tail_is_not_read() -> None:
    # Where "Ana and bob" or "done for the report" ends is a guess: nothing is written.
    assert "name" not in values("add a row with name Ana and bob", *ROW)
    assert "note" not in values("set the note to done for the report", *ROW)
    assert "note" not in values("add a row with note lunch with the client", *ROW)


def test_a_label_word_used_as_an_ordinary_word_gives_no_value() -> None:
    found = values("Add a row in the name of the project with amount 42", *ROW)
    assert "name" not in found and found["amount"] == "42"
    found = values("Please note that the amount is 42", *ROW)
    assert "note" not in found and found["amount"] == "42"
    assert "note" not in values("Send the note to Ana", *ROW)


def test_the_label_words_are_never_the_value() -> None:
    found = values("add a row with name amount 42", *ROW)
    assert "name" not in found and found["amount"] == "42"


def test_set_the_label_to_a_value_and_a_full_stop_ends_it() -> None:
    assert values("set the note to done", *ROW) == {"note": "done"}
    found = values("The title is Weekly sync. Invite the team.", need("title", required=False))
    assert found == {"title": "Weekly sync"}
    assert values("title: Weekly sync", need("title", required=False)) == {"title": "Weekly sync"}


def test_a_choice_named_after_its_label() -> None:
    status = need("status", choices=["todo", "doing", "done"], required=False)
    assert values("set the status to done and note shipped", status, *columns("note")) == {
        "status": "done",
        "note": "shipped",
    }


def test_numbers_keep_their_scale() -> None:
    assert values("add a row with amount 2 million", *ROW) == {"amount": "2 million"}
    found = values("with name Ana and amount 2 million", need("name"), need("amount", type_="int"))
    assert found == {"name": "Ana", "amount": 2_000_000}


def test_an_abbreviation_is_not_where_the_value_ends() -> None:
    assert "city" not in values("The city is St. Helena, and on this Saturday.", need("city", "City"))


def test_a_later_correction_makes_the_value_a_guess() -> None:
    text = "Title is Good Boys.\nNo, I want Toy Story 4 instead."
    assert "title" not in values(text, need("title", "Title"))


def test_the_value_says_how_it_was_read() -> None:
    found = extract("add a row with name Ana and amount 42", *ROW).values
    assert found["name"].detail.startswith("labelled: ") and found["name"].span == (20, 23)
