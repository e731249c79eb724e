"""Offline extraction of typed values: numbers, shaped values, booleans, lists and free text."""

from __future__ import annotations

import asyncio

from helpers.extraction import NOW, extract, need, values
from nlactions.resolver.base import ExtractionRequest
from nlactions.resolver.extract import OfflineExtractor


def test_numbers_named_by_nearby_words() -> None:
    found = values(
        "Order a shelf 120 cm wide with a depth of 35 cm and 4 drawers.",
        need("width", type_="int", help_text="Width in centimetres."),
        need("depth", type_="int"),
        need("drawers", "Number of drawers", "int"),
    )
    assert found == {"width": 120, "depth": 35, "drawers": 4}


def test_spelled_out_counts_and_number_choices() -> None:
    found = values(
        "We are seven guests and need two rooms.",
        need("guests", "Number of guests", choices=[str(i) for i in range(1, 9)]),
        need("rooms", "Number of rooms", choices=["1", "2", "3"]),
    )
    assert found == {"guests": "7", "rooms": "2"}


def test_percent_as_a_fraction_unless_the_help_asks_for_percent() -> None:
    found = values(
        "Budget 2500 dollars with a tax rate of 8% and a tip of 15%.",
        need("budget", type_="int"),
        need("tax_rate", type_="float", help_text="Tax rate as a decimal."),
        need("tip", type_="float", help_text="Tip as a percentage."),
    )
    assert found == {"budget": 2500, "tax_rate": 0.08, "tip": 15}


def test_a_single_number_for_a_single_number_need() -> None:
    assert values("Roll the dice 3 times please", need("rolls", type_="int")) == {"rolls": 3}


def test_names_listed_then_numbers_listed() -> None:
    found = values(
        "Make a poster whose width and height are 60 and 90.",
        need("width", type_="int"),
        need("height", type_="int"),
    )
    assert found == {"width": 60, "height": 90}


def test_email_url_and_phone() -> None:
    found = values(
        "Invite ana.lopez@example.org, share https://example.com/agenda?id=7 and text +1 415-555-0199.",
        need("email", "Attendee email"),
        need("link", "Agenda URL"),
        need("phone", "Mobile phone"),
    )
    assert found == {
        "email": "ana.lopez@example.org",
        "link": "https://example.com/agenda?id=7",
        "phone": "+1 415-555-0199",
    }


def test_channel_and_user_mentions() -> None:
    found = values(
        "Ping @dmitri in #release-train about the freeze.",
        need("channel", "Channel", choices=[("C1", "general"), ("C2", "release-train")]),
        need("user", "User to notify"),
    )
    assert found == {"channel": "C2", "user": "dmitri"}


def test_quoted_text_after_the_word_that_names_the_need() -> None:
    found = values(
        "Create an issue with title 'Login button misaligned' and label 'ui'.",
        need("title", "Title"),
        need("label", "Label"),
    )
    assert found == {"title": "Login button misaligned", "label": "ui"}


def test_called_named_titled() -> None:
    assert values("Start a playlist called Sunday Chill", need("name", "Playlist name")) == {"name": "Sunday Chill"}
    assert values("Open a document titled Q2 Hiring Plan today", need("title", "Document title")) == {
        "title": "Q2 Hiring Plan"
    }


def test_saying_gives_the_message_text() -> None:
    found = values("Text Priya saying the meeting moved to Room 4.", need("message", "Message text"))
    assert found == {"message": "the meeting moved to Room 4"}


def test_key_value_phrases() -> None:
    found = values(
        "subject: Invoice overdue; priority = 2",
        need("subject", "Subject"),
        need("priority", "Priority", "int"),
    )
    assert found == {"subject": "Invoice overdue", "priority": 2}


def test_booleans_stated_and_negated() -> None:
    found = values(
        "Book a table with outdoor seating, no smoking area please.",
        need("outdoor_seating", "Outdoor seating", "bool"),
        need("smoking_area", "Smoking area", "bool"),
        need("wheelchair_access", "Wheelchair access", "bool"),
    )
    assert found == {"outdoor_seating": True, "smoking_area": False}


