"""What every finder reads: the instructions, "now", and the profiles of the open needs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from nlactions.resolver.dates import Found, find_dates, find_times
from nlactions.resolver.extract.profile import NeedProfile
from nlactions.resolver.extract.text import TextView
from nlactions.resolver.numbers import Number, find_numbers
from nlactions.resolver.spans import CharPositions, SpanSet

__all__ = ["Context"]


@dataclass
class Context:
    """The text analysed once and shared by the finders."""

    view: TextView
    now: dt.datetime
    profiles: list[NeedProfile]
    _dates: list[Found] | None = field(default=None, repr=False)
    _times: list[Found] | None = field(default=None, repr=False)
    _numbers: list[Number] | None = field(default=None, repr=False)
    _in_dates: list[Number] | None = field(default=None, repr=False)
    _brackets: CharPositions | None = field(default=None, repr=False)

    @property
    def text(self) -> str:
        """The instructions."""
        return self.view.text

    def dates(self) -> list[Found]:
        """Date phrases in the text."""
        if self._dates is None:
            self._dates = find_dates(self.text, self.now)
        return self._dates

    def times(self) -> list[Found]:
        """Time-of-day phrases in the text."""
        if self._times is None:
            self._times = find_times(self.text)
        return self._times

    def numbers(self) -> list[Number]:
        """Numbers that are not part of a date or a time."""
        if self._numbers is None:
            self._split_numbers()
        assert self._numbers is not None
        return self._numbers

    def numbers_in_dates(self) -> list[Number]:
        """Numbers inside a date or time phrase ("in 2 days", "the 5th floor")."""
        if self._in_dates is None:
            self._split_numbers()
        assert self._in_dates is not None
        return list(self._in_dates)

    def _split_numbers(self) -> None:
        spans = SpanSet(self.temporal_spans())
        numbers = find_numbers(self.text)
        self._numbers = [n for n in numbers if not spans.overlaps(n.start, n.end)]
        self._in_dates = [n for n in numbers if spans.overlaps(n.start, n.end)]

    def brackets(self) -> CharPositions:
        """Where the brackets and commas of the text are."""
        if self._brackets is None:
            self._brackets = CharPositions(self.text, "[](),")
        return self._brackets

    def temporal_spans(self) -> list[tuple[int, int]]:
        """Where the dates and times read with some confidence are."""
        return [(f.start, f.end) for f in (*self.dates(), *self.times()) if f.confidence >= 0.85]

    def of_kind(self, *kinds: str) -> list[NeedProfile]:
        """Profiles of the given kinds."""
        return [p for p in self.profiles if p.kind in kinds]
