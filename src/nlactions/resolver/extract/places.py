"""Places for the needs that take one: a proper name after "in", "at", "to", "from", "near"..."""

from __future__ import annotations

import re

from nlactions.resolver.extract.context import Context
from nlactions.resolver.extract.names import name_at, settled_end
from nlactions.resolver.extract.profile import NeedProfile, words_of
from nlactions.resolver.extract.proposal import Proposal
from nlactions.resolver.extract.slots import Span, fill_slots
from nlactions.resolver.extract.text import STOPWORDS, TextView
from nlactions.resolver.spans import SpanSet

__all__ = ["find_places"]

# Preposition -> (role, confidence of reading a place after it).
_PREPOSITIONS: dict[str, tuple[str | None, float]] = {
    "in": (None, 0.88),
    "near": (None, 0.86),
    "around": (None, 0.86),
    "within": (None, 0.8),
    "at": (None, 0.8),
    "from": ("origin", 0.86),
    "to": ("destination", 0.86),
    "into": ("destination", 0.84),
    "towards": ("destination", 0.84),
    "toward": ("destination", 0.84),
    "for": (None, 0.8),
    # Verbs of travel work like prepositions: "leaving Oslo", "heading Bergen", "visiting Lyon".
    "leaving": ("origin", 0.84),
    "departing": ("origin", 0.84),
    "heading": ("destination", 0.84),
    "visiting": ("destination", 0.84),
    "visit": ("destination", 0.82),
    "of": ("origin", 0.82),  # only after "out": "out of OSL"
    "is": (None, 0.82),  # only after a word that names the need: "the destination is Porto"
}
# Short replies that start with a capitalised word without naming a place.
NOT_OPENERS = frozenset(
    [
        "yes",
        "no",
        "yeah",
        "yep",
        "nope",
        "sure",
        "thanks",
        "thank",
        "ok",
        "okay",
        "hi",
        "hello",
        "hey",
        "great",
        "perfect",
        "please",
        "well",
        "actually",
        "sorry",
        "alright",
        "cool",
        "fine",
        "awesome",
        "correct",
        "right",
        "exactly",
        "also",
        "and",
        "but",
        "so",
        "then",
        "now",
        "wait",
        "good",
        "nice",
        "excellent",
        "search",
        "try",
        "find",
        "look",
        "get",
        "book",
        "show",
        "give",
        "make",
        "check",
        "tell",
        "help",
        "let",
        "need",
        "want",
        "go",
        "take",
        "send",
        "play",
        "call",
        "set",
        "add",
        "put",
        "schedule",
        "reserve",
        "buy",
        "rent",
        "order",
        "just",
        "maybe",
        "only",
        "how",
        "what",
        "where",
        "when",
        "which",
        "who",
        "why",
        "can",
        "could",
        "would",
        "will",
        "shall",
        "should",
        "do",
        "does",
        "is",
        "are",
        "was",
        "were",
        "i",
    ]
)


_INITIALS = re.compile(r"^(?:[A-Z]\.)+$")  # "D.C."


def _with_region(view: TextView, end: int) -> int:
    """Extend a place over ", CA" / ", France" that follows it."""
    text = view.text
    if text[end : end + 2] != ", ":
        return end
    i = view.index_at(end + 1)
    if i >= len(view.words):
        return end
    if view.words[i].start != end + 2:
        return end
    span = name_at(view, i, skip_article=False)
    if span is None:
        return end
    region = text[span[0] : span[1]]
    if "." in region and not _INITIALS.match(region):
        region = region[: region.index(".")]  # "UK." ends the sentence; "Canada.I" runs into the next one
    return span[0] + len(region) if region.strip() else end


