"""A loaded list of choices and when it was loaded; encoded compactly for storage."""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from nlactions.catalog import Choice


def as_utc(moment: dt.datetime) -> dt.datetime:
    """The same instant, timezone-aware in UTC (SQLite hands back naive datetimes)."""
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


class FoldedText:
    """Case-folded labels and keys of a list, also joined into one string each for fast substring search."""

    def __init__(self, choices: Sequence[Choice]):
        self.labels = [c.label.casefold().replace("\n", " ") for c in choices]
        self.keys = [c.key.casefold().replace("\n", " ") for c in choices]
        self._labels = _Joined(self.labels)
        self._keys = _Joined(self.keys)

    def containing(self, text: str) -> set[int]:
        """Indices of the choices whose folded label or key contains ``text``."""
        return self._labels.containing(text) | self._keys.containing(text)

    def containing_all(self, words: Sequence[str]) -> set[int]:
        """Indices of the choices whose folded label contains every one of ``words``.

        The rarest word (counted in C) is searched for; the others are checked on its hits only.
        """
        if not words:
            return set()
        ordered = sorted(words, key=self._labels.count)
        found = self._labels.containing(ordered[0])
        labels = self.labels
        return {i for i in found if all(word in labels[i] for word in ordered[1:])}


class _Joined:
    """Strings joined by newlines, with where each starts, so a search runs in C over all of them."""

    def __init__(self, parts: Sequence[str]):
        self.text = "\n".join(parts)
        self.starts: list[int] = []
        offset = 0
        for part in parts:
            self.starts.append(offset)
            offset += len(part) + 1

    def count(self, needle: str) -> int:
        """How often ``needle`` occurs in all the parts together."""
        return self.text.count(needle)

    def containing(self, needle: str) -> set[int]:
        """Indices of the parts that contain ``needle``."""
        found: set[int] = set()
        if not needle or "\n" in needle:
            return found
        at = self.text.find(needle)
        while at != -1:
            index = bisect.bisect_right(self.starts, at) - 1
            found.add(index)
            # Continue after the end of this part: one hit per part is enough.
            nxt = self.starts[index + 1] if index + 1 < len(self.starts) else len(self.text)
            at = self.text.find(needle, nxt)
        return found


@dataclass(eq=False)
class CachedChoices:
    """Every choice of one prefill for one set of params, and the moment they were loaded."""

    choices: tuple[Choice, ...]
    refreshed_at: dt.datetime
    _folded: FoldedText | None = field(default=None, repr=False)

    def age_seconds(self, now: dt.datetime) -> float:
        """Seconds since the choices were loaded (never negative)."""
        return max(0.0, (as_utc(now) - as_utc(self.refreshed_at)).total_seconds())

    def folded(self) -> FoldedText:
        """Case-folded labels and keys, computed once per list (used to filter by query)."""
        if self._folded is None:
            self._folded = FoldedText(self.choices)
        return self._folded


def encode_choices(choices: Sequence[Choice]) -> list[list[Any]]:
    """Choices as ``[key, label, sample]`` rows (a JSON column or a Redis value)."""
    return [[c.key, c.label, c.sample] for c in choices]


def decode_choices(rows: Sequence[Sequence[Any]]) -> tuple[Choice, ...]:
    """The inverse of ``encode_choices``."""
    return tuple(Choice(str(r[0]), str(r[1]), None if r[2] is None else str(r[2])) for r in rows)


def dumps(entry: CachedChoices) -> bytes:
    """Bytes for a key-value store."""
    return orjson.dumps(encode_choices(entry.choices))


def loads(blob: bytes, refreshed_at: dt.datetime) -> CachedChoices:
    """The inverse of ``dumps``."""
    return CachedChoices(decode_choices(orjson.loads(blob)), refreshed_at)
