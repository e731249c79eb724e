"""Lookups over offsets of a text in logarithmic time, so that reading it stays linear in its length.

The finders ask the same questions of every word or number: does this stretch overlap one already
taken, where is the next clause end, is there a bracket before it. Asked by scanning a list or the
text each time, those questions made extraction quadratic; these answer them by bisection.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable

__all__ = ["CharPositions", "DisjointSpans", "NextMatch", "SpanSet"]


class SpanSet:
    """A fixed set of ``(start, end)`` spans, possibly overlapping, asked whether a stretch overlaps one."""

    def __init__(self, spans: Iterable[tuple[int, int]]):
        ordered = sorted(spans)
        self._starts = [s for s, _ in ordered]
        self._max_end: list[int] = []
        best = -1
        for _, e in ordered:
            best = max(best, e)
            self._max_end.append(best)

    def overlaps(self, start: int, end: int) -> bool:
        """True when some span has ``s < end`` and ``start < e`` (the same test as a scan of the list)."""
        k = bisect.bisect_left(self._starts, end)
        return k > 0 and self._max_end[k - 1] > start

    def covers(self, pos: int) -> bool:
        """True when some span has ``s <= pos < e``."""
        k = bisect.bisect_right(self._starts, pos)
        return k > 0 and self._max_end[k - 1] > pos


class DisjointSpans:
    """Spans that never overlap one another, added one by one (the "taken" list of a greedy reading)."""

    def __init__(self) -> None:
        self._spans: list[tuple[int, int]] = []
        self._starts: list[int] = []

    def overlaps(self, start: int, end: int) -> bool:
        """True when a span added so far has ``s < end`` and ``start < e``."""
        k = bisect.bisect_left(self._starts, end)
        # Disjoint spans in (start, end) order have their ends in order too: the last one decides.
        return k > 0 and self._spans[k - 1][1] > start

    def add(self, start: int, end: int) -> None:
        """Record a span that overlaps none recorded so far."""
        k = bisect.bisect_left(self._spans, (start, end))
        self._spans.insert(k, (start, end))
        self._starts.insert(k, start)


class NextMatch:
    """``pattern.search(text, pos).start()`` for growing ``pos``, each stretch of the text scanned once.

    Whether the pattern matches at an offset does not depend on where the search began, so the
    answer found from ``pos`` holds for every later ``pos`` up to it.
    """

    def __init__(self, pattern: re.Pattern[str], text: str):
        self._pattern = pattern
        self._text = text
        self._from = -1
        self._found: re.Match[str] | None = None
        self._to = -1

    def search(self, pos: int) -> re.Match[str] | None:
        """The first match starting at or after ``pos``, or None."""
        if not (self._from <= pos <= self._to):
            self._found = self._pattern.search(self._text, pos)
            self._from = pos
            self._to = self._found.start() if self._found else len(self._text)
        return self._found


class CharPositions:
    """Where each of a few characters occurs in a text, for "the last '[' before" questions."""

    def __init__(self, text: str, chars: str):
        self._at = {c: [m.start() for m in re.finditer(re.escape(c), text)] for c in chars}

    def last_before(self, char: str, pos: int) -> int:
        """``text.rfind(char, 0, pos)``."""
        at = self._at[char]
        k = bisect.bisect_left(at, pos)
        return at[k - 1] if k else -1

    def first_from(self, char: str, pos: int) -> int:
        """``text.find(char, pos)``."""
        at = self._at[char]
        k = bisect.bisect_left(at, pos)
        return at[k] if k < len(at) else -1

    def any_between(self, char: str, start: int, end: int) -> bool:
        """``char in text[start:end]``."""
        at = self._at[char]
        k = bisect.bisect_left(at, max(start, 0))
        return k < len(at) and at[k] < end
