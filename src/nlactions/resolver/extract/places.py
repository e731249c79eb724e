"""Places for the needs that take one: a proper name after "in", "at", "to", "from", "near"..."""

from __future__ import annotations

from nlactions.resolver.extract.context import Context
from nlactions.resolver.extract.names import name_at
from nlactions.resolver.extract.profile import NeedProfile
from nlactions.resolver.extract.proposal import Proposal
from nlactions.resolver.extract.slots import Span, fill_slots
from nlactions.resolver.extract.text import TextView

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
}


def _with_region(view: TextView, end: int) -> int:
    """Extend a place over ", CA" / ", France" that follows it."""
    text = view.text
    if text[end : end + 2] != ", ":
        return end
    i = view.index_at(end + 1)
    if i >= len(view.words):
        return end
    nxt = view.words[i]
    if nxt.capitalised and (nxt.text.isupper() or len(view.words) > i) and nxt.start == end + 2:
        return nxt.end
    return end


def place_spans(ctx: Context, wants_region: bool) -> list[Span]:
    """Proper names right after a preposition, with the role the preposition gives them."""
    view = ctx.view
    out: list[Span] = []
    for word in view.words:
        prep = _PREPOSITIONS.get(word.lower)
        if prep is None:
            continue
        span = name_at(view, word.index + 1)
        if span is None or view.segment_at(span[0]) != word.segment:
            continue
        start, end = span
        if wants_region:
            end = _with_region(view, end)
        role, conf = prep
        value = view.text[start:end]
        out.append(Span(start, end, value, conf, role, word.segment))  # type: ignore[arg-type]
    return out


def _render(need: NeedProfile, span: Span) -> str:
    return str(span.value)


def find_places(ctx: Context, taken: list[tuple[int, int]]) -> list[Proposal]:
    """Proposals for place needs; spans already used by other finders (``taken``) are skipped."""
    needs = ctx.of_kind("place")
    if not needs:
        return []
    wants_region = any(
        "state" in p.need.help_text.lower() or "country" in p.need.help_text.lower() for p in needs
    )
    spans = [
        s for s in place_spans(ctx, wants_region) if not any(s.start < e and b < s.end for b, e in taken)
    ]
    return fill_slots(ctx.view, needs, spans, _render, "place")
