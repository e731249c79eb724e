"""A word of the text that resembles a choice is not that choice: other names, places, verb forms."""

from __future__ import annotations

from helpers.extraction import extract, need, values

AIRLINES = ["United Airlines", "Delta Airlines", "American Airlines", "Alaska Airlines", "Southwest Airlines"]


def _airlines() -> object:
    return need("airlines", "Airlines", required=False, choices=AIRLINES)


def test_a_place_is_not_the_airline_it_is_a_word_of() -> None:
    dest = need("destination", "Destination")
    assert values("Find me a flight to the United States next week", _airlines(), dest) == {
        "destination": "United States"
    }
    assert values("Fly me to Alaska", _airlines(), dest) == {"destination": "Alaska"}


def test_a_word_of_the_airline_said_as_the_airline_is_still_read() -> None:
    dest = need("destination", "Destination")
    found = values("I want to fly southwest to Phoenix", _airlines(), dest)
    assert found == {"airlines": "Southwest Airlines", "destination": "Phoenix"}


def test_a_label_inside_a_longer_name_is_not_the_choice() -> None:
    genre = need("genre", "Genre", required=False, choices=["Pop", "Rock", "Jazz", "Country"])
    assert "genre" not in extract("Play the song Rock Lobster", genre).values
    assert "genre" not in extract("I'd like to see a show in Country Club Hills", genre).values
    assert values("Play some Rock, Pop or Jazz? No: Rock please", genre) == {"genre": "Rock"}


def test_a_label_beside_the_need_s_own_noun_is_still_the_choice() -> None:
    language = need("subtitle_language", "Subtitle language", required=False, choices=["English", "Spanish"])
    assert values("I want to watch Pulp Fiction with Spanish Subtitles.", language) == {"subtitle_language": "Spanish"}


def test_a_verb_form_of_a_label_is_not_the_choice() -> None:
    status = need("status", "Status", required=False, choices=["open", "closed", "all"])
    assert "status" not in extract("Show me the issues I opened yesterday", status).values


def test_a_label_seen_by_name_and_left_is_not_taken_by_meaning() -> None:
    status = need("status", "Status", required=False, choices=["open", "closed", "all"])
    assert "status" not in extract("Close the issue about the open door", status).values
