"""Proper names in running text: "San Francisco", "Legend of Zelda", "D.C.", "Toy Story 4"."""

from __future__ import annotations

from nlactions.resolver.dates import MONTHS, WEEKDAYS
from nlactions.resolver.extract.text import TextView, Word

__all__ = ["NOT_NAMES", "name_at"]

_JOINERS = frozenset(
    {"of", "de", "del", "la", "le", "du", "von", "van", "da", "di", "upon", "on", "the", "y", "&"}
)
# Capitalised words that are not names on their own.
NOT_NAMES = frozenset({"i", "im", "ive", "id", "ill", *MONTHS, *WEEKDAYS, "today", "tomorrow", "tonight"})
MAX_WORDS = 6


def _namey(word: Word) -> bool:
    return word.capitalised and word.lower not in NOT_NAMES


def name_at(view: TextView, index: int, *, skip_article: bool = True) -> tuple[int, int] | None:
    """Character span of the proper name starting at word ``index`` (after an optional "the"), or None."""
    words = view.words
    if index >= len(words):
        return None
    if skip_article and words[index].lower == "the" and index + 1 < len(words):
        index += 1
    first = words[index]
    if not _namey(first):
        return None
    last = first
    i = index + 1
    count = 1
    while i < len(words) and count < MAX_WORDS:
        word = words[i]
        gap = view.text[last.end : word.start]
        if word.segment != first.segment or gap.strip() not in ("", "-", "&", ".") or "\n" in gap:
            break
        dotted = gap.strip() == "." and len(word.text) <= 2 and len(last.text) <= 2
        if gap.strip() == "." and not dotted:
            break
        hyphened = gap == "-"
        if _namey(word) or dotted or hyphened or (word.text.isdigit() and len(word.text) <= 4):
            last = word
            count += 1
            i += 1
            continue
        if word.lower in _JOINERS and i + 1 < len(words) and _namey(words[i + 1]):
            nxt_gap = view.text[word.end : words[i + 1].start]
            if nxt_gap.strip() == "":
                last = words[i + 1]
                count += 2
                i += 2
                continue
        break
    end = last.end
    # Keep the dot of an abbreviation ("D.C.", "St.") but not a full stop after a longer word.
    if end < len(view.text) and view.text[end] == "." and len(last.text) <= 2 and last.text.isupper():
        end += 1
    return first.start, end
