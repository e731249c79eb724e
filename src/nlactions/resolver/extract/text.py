"""The instructions read once: words with offsets, stems and segment boundaries."""

from __future__ import annotations

import re
from dataclasses import dataclass

from nlactions.resolver.normalise import FUNCTION_WORDS, fold, stem

__all__ = ["STOPWORDS", "TextView", "Word", "stem"]

# Function words of the shared list plus the ones that matter when reading whole instructions.
STOPWORDS = FUNCTION_WORDS | frozenset(
    [
        "but",
        "are",
        "was",
        "were",
        "been",
        "being",
        "its",
        "these",
        "those",
        "us",
        "he",
        "she",
        "they",
        "them",
        "their",
        "his",
        "her",
        "as",
        "into",
        "onto",
        "about",
        "than",
        "then",
        "so",
        "if",
        "do",
        "does",
        "did",
        "can",
        "could",
        "would",
        "should",
        "will",
        "shall",
        "may",
        "might",
        "must",
        "all",
        "just",
        "also",
        "there",
        "here",
        "what",
        "which",
        "who",
        "whom",
        "whose",
        "when",
        "where",
        "how",
        "want",
        "wants",
        "need",
        "needs",
        "like",
        "would",
        "get",
        "give",
        "let",
        "make",
        "am",
        "im",
        "id",
        "ive",
    ]
)

_WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*", re.UNICODE)
_BREAK = re.compile(r"[.!?;]+(?=\s|$)|\n")


@dataclass(frozen=True, slots=True)
class Word:
    """One word of the text: where it is, its folded form and stem, and its segment."""

    index: int
    start: int
    end: int
    text: str
    lower: str
    stem: str
    segment: int

    @property
    def capitalised(self) -> bool:
        """True for "Oslo", "UNESCO", "O'Brien"; False for "paris" and digits."""
        return self.text[:1].isupper()


class TextView:
    """Words of a text with their offsets, so finders can look around a span."""

    def __init__(self, text: str):
        self.text = text
        breaks = [m.start() for m in _BREAK.finditer(text)]
        words: list[Word] = []
        segment, b = 0, 0
        for i, m in enumerate(_WORD.finditer(text)):
            while b < len(breaks) and breaks[b] < m.start():
                segment += 1
                b += 1
            raw = m.group()
            words.append(Word(i, m.start(), m.end(), raw, fold(raw), stem(raw), segment))
        self.words = words
        self.segments = segment + 1
        self._starts = [w.start for w in words]
        self._leads: list[bool] | None = None

    def only_stopwords_before(self, index: int) -> bool:
        """True when every earlier word of word ``index``'s segment is a stopword (or there is none)."""
        if self._leads is None:
            leads: list[bool] = []
            segment, clear = -1, True
            for word in self.words:
                if word.segment != segment:
                    segment, clear = word.segment, True
                leads.append(clear)
                clear = clear and word.lower in STOPWORDS
            self._leads = leads
        return self._leads[index]

    def index_at(self, pos: int) -> int:
        """Index of the first word starting at or after ``pos``."""
        lo, hi = 0, len(self._starts)
        while lo < hi:
            mid = (lo + hi) // 2
            if self._starts[mid] < pos:
                lo = mid + 1
            else:
                hi = mid
        return lo

    def starting_within(self, start: int, end: int) -> list[Word]:
        """The words that start at or after ``start`` and before ``end``."""
        return self.words[self.index_at(start) : self.index_at(end)]

    def before(self, pos: int, n: int) -> list[Word]:
        """Up to ``n`` words ending before ``pos`` in the same segment, nearest first."""
        i = self.index_at(pos) - 1
        out: list[Word] = []
        seg = self.segment_at(pos)
        while i >= 0 and len(out) < n and self.words[i].segment == seg:
            if self.words[i].end <= pos:
                out.append(self.words[i])
            i -= 1
        return out

    def after(self, pos: int, n: int) -> list[Word]:
        """Up to ``n`` words starting at or after ``pos`` in the same segment, nearest first."""
        i = self.index_at(pos)
        seg = self.segment_at(pos - 1) if pos else 0
        return [w for w in self.words[i : i + n] if w.segment == seg]

    def segment_at(self, pos: int) -> int:
        """The segment (sentence or line) a character offset falls in."""
        i = self.index_at(pos + 1) - 1
        return self.words[i].segment if 0 <= i < len(self.words) else 0

    def gap(self, start: int, end: int) -> str:
        """The raw text between two offsets."""
        return self.text[start:end]
