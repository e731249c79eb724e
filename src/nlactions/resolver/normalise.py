"""Text normalisation shared by choice matching and extraction."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = [
    "ARTICLES",
    "NUMBER_WORDS",
    "fold",
    "normalise",
    "semantic_text",
    "stem",
    "stemmed",
    "tokens",
]

ARTICLES = frozenset({"a", "an", "the"})

NUMBER_WORDS: dict[str, int] = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}

# Words that name the kind of thing a choice is rather than which one it is ("the #general
# channel"); they dominate short embeddings, so semantic ranking drops them.
TYPE_WORDS = frozenset(
    {
        "board",
        "calendar",
        "channel",
        "folder",
        "group",
        "list",
        "option",
        "page",
        "project",
        "repo",
        "repository",
        "sheet",
        "space",
        "spreadsheet",
        "tab",
        "team",
        "workspace",
        "worksheet",
    }
)

_APOSTROPHE = re.compile(r"['\u2019\u2018`]")
_NON_WORD = re.compile(r"[^\w]+")
_LETTER_DIGIT = re.compile(r"(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])")
_SPACES = re.compile(r"\s+")


# Words that carry no content in a request or a label; modules extend this with their own.
FUNCTION_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "in",
        "on",
        "at",
        "to",
        "for",
        "from",
        "by",
        "with",
        "and",
        "or",
        "is",
        "it",
        "me",
        "my",
        "i",
        "you",
        "your",
        "our",
        "we",
        "this",
        "that",
        "be",
        "please",
        "some",
        "any",
    ]
)


def fold(text: str) -> str:
    """Unicode-normalise, drop accents and case-fold ``text``."""
    if text.isascii():
        return text.casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFKC", stripped).casefold()


@lru_cache(maxsize=65536)
def tokens(text: str) -> tuple[str, ...]:
    """Folded word tokens of ``text`` with apostrophes dropped and letters split from digits."""
    folded = _APOSTROPHE.sub("", fold(text)).replace("&", " and ")
    folded = _LETTER_DIGIT.sub(" ", folded)
    return tuple(t for t in _NON_WORD.sub(" ", folded).replace("_", " ").split() if t)


@lru_cache(maxsize=65536)
def normalise(text: str) -> str:
    """The comparison form of a label: folded, punctuation, '#', '@' and articles dropped, numbers as digits."""
    out = [str(NUMBER_WORDS[t]) if t in NUMBER_WORDS else t for t in tokens(text) if t not in ARTICLES]
    if not out:  # a label made only of articles ("A") keeps them
        out = list(tokens(text))
    return " ".join(out)


def semantic_text(text: str) -> str:
    """The form of a label or hint given to the embedding model: no '#', '@', articles or type words."""
    words = [w for w in _SPACES.split(text.replace("#", " ").replace("@", " ").strip()) if w]
    kept = [w for w in words if fold(w).strip(".,;:!?") not in ARTICLES | TYPE_WORDS]
    return " ".join(kept or words)


@lru_cache(maxsize=16384)
def stem(word: str) -> str:
    """A crude, consistent English stem ("tickets" -> "ticket", "leaving" -> "leav")."""
    w = fold(word).replace("'", "").replace("\u2019", "")
    if len(w) > 4 and w.endswith("ies"):
        w = w[:-3] + "y"
    elif len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    for suffix in ("ing", "ed"):
        if len(w) > len(suffix) + 3 and w.endswith(suffix):
            w = w[: -len(suffix)]
            break
    if len(w) > 3 and w.endswith("e"):
        w = w[:-1]
    return w


def stemmed(norm: str) -> str:
    """A normalised label with every word stemmed ("side roads" -> "side road")."""
    return " ".join(stem(w) for w in norm.split())
