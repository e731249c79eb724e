"""The offset lookups that keep extraction linear answer exactly what the scans they replaced answered."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from nlactions.resolver.spans import CharPositions, DisjointSpans, NextMatch, SpanSet

span = st.tuples(st.integers(0, 60), st.integers(0, 20)).map(lambda t: (t[0], t[0] + t[1]))


@given(st.lists(span, max_size=12), span)
def test_span_set_overlaps_as_a_scan_does(spans: list[tuple[int, int]], probe: tuple[int, int]) -> None:
    start, end = probe
    lookup = SpanSet(spans)
    assert lookup.overlaps(start, end) == any(start < e and s < end for s, e in spans)
    assert lookup.covers(start) == any(s <= start < e for s, e in spans)


@given(st.lists(span, max_size=20), st.lists(span, max_size=10))
def test_disjoint_spans_take_what_a_greedy_scan_takes(
    candidates: list[tuple[int, int]], probes: list[tuple[int, int]]
) -> None:
    taken: list[tuple[int, int]] = []
    lookup = DisjointSpans()
    for start, end in candidates:
        scanned = any(start < e and s < end for s, e in taken)
        assert lookup.overlaps(start, end) == scanned
        if not scanned:
            taken.append((start, end))
            lookup.add(start, end)
    for start, end in probes:
        assert lookup.overlaps(start, end) == any(start < e and s < end for s, e in taken)


PATTERNS = [re.compile(r"[.;!?\n]|,\s|\s+and\s+(?=[a-z]+\s)"), re.compile(r"(?<=a)b|\bx"), re.compile(r"\s+at\b|[.,]")]


@given(
    st.text(alphabet="ab x.,;and\nt", max_size=40), st.lists(st.integers(0, 45), max_size=10), st.sampled_from(PATTERNS)
)
def test_next_match_finds_what_a_fresh_search_finds(text: str, positions: list[int], pattern: re.Pattern[str]) -> None:
    lookup = NextMatch(pattern, text)
    for pos in sorted(positions) + positions:
        found, fresh = lookup.search(pos), pattern.search(text, pos)
        assert (found.start() if found else None) == (fresh.start() if fresh else None)


@given(st.text(alphabet="[](),ab", max_size=40), st.integers(0, 45), st.integers(0, 45))
def test_char_positions_answer_as_find_does(text: str, start: int, end: int) -> None:
    at = CharPositions(text, "[](),")
    for char in "[](),":
        assert at.last_before(char, start) == text.rfind(char, 0, start)
        assert at.first_from(char, start) == text.find(char, start)
        assert at.any_between(char, start, end) == (char in text[start:end])
