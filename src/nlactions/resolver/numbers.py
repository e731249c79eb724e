"""Numbers written in English text: digits, number words, percentages and amounts of money."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from nlactions.resolver.normalise import NUMBER_WORDS
from nlactions.resolver.spans import DisjointSpans

__all__ = ["Number", "find_numbers", "parse_coordinate", "parse_number"]

NumberKind = Literal["plain", "percent", "money", "ordinal"]


@dataclass(frozen=True, slots=True)
class Number:
    """A number found at ``start:end`` of a text; ``word`` is True when it was spelled out."""

    start: int
    end: int
    value: int | float
    kind: NumberKind
    word: bool = False


_SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
_SUFFIX = {"k": 1_000, "m": 1_000_000, "bn": 1_000_000_000}
_UNITS_WORDS = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10,
}  # fmt: skip

_DIGITS = re.compile(
    r"(?P<cur>[$€£¥])?\s?(?<![\w.:/^-])(?P<sign>[-+−])?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
    r"(?P<suffix>(?:st|nd|rd|th)\b|\s?%|\s?(?:percent|per\s?cent)\b|\s(?:hundred|thousand|million|billion)\b"
    r"|(?P<mult>[kKmM]|bn|BN)\b)?"
    r"(?P<unit>(?<=\d)[A-Za-z\u00b0\u00b5\u00b2\u00b3]{1,5}\b)?"
    r"(?![\w:/-]|\.\d)",
    re.I,
)
_WORDS = re.compile(
    rf"\b(?:(?P<a>a|an)\s+(?P<scale0>hundred|thousand|million)(?P<more>(?:[\s-](?:{_UNITS_WORDS}|hundred|thousand|million|and))*)|"
    rf"(?P<words>(?:{_UNITS_WORDS})(?:[\s-](?:{_UNITS_WORDS}|hundred|thousand|million|and))*))"
    r"(?P<pct>\s(?:percent|per\s?cent))?\b",
    re.I,
)
_ORDINAL_WORDS = re.compile(r"\b(?P<ord>" + "|".join(_ORDINALS) + r")\b", re.I)


_SAID_SIGN = re.compile(r"\b(?:minus|negative)\s+$", re.I)
# "5 degrees below zero", "10°F below zero": the sign said after the number (and its unit).
_BELOW_ZERO = re.compile(r"\s*(?:°\s*[CF]?|degrees?(?:\s+(?:celsius|fahrenheit|[CF]))?)?\s+below\s+zero\b", re.I)


def _signed(text: str, end: int, value: int | float, taken: DisjointSpans) -> int | float:
    """The value, negative when "below zero" follows it (whose "zero" is then no number of its own)."""
    below = _BELOW_ZERO.match(text, end)
    if below is None:
        return value
    taken.add(below.start(), below.end())
    return -value if value > 0 else value


_WORD_SPLIT = re.compile(r"[\s-]+")
_TRAILING_AND = re.compile(r"[\s-]+and$", re.I)


def _words_value(text: str) -> int | None:
    total, current = 0, 0
    seen = False
    for word in _WORD_SPLIT.split(text.lower()):
        if word == "and":
            continue
        if word in NUMBER_WORDS:
            current += NUMBER_WORDS[word]
            seen = True
        elif word in _SCALES:
            current = max(current, 1) * _SCALES[word]
            if _SCALES[word] > 100:
                total, current = total + current, 0
        else:
            return None
    return total + current if seen else None


_AND = re.compile(r"[\s-]+and[\s-]+", re.I)


def _pieces(words: str, offset: int) -> list[tuple[int, str]]:
    """Split number words at an "and" that does not follow a scale ("hundred and six" stays whole)."""
    out: list[tuple[int, str]] = []
    start = 0
    for m in _AND.finditer(words):
        before = words[start : m.start()].rsplit(None, 1)[-1].lower() if words[start : m.start()].strip() else ""
        if before in _SCALES:
            continue
        out.append((offset + start, words[start : m.start()]))
        start = m.end()
    out.append((offset + start, words[start:]))
    return out


def _clean_words(match: str) -> str:
    """Drop a trailing 'and' that the pattern swallowed ("three and")."""
    return _TRAILING_AND.sub("", match)


@lru_cache(maxsize=4096)
def _find(text: str) -> tuple[Number, ...]:
    found: list[Number] = []
    taken = DisjointSpans()
    for m in _DIGITS.finditer(text):
        raw = m.group("num").replace(",", "")
        value: int | float = float(raw) if "." in raw else int(raw)
        suffix = (m.group("suffix") or "").strip().lower()
        kind: NumberKind = "money" if m.group("cur") else "plain"
        if suffix in ("st", "nd", "rd", "th"):
            kind = "ordinal"
        elif suffix.startswith(("%", "percent", "per")):
            kind = "percent"
        elif m.group("mult"):
            if kind == "money":  # "$2.5M"; without a currency "5m" is five metres
                value = value * _SUFFIX[suffix.lower()]
                if isinstance(value, float) and value.is_integer():
                    value = int(value)
        elif suffix in _SCALES:
            value = value * _SCALES[suffix]
        if isinstance(value, float) and value.is_integer() and "." not in raw:
            value = int(value)
        if m.group("sign") in ("-", "−"):
            value = -value
        start = m.start("cur") if m.group("cur") else m.start("sign") if m.group("sign") else m.start("num")
        said = _SAID_SIGN.search(text, max(0, start - 10), start)
        if said is not None and not m.group("sign"):  # "minus 4", "negative 2.5": the sign said in words
            value, start = -value, said.start()
        found.append(Number(start, m.end(), _signed(text, m.end(), value, taken), kind))
        taken.add(start, m.end())
    for m in _WORDS.finditer(text):
        if taken.overlaps(m.start(), m.end()):
            continue
        if m.group("scale0"):
            more = _clean_words(m.group("more") or "")
            parsed = _words_value("one " + m.group("scale0") + more)  # "a hundred and ten"
            value = parsed if parsed is not None else _SCALES[m.group("scale0").lower()]
            end = m.end("scale0") + (len(more) if parsed is not None else 0)
        else:
            words = _clean_words(m.group("words"))
            pieces = _pieces(words, m.start("words"))
            for piece_start, piece in pieces[:-1]:  # "three and four" is two numbers
                parsed = _words_value(piece)
                if parsed is not None:
                    found.append(Number(piece_start, piece_start + len(piece), parsed, "plain", word=True))
            last_start, words = pieces[-1]
            parsed = _words_value(words)
            if parsed is None:
                continue
            value, end = parsed, last_start + len(words)
            if len(pieces) > 1:
                found.append(Number(last_start, end + (m.end() - end if m.group("pct") else 0), value,
                                    "percent" if m.group("pct") else "plain", word=True))  # fmt: skip
                continue
        kind = "percent" if m.group("pct") else "plain"
        if kind == "percent":
            end = m.end()
        found.append(Number(m.start(), end, _signed(text, end, value, taken), kind, word=True))
    for m in _ORDINAL_WORDS.finditer(text):
        if not taken.overlaps(m.start(), m.end()):
            found.append(Number(m.start(), m.end(), _ORDINALS[m.group("ord").lower()], "ordinal", word=True))
    return tuple(sorted(found, key=lambda n: n.start))


def find_numbers(text: str) -> list[Number]:
    """Every number in ``text``, in order of appearance."""
    return list(_find(text))


def parse_number(phrase: str) -> int | float | None:
    """The number ``phrase`` is when it is one number (digits or words), else None."""
    text = phrase.strip()
    found = _find(text)
    one = len(found) == 1 and found[0].kind in ("plain", "money")
    if one and not text[: found[0].start].strip() and not text[found[0].end :].strip():
        return found[0].value
    return None


_COORDINATE = re.compile(r"^(?P<num>\d{1,3}(?:\.\d+)?)\s*°?\s*(?P<dir>[NSEW])$", re.I)


def parse_coordinate(phrase: str) -> float | None:
    """A latitude or longitude written with its compass letter: "33.45 N" is 33.45, "112.07 W" is -112.07."""
    m = _COORDINATE.match(phrase.strip())
    if m is None:
        return None
    value = float(m.group("num"))
    return -value if m.group("dir").upper() in ("S", "W") else value