def place_spans(ctx: Context) -> list[Span]:
    """Proper names right after a preposition, with the role the preposition gives them."""
    view = ctx.view
    out: list[Span] = []
    for word in view.words:
        prep = _PREPOSITIONS.get(word.lower)
        if prep is None:
            continue
        prev = view.words[word.index - 1] if word.index else None
        if word.lower == "of" and (prev is None or prev.lower != "out"):
            continue
        if word.lower == "is" and (prev is None or not any(p.cue(prev.stem) >= 0.5 for p in ctx.of_kind("place"))):
            continue
        nxt = view.words[word.index + 1] if word.index + 1 < len(view.words) else None
        if word.lower in ("leaving", "heading") and nxt is not None and nxt.lower in ("for", "to", "from"):
            continue  # "leaving for X" reads as the preposition's role
        at = word.index + 1
        number = None
        if at + 1 < len(view.words) and view.words[at].text.isdigit() and view.words[at].segment == word.segment:
            number, at = view.words[at], at + 1  # "to 12 Elm Street"
        span = name_at(view, at)
        if span is None and number is not None and at < len(view.words):
            nxt = view.words[at]
            if nxt.lower[:1].isdigit() and at + 1 < len(view.words):
                span = name_at(view, at + 1)
                span = (nxt.start, span[1]) if span else None
        if span is None or view.segment_at(span[0]) != word.segment:
            continue
        if number is not None:
            span = (number.start, span[1])
        start, end = span
        settled = settled_end(view, start, end)
        if settled is None:
            continue  # "Las vegas": where the name ends is a guess
        end = settled
        wider = _with_region(view, end)
        role, conf = prep
        if word.lower == "for" and prev is not None and prev.lower in ("leaving", "leave", "heading", "headed"):
            role = "destination"
        if word.lower == "is" and prev is not None:
            role = next((p.role for p in ctx.of_kind("place") if p.cue(prev.stem) >= 0.5 and p.role), None)
        alt = view.text[start:wider] if wider > end else None
        out.append(Span(start, end, view.text[start:end], conf, role, word.segment, alt))  # type: ignore[arg-type]
    out += _replies(ctx)
    return out


def _replies(ctx: Context) -> list[Span]:
    """A sentence that opens with a place: "Santa Monica at 7 pm.", "Galway, please."."""
    view = ctx.view
    out: list[Span] = []
    for word in view.words:
        if word.index and view.words[word.index - 1].segment == word.segment:
            continue  # not the first word of its sentence
        if word.lower in NOT_OPENERS or word.lower in STOPWORDS:
            continue
        span = name_at(view, word.index, skip_article=False)
        if span is None:
            continue
        start, end = span
        settled = settled_end(view, start, end)
        if settled is None:
            continue
        end = settled
        words = ctx.text[start:end].split()
        follows = ctx.text[end : end + 1]
        if len(words) >= 2 or follows in (",", ".", "!", ""):
            wider = _with_region(view, end)
            alt = view.text[start:wider] if wider > end else None
            out.append(Span(start, end, view.text[start:end], 0.8, None, word.segment, alt))
    return out


_CITY_STATE = re.compile(r"\b[A-Z][a-z]+, [A-Z]{2}\b")


def _wants_region(need: NeedProfile) -> bool:
    """True when the need's help asks for "city and state" or shows "City, ST" by example."""
    help_text = need.need.help_text
    lower = help_text.lower()
    return "state" in lower or "country" in lower or bool(_CITY_STATE.search(help_text))


# "Japanese", "Italian", "Spanish", "Korean": one word with a nationality ending names a people,
# a cuisine or a language ("I'm interested in Japanese"), not a place.
_NATIONALITY = re.compile(r"^[A-Z][a-z]+(?:ese|ish|ian|ean)$")


def _render(need: NeedProfile, span: Span) -> str | None:
    if _NATIONALITY.match(str(span.value)):
        return None
    if _wants_region(need):
        # The need asks for "City, State": give it only when the text has both.
        return None if span.alt is None else str(span.alt)
    if span.alt is not None and not _is_city(need):
        return str(span.alt)  # "Manhattan, New York": a place with the region the text gives it
    return str(span.value)


_CITY_WORDS = frozenset({"city", "town", "village"})


def _is_city(need: NeedProfile) -> bool:
    """True when the need's key or label names a city, town or village: the name without its region."""
    return bool(_CITY_WORDS & set(words_of(f"{need.need.key} {need.need.label}")))


def find_places(ctx: Context, taken: list[tuple[int, int]]) -> list[Proposal]:
    """Proposals for place needs; spans already used by other finders (``taken``) are skipped."""
    needs = ctx.of_kind("place")
    if not needs:
        return []
    used = SpanSet(taken)
    spans = [s for s in place_spans(ctx) if not used.overlaps(s.start, s.end)]
    return fill_slots(ctx.view, needs, spans, _render, "place")
