"""Offline extraction of dates and times, read against a fixed "now" (Wednesday 2025-01-15 10:00)."""

from __future__ import annotations

import datetime as dt

import pytest

from helpers.extraction import NOW, need, values
from nlactions.resolver.dates import find_dates, parse_date, parse_time


@pytest.mark.parametrize(
    ("phrase", "iso"),
    [
        ("today", "2025-01-15"),
        ("tomorrow", "2025-01-16"),
        ("the day after tomorrow", "2025-01-17"),
        ("next Monday", "2025-01-20"),
        ("this Friday", "2025-01-17"),
        ("Tuesday next week", "2025-01-21"),
        ("in 10 days", "2025-01-25"),
        ("February 3rd", "2025-02-03"),
        ("3 February 2026", "2026-02-03"),
        ("the 20th", "2025-01-20"),
        ("the 2nd", "2025-02-02"),
        ("2025-03-09", "2025-03-09"),
    ],
)
def test_date_phrases(phrase: str, iso: str) -> None:
    assert parse_date(phrase, NOW) == iso


@pytest.mark.parametrize(
    ("phrase", "hhmm"),
    [
        ("3:30 pm", "15:30"),
        ("7am", "07:00"),
        ("noon", "12:00"),
        ("quarter to nine in the evening", "20:45"),
        ("half past 6 in the morning", "06:30"),
        ("18:05", "18:05"),
        ("eleven at night", "23:00"),
    ],
)
def test_time_phrases(phrase: str, hhmm: str) -> None:
    assert parse_time(phrase) == hhmm


def test_a_bare_hour_is_not_a_time() -> None:
    assert parse_time("at 7") is None


def test_year_written_once_applies_to_the_other_date() -> None:
    found = find_dates("from 12 March 2023 to 19 March", NOW)
    assert [f.value for f in found] == ["2023-03-12", "2023-03-19"]


def test_date_need_gets_an_iso_date() -> None:
    assert values("Move the dentist appointment to next Thursday.", need("when", "Appointment date", "date")) == {
        "when": "2025-01-23"
    }


def test_text_need_named_date_gets_an_iso_date() -> None:
    assert values("Ship it on Feb 14.", need("ship_date", "Ship date")) == {"ship_date": "2025-02-14"}


def test_text_need_named_time_gets_24_hour_time() -> None:
    assert values("Wake me at 6:45 am.", need("alarm_time", "Alarm time")) == {"alarm_time": "06:45"}


def test_datetime_need_combines_date_and_time() -> None:
    found = values("Schedule the call tomorrow at 4:15 pm", need("start", "Start", "datetime"))
    assert found == {"start": "2025-01-16T16:15:00"}


def test_date_format_from_the_help_text() -> None:
    found = values(
        "Report for 5 March 2024",
        need("day", "Day", help_text="The day in mm/dd/yyyy format."),
    )
    assert found == {"day": "03/05/2024"}


def test_time_format_from_an_example_in_the_help_text() -> None:
    assert values("Convert 9:30 pm to UTC", need("time", "Time", help_text="Local time, e.g. 3pm")) == {
        "time": "9:30pm"
    }


def test_two_dates_go_to_the_needs_their_words_name() -> None:
    found = values(
        "I return on March 9 and I leave on March 2.",
        need("departure_date", "Departure date"),
        need("return_date", "Return date"),
    )
    assert found == {"departure_date": "2025-03-02", "return_date": "2025-03-09"}


def test_from_and_until() -> None:
    found = values(
        "Rent a van from Friday until Sunday.",
        need("start_date", "Start date"),
        need("end_date", "End date"),
    )
    assert found == {"start_date": "2025-01-17", "end_date": "2025-01-19"}


def test_a_later_sentence_corrects_an_earlier_date() -> None:
    found = values("Book it for the 20th. Sorry, make that the 22nd.", need("day", "Booking date"))
    assert found == {"day": "2025-01-22"}


def test_date_choices_match_by_value() -> None:
    found = values(
        "Pick the slot on Friday",
        need("slot", "Slot", choices=[("s1", "2025-01-16"), ("s2", "2025-01-17")]),
    )
    assert found == {"slot": "s2"}


def test_relative_dates_follow_now() -> None:
    later = dt.datetime(2025, 6, 30, 9, 0)
    assert values("Deliver it tomorrow", need("day", "Delivery date"), now=later) == {"day": "2025-07-01"}
