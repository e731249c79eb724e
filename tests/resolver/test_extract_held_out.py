"""Failure kinds seen on unseen requests: partial names, lost scale or sign, swapped ranges, guessed days."""

from __future__ import annotations

from helpers.extraction import extract, need, values
from nlactions.resolver.numbers import find_numbers


def test_spelled_out_amount_keeps_its_hundreds() -> None:
    amount = need("amount", "Amount", "float")
    assert values("I would like to send one hundred and sixteen dollars to Amelia.", amount) == {"amount": 116}


def test_number_words_joined_by_and_are_separate_numbers() -> None:
    found = [(n.value, n.start) for n in find_numbers("between three and four")]
    assert found == [(3, 8), (4, 18)]


def test_a_sign_said_in_words_is_kept() -> None:
    assert [n.value for n in find_numbers("set it to minus 4 and then negative 2.5")] == [-4, -2.5]


def test_place_keeps_its_lower_case_place_noun() -> None:
    city = need("city", "City")
    assert values("I'm searching for a hotel in Cape town that has five stars.", city) == {"city": "Cape town"}


def test_place_prefix_takes_the_word_it_needs() -> None:
    city = need("city", "City")
    assert values("I am looking for tickets from San diego please", city) == {"city": "San diego"}


def test_name_that_goes_on_in_lower_case_is_not_cut_short() -> None:
    city = need("origin_city", "Origin city")
    assert "origin_city" not in extract("I'm flying out on the 11th, from Ciudad de mexico.", city).values


def test_a_descriptor_after_a_place_is_not_part_of_it() -> None:
    city = need("city", "City")
    assert values("Find details about the lawsuit in the Los Angeles court.", city) == {"city": "Los Angeles"}


def test_dates_mentioned_backwards_are_not_handed_out_in_order() -> None:
    start, end = need("check_in_date", "Check in date", "date"), need("check_out_date", "Check out date", "date")
    found = extract("I need a house on March 11th. I want to be back on March 4th.", start, end)
    assert found.values == {}


def test_a_time_alone_names_no_day() -> None:
    when = need("starts_at", "Starts at", "datetime")
    assert extract("Book it for 5 pm please.", when).values == {}


def test_a_later_named_person_replaces_an_earlier_one() -> None:
    receiver = need("receiver", "Receiver", help_text="Name of the contact to make the transaction with")
    text = "It will be sent to Mary.\nActually, the person I'm requesting is Rachel."
    assert values(text, receiver) == {"receiver": "Rachel"}


def test_region_of_a_place_is_not_a_choice_it_is_a_word_of() -> None:
    airline = need(
        "airlines",
        "Airlines",
        required=False,
        choices=[("ua", "United Airlines"), ("ac", "Air Canada"), ("af", "Air France"), ("dl", "Delta Airlines")],
    )
    city = need("destination", "Destination")
    found = extract("I'm leaving on Tuesday and I'm heading to Toronto, Canada.", city, airline)
    assert "airlines" not in found.values


def test_each_value_names_the_signal_that_read_it() -> None:
    found = extract("Send it to Oslo", need("city", "City"))
    assert found.values["city"].detail.startswith("places: ")


def test_a_title_corrected_in_other_words_is_not_written() -> None:
    title = need("title", "Title", help_text="Title of the movie")
    text = "Title is Good Boys\nThat is wrong, the movie I want to watch is Toy Story 4 with French subs."
    assert "title" not in extract(text, title).values


def test_a_name_whose_end_is_unclear_is_not_cut_short() -> None:
    name = need("new_alarm_name", "New alarm name", help_text="Name to use for the new alarm")
    assert "new_alarm_name" not in extract("I have to add an alarm for Leave for home please.", name).values


def test_a_capital_the_starts_the_name() -> None:
    album = need("album", "Album", help_text="Collection of the song")
    text = "I want songs like on the album The New Classic. Or tunes from six years back."
    assert values(text, album) == {"album": "The New Classic"}


def test_a_nationality_is_not_a_place() -> None:
    city = need("location", "Location", help_text="City where the restaurant is located")
    text = "Can you help me find a place to eat?\nI'm interested in Napa.\nYes, I'm interested in Japanese."
    assert values(text, city) == {"location": "Napa"}
