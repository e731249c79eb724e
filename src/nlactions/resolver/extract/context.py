"""What every finder reads: the instructions, "now", and the profiles of the open needs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from nlactions.resolver.dates import Found, find_dates, find_times
from nlactions.resolver.extract.profile import NeedProfile
from nlactions.resolver.extract.text import TextView
from nlactions.resolver.numbers import Number, find_numbers

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
            spans = self.temporal_spans()
            self._numbers = [n for n in find_numbers(self.text) if not any(n.start < e and s < n.end for s, e in spans)]
        return self._numbers

    def numbers_in_dates(self) -> list[Number]:
        """Numbers inside a date or time phrase ("in 2 days", "the 5th floor")."""
        spans = self.temporal_spans()
        return [n for n in find_numbers(self.text) if any(n.start < e and s < n.end for s, e in spans)]

    def temporal_spans(self) -> list[tuple[int, int]]:
        """Where the dates and times read with some confidence are."""
        return [(f.start, f.end) for f in (*self.dates(), *self.times()) if f.confidence >= 0.85]

    def of_kind(self, *kinds: str) -> list[NeedProfile]:
        """Profiles of the given kinds."""
        return [p for p in self.profiles if p.kind in kinds]
