"""Counts of people, seats and tickets: which number a count need takes, and which it leaves."""

from __future__ import annotations

from helpers.extraction import extract, need, values

SEATS = [str(n) for n in range(1, 7)]


def _seats() -> object:
    return need(
        "number_of_seats",
        "Number of seats",
        help_text="Number of seats to reserve at the restaurant",
        choices=SEATS,
        required=False,
    )


def test_looking_for_one_is_a_pronoun_not_a_party_of_one() -> None:
    text = "Please book a table at Tandoori Mahal.\nI am looking for one in San Francisco."
    assert "number_of_seats" not in extract(text, _seats()).values


def test_a_party_of_one_after_for_is_still_a_count() -> None:
    assert values("I need a table, just for one.", _seats()) == {"number_of_seats": "1"}
    assert values("A table for 3 please.", _seats()) == {"number_of_seats": "3"}


def test_one_qualifying_the_next_word_counts_nothing() -> None:
    tickets = need(
        "number_of_tickets", "Number of tickets", help_text="Number of tickets", choices=["1", "2", "3", "4"]
    )
    assert "number_of_tickets" not in extract("Find me Economy class one way tickets from Boston.", tickets).values


def test_a_count_of_people_goes_to_the_need_that_counts_people() -> None:
    adults = need("number_of_adults", "Number of adults", help_text="Number of people for the reservation",
                  choices=["1", "2", "3", "4", "5"], required=False)  # fmt: skip
    rating = need("rating", "Rating", help_text="Review rating of the house", required=False)
    found = values("I need a house with a good rating for 1 person.", adults, rating)
    assert found == {"number_of_adults": "1"}


def test_a_count_of_people_is_kept_when_no_need_counts_people() -> None:
    servings = need("servings", "Servings", "int", help_text="Number of servings the recipe makes")
    assert values("Scale the soup recipe for 4 people.", servings) == {"servings": 4}
