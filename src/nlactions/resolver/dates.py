"""Dates and times written in English text, read relative to an injected "now"."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from nlactions.resolver.normalise import NUMBER_WORDS
from nlactions.resolver.spans import DisjointSpans

__all__ = ["Found", "find_dates", "find_times", "parse_date", "parse_time"]


@dataclass(frozen=True, slots=True)
class Found:
    """A date (ISO ``YYYY-MM-DD``) or time (``HH:MM``) found at ``start:end`` of a text."""

    start: int
    end: int
    value: str
    confidence: float


MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
    "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}  # fmt: skip
WEEKDAYS = {
    "monday": 0, "mon": 0, "tuesday": 1, "tue": 1, "tues": 1, "wednesday": 2, "wed": 2,
    "thursday": 3, "thu": 3, "thur": 3, "thurs": 3, "friday": 4, "fri": 4, "saturday": 5, "sat": 5,
    "sunday": 6, "sun": 6,
}  # fmt: skip
ORDINAL_WORDS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
    "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
    "nineteenth": 19, "twentieth": 20, "thirtieth": 30,
}  # fmt: skip

_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_WEEKDAY = r"(?P<weekday>" + "|".join(sorted(WEEKDAYS, key=len, reverse=True)) + r")"
_ORD_WORD = "|".join(sorted(ORDINAL_WORDS, key=len, reverse=True))
_DAY = rf"(?P<day>(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?|(?:twenty|thirty)[- ](?:{_ORD_WORD})|{_ORD_WORD})"
_DAY_ORD = rf"(?P<day>(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)|(?:twenty|thirty)[- ](?:{_ORD_WORD})|{_ORD_WORD})"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_NUM = r"\d+|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + "|a|an"

_DATE_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("iso", re.compile(r"\b(?P<year>\d{4})[-/.](?P<mnum>\d{1,2})[-/.](?P<day>\d{1,2})\b")),
    ("slash", re.compile(r"(?<![\d/])\b(?P<mnum>\d{1,2})/(?P<day>\d{1,2})(?:/(?P<year>\d{4}|\d\d))?\b(?!/)")),
    (
        "year_month_day",
        re.compile(rf"\b{_YEAR},?\s+{_MONTH}\s*(?:the\s+)?{_DAY}\b", re.I),
    ),
    (
        "month_day",
        re.compile(rf"\b{_MONTH}(?:\s+|(?<=\.))(?:the\s+)?{_DAY}\b(?:,?\s*{_YEAR}\b)?", re.I),
    ),
    (
        "day_month",
        re.compile(rf"\b(?:the\s+)?{_DAY}\s+(?:of\s+|day\s+of\s+)?{_MONTH}(?![a-z])(?:,?\s*{_YEAR}\b)?", re.I),
    ),
    (
        "day_this_month",
        re.compile(rf"\b(?:the\s+)?{_DAY}\s+(?:of\s+)?(?P<which>this|next)\s+month\b", re.I),
    ),
    (
        "weekday_week",
        re.compile(rf"\b(?:on\s+)?{_WEEKDAY}\s+(?:of\s+)?(?P<which>this|next|the\s+following)\s+week\b", re.I),
    ),
    (
        "week_weekday",
        re.compile(rf"\b(?P<which>this|next)\s+week(?:'s)?\s+(?:on\s+)?{_WEEKDAY}\b", re.I),
    ),
    (
        "rel_weekday",
        re.compile(rf"\b(?P<which>this|next|coming|this\s+coming|upcoming)\s+{_WEEKDAY}\b", re.I),
    ),
    (
        "in_days",
        re.compile(
            rf"\b(?:in\s+(?P<n1>{_NUM})\s+(?P<u1>days?|weeks?)(?:'s?)?(?:\s+time)?|"
            rf"(?P<n2>{_NUM})\s+(?P<u2>days?|weeks?)\s+from\s+(?:now|today))\b",
            re.I,
        ),
    ),
    ("day_after", re.compile(r"\b(?:the\s+)?day\s+after\s+tomorrow\b", re.I)),
    ("word", re.compile(r"\b(?P<word>today|tonight|tomorrow|tomorow|tmrw|yesterday)\b", re.I)),
    ("on_weekday", re.compile(rf"\b(?:on|by|for|until|till|this|from|starting|through)\s+{_WEEKDAY}\b", re.I)),
    ("bare_weekday", re.compile(rf"\b{_WEEKDAY}\b", re.I)),
    (
        "the_day",
        re.compile(rf"\b(?:on|for|from|until|till|by|to)\s+the\s+{_DAY_ORD}\b(?!\s+(?:of\s+)?[a-z]+\s+month)", re.I),
    ),
    ("bare_ordinal", re.compile(rf"\bthe\s+{_DAY_ORD}\b", re.I)),
]


_LEADING_DIGITS = re.compile(r"\d+")


def _day_number(text: str) -> int | None:
    text = text.lower().replace("-", " ")
    digits = _LEADING_DIGITS.match(text)
    if digits:
        return int(digits.group())
    parts = text.split()
    if len(parts) == 2 and parts[0] in ("twenty", "thirty") and parts[1] in ORDINAL_WORDS:
        return NUMBER_WORDS[parts[0]] + ORDINAL_WORDS[parts[1]]
    return ORDINAL_WORDS.get(text)


def _count(text: str) -> int | None:
    text = text.lower()
    if text.isdigit():
        return int(text)
    if text in ("a", "an"):
        return 1
    return NUMBER_WORDS.get(text)


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _next_weekday(today: dt.date, weekday: int, *, include_today: bool) -> dt.date:
    ahead = (weekday - today.weekday()) % 7
    if ahead == 0 and not include_today:
        ahead = 7
    return today + dt.timedelta(days=ahead)


def _day_in_month(today: dt.date, day: int, *, next_month: bool = False) -> dt.date | None:
    """The given day of this month, or of next month when it has passed (or when asked)."""
    year, month = today.year, today.month
    if next_month or day < today.day:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return _safe_date(year, month, day)


def _resolve(kind: str, m: re.Match[str], today: dt.date, year_hint: int | None = None) -> tuple[dt.date | None, float]:
    """The date a pattern match means; ``year_hint`` is a year written elsewhere in the text."""
    g = m.groupdict()
    if kind == "iso":
        return _safe_date(int(g["year"]), int(g["mnum"]), int(g["day"])), 0.97
    if kind == "slash":
        year = int(g["year"]) if g["year"] else today.year
        if year < 100:
            year += 2000
        return _safe_date(year, int(g["mnum"]), int(g["day"])), 0.85
    if kind in ("month_day", "day_month", "year_month_day"):
        day = _day_number(g["day"])
        month = MONTHS[g["month"].lower()]
        year = int(g["year"]) if g.get("year") else (year_hint or today.year)
        if g["month"].lower() == "may" and kind == "day_month" and not g.get("year"):
            return _safe_date(year, month, day or 0), 0.85  # "the 5th may ..." reads either way
        return (_safe_date(year, month, day) if day else None), 0.95
    if kind == "day_this_month":
        day = _day_number(g["day"])
        nxt = g["which"].lower() == "next"
        return (_day_in_month(today, day, next_month=nxt) if day else None), 0.93
    if kind in ("weekday_week", "week_weekday"):
        weekday = WEEKDAYS[g["weekday"].lower()]
        monday = today - dt.timedelta(days=today.weekday())
        if g["which"].lower() != "this":
            monday += dt.timedelta(days=7)
        return monday + dt.timedelta(days=weekday), 0.93
    if kind == "rel_weekday":
        weekday = WEEKDAYS[g["weekday"].lower()]
        if g["which"].lower() == "next":
            # "next Thursday": the Thursday of next week (said on a Wednesday, not tomorrow).
            monday = today - dt.timedelta(days=today.weekday()) + dt.timedelta(days=7)
            return monday + dt.timedelta(days=weekday), 0.9
        include = g["which"].lower() == "this"
        return _next_weekday(today, weekday, include_today=include), 0.9
    if kind == "in_days":
        n = _count(g["n1"] or g["n2"] or "")
        unit = (g["u1"] or g["u2"] or "").lower()
        if n is None:
            return None, 0.0
        return today + dt.timedelta(days=n * (7 if unit.startswith("week") else 1)), 0.93
    if kind == "day_after":
        return today + dt.timedelta(days=2), 0.95
    if kind == "word":
        word = g["word"].lower()
        offset = {"yesterday": -1, "today": 0, "tonight": 0}.get(word, 1)
        return today + dt.timedelta(days=offset), 0.95
    if kind in ("on_weekday", "bare_weekday"):
        weekday = WEEKDAYS[g["weekday"].lower()]
        if kind == "bare_weekday" and len(g["weekday"]) <= 3:
            return None, 0.0  # "sat", "sun", "wed" are too often other words
        return _next_weekday(today, weekday, include_today=True), 0.85 if kind == "on_weekday" else 0.82
    if kind in ("the_day", "bare_ordinal"):
        day = _day_number(g["day"])
        return (_day_in_month(today, day) if day else None), 0.88 if kind == "the_day" else 0.84
    return None, 0.0


def find_dates(text: str, now: dt.datetime | dt.date) -> list[Found]:
    """Every date phrase in ``text`` (non-overlapping, longest first) as ISO dates."""
    today = now.date() if isinstance(now, dt.datetime) else now
    return list(_find_dates(text, today))


_WRITTEN_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


@lru_cache(maxsize=4096)
def _find_dates(text: str, today: dt.date) -> tuple[Found, ...]:
    # A date written without a year ("to June 9th") shares the year written next to another one.
    years = {int(y) for y in _WRITTEN_YEAR.findall(text)}
    year_hint = years.pop() if len(years) == 1 else None
    taken = DisjointSpans()
    found: list[Found] = []
    for kind, pattern in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            start, end = m.span()
            if taken.overlaps(start, end):
                continue
            value, confidence = _resolve(kind, m, today, year_hint)
            if value is None:
                continue
            taken.add(start, end)
            found.append(Found(start, end, value.isoformat(), confidence))
    return tuple(sorted(found, key=lambda f: f.start))


def parse_date(phrase: str, now: dt.datetime | dt.date) -> str | None:
    """The ISO date ``phrase`` means when the whole phrase is one date, else None."""
    text = phrase.strip()
    found = find_dates(text, now)
    if len(found) == 1:
        rest = (text[: found[0].start] + text[found[0].end :]).strip(" ,.")
        if not rest or rest.lower() in ("on", "for", "by", "of"):
            return found[0].value
    return _dateparser(text, now)


_NUMERIC_DATE = re.compile(r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}")


def _dateparser(text: str, now: dt.datetime | dt.date) -> str | None:
    """Fallback for absolute dates in other formats ("05.03.2019", "2019/03/05")."""
    if len(text) > 40 or not _NUMERIC_DATE.search(text):
        return None
    import dateparser

    base = now if isinstance(now, dt.datetime) else dt.datetime.combine(now, dt.time())
    base = base.replace(tzinfo=None)
    settings = {"RELATIVE_BASE": base, "STRICT_PARSING": True, "PREFER_DAY_OF_MONTH": "first"}
    parsed = dateparser.parse(text, languages=["en"], settings=settings)
    return parsed.date().isoformat() if parsed else None


_HOUR_WORDS = {k: v for k, v in NUMBER_WORDS.items() if 1 <= v <= 12}
_HOUR = r"(?P<hour>[01]?\d|2[0-3]|" + "|".join(sorted(_HOUR_WORDS, key=len, reverse=True)) + ")"
_MINUTE = r"(?P<minute>[0-5]\d)"
_AMPM = r"(?P<ampm>a\.?\s?m\.?|p\.?\s?m\.?)(?![a-z])"
_PERIOD = r"(?P<period>morning|afternoon|evening|night|noon|tonight)"
_OCLOCK = r"o\s?['\"\u2019]?\s?clock"

_TIME_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("word", re.compile(r"\b(?P<word>noon|midday|midnight)\b", re.I)),
    (
        "past_to",
        re.compile(
            rf"\b(?P<frac>half|quarter|(?:\d{{1,2}}|twenty|ten|five|twenty[- ]five)(?:\s+minutes)?)\s+"
            rf"(?P<rel>past|after|to|before)\s+{_HOUR}(?:\s*{_OCLOCK})?"
            rf"(?:\s*{_AMPM}|\s+(?:in\s+the\s+|at\s+)?{_PERIOD})?",
            re.I,
        ),
    ),
    (
        "clock",
        re.compile(
            rf"(?:\b{_PERIOD}\s+(?:at\s+)?)?\b(?P<h2>[01]?\d|2[0-3]):{_MINUTE}\b"
            rf"(?:\s*{_AMPM}|\s+(?:in\s+the\s+|at\s+)?(?P<period2>morning|afternoon|evening|night))?",
            re.I,
        ),
    ),
    (
        "hour_ampm",
        re.compile(rf"\b{_HOUR}(?:\s*{_OCLOCK})?\s*{_AMPM}", re.I),
    ),
    (
        "hour_period",
        re.compile(
            rf"\b{_HOUR}(?:\s*{_OCLOCK})?\s+(?:(?:in\s+the\s+|at\s+|this\s+)"
            rf"(?P<period>morning|afternoon|evening|night)|(?P<tonight>tonight))\b",
            re.I,
        ),
    ),
    ("period_hour", re.compile(rf"\b{_PERIOD}\s+(?:at\s+)?{_HOUR}(?:\s*{_OCLOCK})?\b(?![:.]\d)", re.I)),
    ("oclock", re.compile(rf"\b{_HOUR}\s*{_OCLOCK}", re.I)),
]


def _hour(text: str) -> int:
    text = text.lower()
    return int(text) if text.isdigit() else _HOUR_WORDS[text]


def _apply_period(hour: int, ampm: str | None, period: str | None) -> tuple[int, bool]:
    """24-hour clock hour for ``hour`` given "am"/"pm" or a part of the day; True when that was explicit."""
    if ampm:
        pm = ampm.lower().startswith("p")
        if hour > 12:
            return hour, True
        return (hour % 12) + (12 if pm else 0), True
    if period:
        period = period.lower()
        if period == "morning":
            return (0 if hour == 12 else hour), True
        if period in ("afternoon", "evening", "night", "tonight", "noon"):
            if period == "night" and hour == 12:
                return 0, True
            return (hour if hour >= 12 or (period == "night" and hour < 5) else hour + 12), True
    return hour, False


def _time_of(kind: str, m: re.Match[str]) -> tuple[str | None, float]:
    g = m.groupdict()
    if kind == "word":
        return ("00:00" if g["word"].lower() == "midnight" else "12:00"), 0.93
    period = g.get("period") or g.get("period2") or ("night" if g.get("tonight") else None)
    if kind == "past_to":
        frac = g["frac"].lower().replace(" minutes", "").replace("-", " ")
        minutes = {"half": 30, "quarter": 15, "twenty five": 25}.get(frac)
        if minutes is None:
            minutes = int(frac) if frac.isdigit() else NUMBER_WORDS.get(frac, -1)
        if not 0 < minutes < 60:
            return None, 0.0
        hour = _hour(g["hour"])
        if g["rel"].lower() in ("to", "before"):
            hour, minutes = (hour - 1) % 24 or 12, 60 - minutes
        hour, explicit = _apply_period(hour, g.get("ampm"), period)
        return f"{hour:02d}:{minutes:02d}", 0.93 if explicit else 0.8
    if kind == "clock":
        hour, minute = int(g["h2"]), int(g["minute"])
        hour, explicit = _apply_period(hour, g.get("ampm"), period)
        clear = explicit or hour >= 13 or g["h2"].startswith("0") or hour == 0
        return f"{hour:02d}:{minute:02d}", 0.95 if clear else 0.86
    hour = _hour(g["hour"])
    if kind == "oclock":
        return f"{hour:02d}:00", 0.8
    if kind == "hour_period" and not period:
        return None, 0.0
    hour, explicit = _apply_period(hour, g.get("ampm"), period)
    if not explicit:
        return None, 0.0
    return f"{hour:02d}:00", 0.93


def find_times(text: str) -> list[Found]:
    """Every time-of-day phrase in ``text`` (non-overlapping) as 24-hour ``HH:MM``."""
    return list(_find_times(text))


@lru_cache(maxsize=4096)
def _find_times(text: str) -> tuple[Found, ...]:
    taken = DisjointSpans()
    found: list[Found] = []
    for kind, pattern in _TIME_PATTERNS:
        for m in pattern.finditer(text):
            start, end = m.span()
            if taken.overlaps(start, end):
                continue
            value, confidence = _time_of(kind, m)
            if value is None:
                continue
            taken.add(start, end)
            found.append(Found(start, end, value, confidence))
    return tuple(sorted(found, key=lambda f: f.start))


_BARE_HOUR = re.compile(r"(?:at\s+)?([01]?\d|2[0-3])", re.I)


def parse_time(phrase: str) -> str | None:
    """The ``HH:MM`` time ``phrase`` means when the whole phrase is one time, else None."""
    text = phrase.strip()
    found = find_times(text)
    if len(found) == 1:
        rest = (text[: found[0].start] + text[found[0].end :]).strip(" ,.")
        if not rest or rest.lower() in ("at", "around", "by", "about"):
            return found[0].value
    m = _BARE_HOUR.fullmatch(text)
    if m and len(m.group(1)) == 2:
        return f"{int(m.group(1)):02d}:00"
    return None
