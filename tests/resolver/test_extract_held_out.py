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


def test_a_year_is_not_the_only_number_for_a_count() -> None:
    count = need("count", "Count", "int", help_text="Number of articles")
    assert extract("Get the news articles from 2020", count).values == {}


def test_a_year_after_in_is_not_an_amount_even_when_named() -> None:
    revenue = need("revenue", "Revenue", "float")
    assert extract("What was the revenue in 2019?", revenue).values == {}


def test_a_year_still_fills_a_year_need() -> None:
    year = need("year", "Year", "int")
    assert values("Show me the top scorers of 2019", year) == {"year": 2019}


def test_a_four_digit_amount_named_by_its_need_is_kept() -> None:
    budget, area = need("budget", "Budget", "float"), need("area", "Area", "int", help_text="Area in square feet")
    assert values("My budget is 2000 for the trip", budget) == {"budget": 2000}
    assert values("A house with an area of 1800 square feet", area) == {"area": 1800}


def test_dollars_for_a_need_counted_in_cents_keep_their_scale() -> None:
    amount = need("amount", "Amount", "int", help_text="Amount to charge, in cents")
    assert values("Charge the customer $12.50", amount) == {"amount": 1250}
    assert values("Refund 12 dollars to the customer", amount) == {"amount": 1200}
    assert values("Charge 250 cents", amount) == {"amount": 250}


def test_cents_for_a_need_in_dollars_keep_their_scale() -> None:
    amount = need("amount", "Amount", "float", help_text="Amount in dollars")
    assert values("Pay 50 cents", amount) == {"amount": 0.5}


def test_below_zero_is_a_sign() -> None:
    assert [n.value for n in find_numbers("5 degrees below zero, ten below zero")] == [-5, -10]
    temperature = need("temperature", "Temperature", "float")
    assert values("Set the temperature to 5 degrees below zero", temperature) == {"temperature": -5}


def test_a_relative_day_beside_a_year_not_read_is_not_filled() -> None:
    date = need("date", "Date", "date", help_text="The date for the UV index, in the format mm-dd-yyyy.")
    assert extract("Give me the UV index for Tokyo for tomorrow, June01 2023.", date).values == {}


def test_a_relative_day_alone_is_still_read() -> None:
    date = need("date", "Date", "date")
    assert values("Give me the UV index for Tokyo for tomorrow.", date) == {"date": "2025-01-16"}


def test_a_flag_word_inside_a_capitalised_name_is_not_the_flag() -> None:
    active = need("active", "Active", "bool", required=False, help_text="Only active users")
    city = need("city", "City")
    assert values("Find the Active Directory users in Seattle", active, city) == {"city": "Seattle"}
    assert values("Find the active users in Seattle", active, city) == {"active": True, "city": "Seattle"}


def test_a_location_keeps_the_region_the_text_gives_it() -> None:
    location = need("location", "Location", help_text="The place where you want to book the hotel.")
    text = "Book a single room at a hotel near Manhattan, New York for 3 nights."
    assert values(text, location) == {"location": "Manhattan, New York"}


def test_a_region_ends_at_its_full_stop() -> None:
    location = need("location", "Location")
    assert values("I am searching for hotels in London, UK.", location) == {"location": "London, UK"}
    assert values("I will be in Toronto, Canada.I need it for two.", location) == {"location": "Toronto, Canada"}
    assert values("A hotel in Washington, D.C. please", location) == {"location": "Washington, D.C."}


def test_a_city_need_takes_the_city_without_its_region() -> None:
    city = need("city", "City", help_text="The city to get the time for.")
    assert values("What is the current time in Sydney, Australia?", city) == {"city": "Sydney"}


def test_an_example_value_keeps_its_degree_word() -> None:
    taste = need("taste", "Taste", help_text="The taste of the dish, e.g. sweet, spicy")
    assert values("Find a recipe that is very spicy", taste) == {"taste": "very spicy"}
    assert values("A spicy recipe", taste) == {"taste": "spicy"}


