"""Years written as numbers ("in 2019", "since 1990"): a year is not an amount, a count or a limit."""

from __future__ import annotations

from nlactions.resolver.extract.profile import NeedProfile, words_of
from nlactions.resolver.extract.text import STOPWORDS, TextView
from nlactions.resolver.numbers import Number

__all__ = ["is_year", "said_as_year", "takes_years"]

FIRST_YEAR = 1800
LAST_YEAR = 2100
_YEAR_WORDS = frozenset({"year", "yr", "season", "vintage"})
# Words before a number that make it a point in time: "in 2019", "since 1990", "the year 2020".
_TIME_BEFORE = frozenset({"in", "since", "during", "until", "till", "before", "after", "from", "of", "year",
                          "circa", "by", "through", "thru"})  # fmt: skip


def is_year(view: TextView, number: Number) -> bool:
    """True for a plain four-digit whole number in the span of years that no word it counts follows.

    "in 2019.", "2019 and 2020", "in 2012 Messi" read as years; "1800 square feet", "2000 dollars" do not.
    """
    text = view.text[number.start : number.end]
    if number.kind != "plain" or number.word or not text.isdigit() or len(text) != 4:
        return False
    if not FIRST_YEAR <= int(number.value) <= LAST_YEAR:
        return False
    after = view.after(number.end, 1)
    if not after or after[0].segment != view.segment_at(number.start):
        return True
    word = after[0]
    return word.lower in STOPWORDS or word.capitalised or bool(view.gap(number.end, word.start).strip())


def said_as_year(view: TextView, number: Number) -> bool:
    """True for a year-shaped number after a word of time ("in 2019", "since 1990"): it names a time."""
    before = view.before(number.start, 1)
    return is_year(view, number) and bool(before) and before[0].lower in _TIME_BEFORE


def takes_years(need: NeedProfile) -> bool:
    """True when the need is a year (or a date or free text that may hold one), not an amount or a count."""
    if need.kind not in ("int", "float", "number"):
        return True
    words = words_of(f"{need.need.key} {need.need.label}")
    return any(w in _YEAR_WORDS for w in words) or "year" in need.need.help_text.lower().split()