def test_bracketed_list() -> None:
    found = values(
        "Average these scores: [88, 92.5, 79]",
        need("scores", "Scores", "float", many=True),
    )
    assert found == {"scores": [88, 92.5, 79]}


def test_places_with_roles() -> None:
    found = values(
        "Find a train from Lyon to Marseille.",
        need("origin", "Departure city"),
        need("destination", "Arrival city"),
    )
    assert found == {"origin": "Lyon", "destination": "Marseille"}


def test_every_value_has_a_confidence_and_a_source() -> None:
    extraction = extract("Remind me in 2 days about the dentist", need("days", "Days", "int"))
    assert extraction.values
    for value in extraction.values.values():
        assert value.source == "instructions"
        assert 0.8 <= value.confidence <= 1.0
        assert value.detail


def test_extract_is_async_and_reports_time() -> None:
    request = ExtractionRequest(
        instructions="Set the volume to 7", needs=[need("volume", type_="int")], candidates={}, known={}, now=NOW
    )
    extractor = OfflineExtractor()
    assert extractor.name == "offline"
    extraction = asyncio.run(extractor.extract(request))
    assert extraction.values["volume"].value == 7
    assert extraction.usage.seconds >= 0 and extraction.usage.requests == 0


def test_known_needs_are_left_alone() -> None:
    request = ExtractionRequest(
        instructions="Set the volume to 7",
        needs=[need("volume", type_="int")],
        candidates={},
        known={"volume": 3},
        now=NOW,
    )
    assert OfflineExtractor().extract_sync(request).values == {}


def test_a_kind_named_before_the_noun_the_help_text_uses() -> None:
    cuisine = need("cuisine", "Cuisine", help_text="Type of food the restaurant serves")
    assert values("Somewhere with good Thai food near the office", cuisine) == {"cuisine": "Thai"}
    assert values("Somewhere with good food near Bangkok Garden", cuisine) == {}


def test_money_amount_for_a_text_field() -> None:
    amount = need("amount", "Amount", help_text="Amount of money to send")
    assert values("Send Lena twenty five bucks for lunch", amount) == {"amount": "25"}
    assert values("Transfer $1,250 to savings", amount) == {"amount": "1250"}


def test_travel_verbs_and_naming_sentences() -> None:
    origin = need("origin", "Origin city", help_text="City to leave from")
    destination = need("destination", "Destination city", help_text="City to travel to")
    assert values("I'm leaving Oslo on Friday and heading Bergen.", origin, destination) == {
        "origin": "Oslo",
        "destination": "Bergen",
    }
    assert values("Get me a coach ticket. The destination is Porto.", destination) == {"destination": "Porto"}


def test_a_reply_that_is_a_place() -> None:
    city = need("city", "City")
    assert values("Find me a dentist.\nSanta Monica, please.", city) == {"city": "Santa Monica"}
    assert values("Find me a dentist.\nThanks, that helps.", city) == {}


def test_a_bare_count_after_for_counts_people() -> None:
    guests = need("guests", "Number of guests", choices=[str(i) for i in range(1, 7)])
    assert values("Book a cabin for three, please", guests) == {"guests": "3"}


def test_a_person_after_pay_or_to() -> None:
    payee = need("recipient", "Recipient", help_text="Person who receives the money")
    assert values("Please pay Nadia 40 dollars for the tickets", payee, need("amount", "Amount")) == {
        "recipient": "Nadia",
        "amount": "40",
    }
    found = values("Send 10 euros to Marco.\nActually no, Ingrid should get it. The recipient is Ingrid.", payee)
    assert found == {"recipient": "Ingrid"}


def test_a_name_ending_in_the_noun_a_need_qualifies() -> None:
    chain = need("hotel_chain", "Hotel chain", help_text="The chain that runs the hotel.")
    assert values("Is any Marlowe Hotel free on the coast?", chain) == {"hotel_chain": "Marlowe"}


def test_a_name_ending_in_the_need_itself_stays_whole() -> None:
    gallery = need("gallery", help_text="The name of the gallery.")
    assert values("When does the Ferrow Gallery open?", gallery) == {"gallery": "Ferrow Gallery"}
