"""Offline extraction for needs with choices: labels named in the text, meanings, and lists."""

from __future__ import annotations

from helpers.extraction import need, values

PRIORITIES = [("p1", "Urgent"), ("p2", "Normal"), ("p3", "Someday")]


def test_a_named_choice_gives_its_id() -> None:
    assert values("File this as urgent, thanks", need("priority", "Priority", choices=PRIORITIES)) == {"priority": "p1"}


def test_a_multi_word_label_in_running_text() -> None:
    boards = [("b1", "Mobile App Launch"), ("b2", "Website Redesign"), ("b3", "Mobile Backlog")]
    found = values("Add a card to the website redesign board", need("board", "Board", choices=boards))
    assert found == {"board": "b2"}


def test_a_later_sentence_corrects_the_choice() -> None:
    found = values(
        "Make it normal priority. Actually no, someday is fine.",
        need("priority", "Priority", choices=PRIORITIES),
    )
    assert found == {"priority": "p3"}


def test_two_choices_in_one_breath_are_ambiguous() -> None:
    found = values("Either urgent or normal", need("priority", "Priority", choices=PRIORITIES))
    assert found == {}


def test_list_need_takes_every_named_choice() -> None:
    toppings = [("t1", "Mushrooms"), ("t2", "Olives"), ("t3", "Peppers"), ("t4", "Onions")]
    found = values("Pizza with olives, peppers and onion", need("toppings", "Toppings", choices=toppings, many=True))
    assert found == {"toppings": ["t2", "t3", "t4"]}


def test_a_word_near_in_meaning_to_one_label() -> None:
    sections = [("s1", "Sports"), ("s2", "Cooking"), ("s3", "Finance")]
    assert values("Find me some new recipes", need("section", "Section", choices=sections)) == {"section": "s2"}


def test_true_false_choices() -> None:
    flags = [("yes", "True"), ("no", "False")]
    found = values(
        "A flat with a balcony but without parking",
        need("has_balcony", "Has balcony", choices=flags),
        need("has_parking", "Has parking", choices=flags),
        need("has_garden", "Has garden", choices=flags),
    )
    assert found == {"has_balcony": "yes", "has_parking": "no"}


def test_numeric_choices_need_a_naming_word() -> None:
    seats = [str(i) for i in range(1, 7)]
    assert values("Table for 4 people at 8 pm", need("seats", "Number of seats", choices=seats)) == {"seats": "4"}
    assert values("Call me at 4", need("seats", "Number of seats", choices=seats)) == {}


def test_channel_choice_by_hash_name() -> None:
    channels = [("C01", "general"), ("C02", "random"), ("C03", "design-crit")]
    assert values("post the mockups to #design-crit", need("channel", "Channel", choices=channels)) == {
        "channel": "C03"
    }
