"""Numbers read with their units: the unit a need's help asks for names the number, and converts it."""

from __future__ import annotations

from helpers.extraction import need, values
from nlactions.resolver.extract.units import convert, help_units, unit_after


def test_units_a_help_text_asks_for() -> None:
    assert [u.name for u in help_units("Rope length in metres.")] == ["m"]
    assert [u.name for u in help_units("The load (kg) on the second hook.")] == ["kg"]
    assert [u.name for u in help_units("Flow in litres per second.")] == ["L/s"]
    assert help_units("The year the survey began.") == ()


def test_unit_after_a_number_with_prefixes() -> None:
    milliamps = unit_after("", 0, "mA")
    assert milliamps is not None and milliamps.factor == 1e-3
    unit = unit_after("pull at 4 newtons", 9)
    assert unit is not None and unit.name == "N"


def test_conversion_within_a_dimension_only() -> None:
    minutes, seconds, grams = (unit_after("", 0, s) for s in ("min", "s", "g"))
    assert minutes and seconds and grams
    assert convert(2.0, minutes, seconds) == 120.0
    assert convert(2.0, minutes, grams) is None


def test_the_unit_names_the_number() -> None:
    found = values(
        "Simulate a pendulum swinging for 12 seconds from a 3 kg bob.",
        need("duration", type_="int", help_text="How long to simulate, in seconds."),
        need("weight", type_="int", help_text="Weight of the bob (kg)."),
    )
    assert found == {"duration": 12, "weight": 3}


def test_needs_sharing_a_unit_take_their_numbers_in_order() -> None:
    found = values(
        "Join a 40 cm plank to a 25 cm plank.",
        need("first", type_="int", help_text="Length of the first plank in centimeters."),
        need("second", type_="int", help_text="Length of the second plank in centimeters."),
    )
    assert found == {"first": 40, "second": 25}


def test_a_number_in_another_unit_of_the_same_measure_is_converted() -> None:
    found = values(
        "Record a loop lasting 2 minutes.",
        need("length", type_="int", help_text="Loop length in seconds."),
    )
    assert found == {"length": 120}


def test_a_number_in_a_unit_of_another_measure_is_not_taken() -> None:
    found = values(
        "Grow the crystal at 4 kg pressure.",
        need("hours", type_="int", help_text="Growth time in hours."),
    )
    assert found == {}


def test_a_spelled_out_count_of_things_is_not_a_value() -> None:
    found = values(
        "Add up two values, 8 and 13.",
        need("left", type_="int", help_text="The first addend."),
        need("right", type_="int", help_text="The second addend."),
    )
    assert found == {"left": 8, "right": 13}


def test_a_spelled_out_amount_of_money_stays() -> None:
    found = values("Send Lena forty two dollars.", need("amount", help_text="The amount of money to send."))
    assert found == {"amount": "42"}


def test_a_count_takes_neither_money_nor_a_percentage() -> None:
    found = values(
        "Split the bill of $90 with a 15% tip.",
        need("diners", "Number of diners", "int", help_text="How many people share the bill."),
    )
    assert found == {}


def test_a_rate_per_period_keeps_its_numerator_unit() -> None:
    found = values(
        "The van covers 9,000 miles per year.",
        need("distance", type_="int", help_text="Distance driven in miles."),
    )
    assert found == {"distance": 9000}


def test_a_unit_need_takes_the_unit_asked_for() -> None:
    found = values(
        "How fast is a 300 metre sprint in 40 seconds, in km/h?",
        need("unit", help_text="Unit for the answer."),
    )
    assert found == {"unit": "km/h"}


def test_a_unit_need_takes_the_one_unit_the_numbers_are_in() -> None:
    found = values("Area of a square with 7 inches sides.", need("units", help_text="Measurement units."))
    assert found == {"units": "inches"}


def test_a_count_named_by_the_thing_it_counts() -> None:
    found = values(
        "Write a tune of 24 short bars at 90 bpm.",
        need("length", "Length", "int", help_text="The number of bars in the tune."),
    )
    assert found == {"length": 24}
