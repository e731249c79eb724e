"""Read dates the way people write them, render moment.js-style patterns, and shift dates.

Patterns use moment.js tokens (as Zapier's Formatter does): YYYY YY MMMM MMM MM M DD D dddd ddd
HH H hh h mm ss A a Z ZZ X; any other character is copied as is.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

import dateparser

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

_TOKEN = re.compile(r"YYYY|YY|MMMM|MMM|MM|M|DD|D|dddd|ddd|HH|H|hh|h|mm|ss|A|a|ZZ|Z|X")
_TIMESTAMP = re.compile(r"\d{9,10}(?:\.\d+)?|\d{12,13}")
_TERM = re.compile(
    r"\s*([+-])?\s*(\d+)\s*(years?|yrs?|y|months?|mos?|weeks?|wks?|w|days?|d|hours?|hrs?|h|"
    r"minutes?|mins?|m|seconds?|secs?|s)\b\s*,?",
    re.IGNORECASE,
)
_UNITS = {"y": "years", "w": "weeks", "d": "days", "h": "hours", "m": "minutes", "s": "seconds"}


def _offset(value: dt.datetime, colon: bool) -> str:
    delta = value.utcoffset() or dt.timedelta(0)
    sign = "-" if delta < dt.timedelta(0) else "+"
    hours, rest = divmod(abs(int(delta.total_seconds())), 3600)
    return f"{sign}{hours:02d}{':' if colon else ''}{rest // 60:02d}"


def _token(value: dt.datetime, token: str) -> str:
    hour12 = value.hour % 12 or 12
    match token:
        case "YYYY":
            return f"{value.year:04d}"
        case "YY":
            return f"{value.year % 100:02d}"
        case "MMMM":
            return MONTHS[value.month - 1]
        case "MMM":
            return MONTHS[value.month - 1][:3]
        case "MM" | "M":
            return f"{value.month:0{len(token)}d}"
        case "DD" | "D":
            return f"{value.day:0{len(token)}d}"
        case "dddd":
            return WEEKDAYS[value.weekday()]
        case "ddd":
            return WEEKDAYS[value.weekday()][:3]
        case "HH" | "H":
            return f"{value.hour:0{len(token)}d}"
        case "hh" | "h":
            return f"{hour12:0{len(token)}d}"
        case "mm":
            return f"{value.minute:02d}"
        case "ss":
            return f"{value.second:02d}"
        case "A" | "a":
            meridiem = "PM" if value.hour >= 12 else "AM"
            return meridiem if token == "A" else meridiem.lower()
        case "Z" | "ZZ":
            return _offset(value, colon=token == "Z")
        case _:  # "X"
            return str(int(value.timestamp()))


def render(value: dt.datetime, pattern: str) -> str:
    """``value`` written in a moment.js-style ``pattern`` ("MM/DD/YYYY" → "03/05/2024")."""
    return _TOKEN.sub(lambda m: _token(value, m.group()), pattern)


def parse_date(text: str, now: dt.datetime) -> dt.datetime | None:
    """The moment ``text`` names ("2024-03-05", "next Friday 3pm", a Unix timestamp), or None.

    Relative phrases count from ``now``; a text without a time zone is read in ``now``'s zone (UTC if
    ``now`` is naive). The result is always time-zone aware.
    """
    zone = now.tzinfo or dt.UTC
    value = text.strip()
    if _TIMESTAMP.fullmatch(value):
        seconds = float(value) / (1000 if len(value) >= 12 else 1)
        return dt.datetime.fromtimestamp(seconds, dt.UTC).astimezone(zone)
    settings = {
        "RELATIVE_BASE": now.astimezone(zone).replace(tzinfo=None),
        "PREFER_DATES_FROM": "current_period",
    }
    parsed = dateparser.parse(value, languages=["en"], settings=settings) if value else None
    if parsed is None:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=zone)


def add_months(value: dt.datetime, months: int) -> dt.datetime:
    """``value`` moved by whole calendar months; the day is clamped (Jan 31 + 1 month → Feb 29)."""
    year, month = divmod(value.year * 12 + value.month - 1 + months, 12)
    day = min(value.day, calendar.monthrange(year, month + 1)[1])
    return value.replace(year=year, month=month + 1, day=day)


def _unit(word: str) -> str:
    word = word.lower()
    if word.startswith("mo"):
        return "months"
    if word.startswith("mi"):
        return "minutes"
    return _UNITS[word[0]]


def shift(value: dt.datetime, expression: str) -> dt.datetime | None:
    """``value`` moved by ``expression`` ("+3 days", "-2 hours", "+1 month -1 day"), or None if unreadable.

    A term without a sign takes the sign of the term before it ("-1 day 2 hours" subtracts both).
    """
    position, sign, terms = 0, 1, 0
    while position < len(expression.rstrip()):
        found = _TERM.match(expression, position)
        if found is None:
            return None
        if found.group(1):
            sign = -1 if found.group(1) == "-" else 1
        amount, unit = sign * int(found.group(2)), _unit(found.group(3))
        if unit == "years":
            value = add_months(value, 12 * amount)
        elif unit == "months":
            value = add_months(value, amount)
        else:
            value = value + dt.timedelta(**{unit: amount})
        position, terms = found.end(), terms + 1
    return value if terms else None