def test_a_negated_example_value_is_not_filled() -> None:
    taste = need("taste", "Taste", help_text="The taste of the dish, e.g. sweet, spicy")
    assert extract("Find a recipe that is not spicy", taste).values == {}


def test_a_listed_value_with_a_degree_word_is_not_filled() -> None:
    level = need("level", "Level", help_text="Can be 'basic' or 'detailed'.")
    assert extract("Give me a very detailed report", level).values == {}


def test_a_name_that_may_go_on_after_and_is_not_cut_short() -> None:
    title = need("title", "Title")
    assert "title" not in extract("Create a task called Buy milk and eggs for tomorrow", title).values


def test_a_name_followed_by_a_new_clause_after_and_is_read() -> None:
    name = need("new_alarm_name", "New alarm name")
    assert values("No, can you call it Cooking and change the time to 16:45?", name) == {"new_alarm_name": "Cooking"}
    assert values("Call it cleaning and set it for 4 pm.", name) == {"new_alarm_name": "cleaning"}


def test_a_later_sentence_renaming_the_need_stops_the_earlier_name() -> None:
    name = need("new_alarm_name", "New alarm name")
    text = "Can you set me a new alarm called cooking\nSet it for 4 pm, and change the name to grocery run"
    assert "new_alarm_name" not in extract(text, name).values


def test_the_need_s_own_noun_is_not_part_of_the_name() -> None:
    name = need("new_alarm_name", "New alarm name")
    assert values("Call the new alarm Music practice instead.", name) == {"new_alarm_name": "Music practice"}


def test_a_choice_moved_by_a_later_correction_is_not_written() -> None:
    method = need("payment_method", "Payment method", choices=["app balance", "debit card", "credit card"])
    text = "Please send 94 dollars to Wilson from my app balance.\nActually, send it from my saving account."
    assert "payment_method" not in extract(text, method).values


def test_a_choice_restated_by_a_later_correction_is_still_read() -> None:
    method = need("payment_method", "Payment method", choices=["app balance", "debit card", "credit card"])
    text = "Please send 94 dollars to Wilson from my app balance.\nActually, send it from my debit card."
    assert values(text, method) == {"payment_method": "debit card"}


def test_a_flag_said_with_a_scarcity_word_is_false() -> None:
    artistic = need("artistic_interests", "Artistic interests", "bool")
    assert values("I'm talkative and have few artistic interests.", artistic) == {"artistic_interests": False}
    assert values("I'm talkative and have a few artistic interests.", artistic) == {"artistic_interests": True}


def test_a_coordinate_keeps_the_sign_of_its_compass_letter() -> None:
    coord = need("coord1", "Coord1", "any", help_text="The first coordinate as (latitude, longitude).", many=True)
    assert values("Distance from the GPS coordinate (33.4484 N, 112.0740 W) to home", coord) == {
        "coord1": [33.4484, -112.074]
    }


def _pool() -> object:
    return need("has_pool", "Has pool", "bool", required=False)


def test_a_flag_word_inside_quoted_text_is_not_the_flag() -> None:
    query, flag = need("query", "Query"), need("async_mode", "Async", "bool", required=False)
    assert values("Search GitHub for 'async python' repos", query, flag) == {"query": "async python"}


def test_a_flag_the_speaker_does_not_care_about_stays_unset() -> None:
    city = need("location", "Location")
    assert values("Show hotels in Miami. I don't care about the pool", city, _pool()) == {"location": "Miami"}


def test_a_question_about_a_found_thing_sets_no_flag() -> None:
    assert extract("Does it have a pool?", _pool()).values == {}
    assert values("Can you find me a hotel with a pool?", _pool()) == {"has_pool": True}


def test_a_short_capital_name_leaves_the_full_stop_out() -> None:
    location = need("location", "Location")
    assert values("Find me something nice in NY.", location) == {"location": "NY"}
    assert values("A hotel in Washington D.C. please", location) == {"location": "Washington D.C."}
