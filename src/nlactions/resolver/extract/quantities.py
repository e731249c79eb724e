"""Numbers for numeric needs (and choices whose labels are numbers), by the words that name them."""

from __future__ import annotations

from typing import Any

from nlactions.resolver.extract.context import Context
from nlactions.resolver.extract.cues import cue_near
from nlactions.resolver.extract.profile import NeedProfile
from nlactions.resolver.extract.proposal import Proposal, assign
from nlactions.resolver.numbers import Number

__all__ = ["find_quantities"]

NAMED_BASE = 0.55
NAMED_GAIN = 0.4
IN_ORDER = 0.82
ONLY_ONE = 0.84


def _value_for(need: NeedProfile, number: Number) -> Any:
    """The number as the need takes it, or None when it does not fit the need's type."""
    value: int | float = number.value
    if number.kind == "percent" and need.need.type == "float" and need.percent_as_fraction:
        value = round(value / 100, 10)
    if need.kind == "choice":
        if need.index is None:
            return None
        hits = need.index.by_value("number", repr(float(value)))
        return hits[0].key if len(hits) == 1 else None
    if need.need.type == "int":
        if isinstance(value, float):
            if not value.is_integer():
                return None
            value = int(value)
        return value
    if need.need.type == "float":
        return value
    if need.need.type in ("str", "any"):
        return str(value)
    return None


def _numeric(ctx: Context) -> list[NeedProfile]:
    return [
        p
        for p in ctx.profiles
        if not p.need.list
        and (p.kind in ("int", "float") or (p.kind == "choice" and p.choice_kind == "number"))
    ]


def find_quantities(ctx: Context) -> list[Proposal]:
    """Proposals for numbers named by nearby words, then for required needs by order of mention."""
    needs = _numeric(ctx)
    numbers = [n for n in ctx.numbers() if not _in_brackets(ctx.text, n)]
    if not needs or not numbers:
        return []
    out: list[Proposal] = []
    for need in needs:
        for number in numbers:
            value = _value_for(need, number)
            if value is None:
                continue
            cue = cue_near(need, ctx.view, number.start, number.end)
            if number.kind == "ordinal" and cue < 0.9:
                continue
            if cue <= 0.0:
                continue
            conf = NAMED_BASE + NAMED_GAIN * cue
            out.append(Proposal(need.key, value, conf, number.start, number.end, "number named nearby"))
    out += _by_order(needs, numbers, out)
    return out


def _by_order(needs: list[NeedProfile], numbers: list[Number], named: list[Proposal]) -> list[Proposal]:
    """Required plain-number needs left open take the unclaimed numbers in order, if counts agree."""
    taken = assign(p for p in named if p.confidence >= 0.8)
    used = [(p.start, p.end) for p in taken.values()]
    open_needs = [n for n in needs if n.key not in taken and n.need.required and n.kind in ("int", "float")]
    free = [
        n
        for n in numbers
        if n.kind in ("plain", "money", "percent") and not any(n.start < e and s < n.end for s, e in used)
    ]
    if not open_needs or len(free) != len(open_needs):
        return []
    out = []
    conf = ONLY_ONE if len(free) == 1 else IN_ORDER
    for need, number in zip(open_needs, free, strict=True):
        value = _value_for(need, number)
        if value is None:
            return []
        out.append(Proposal(need.key, value, conf, number.start, number.end, "number in order of mention"))
    return out


def _in_brackets(text: str, number: Number) -> bool:
    """True for numbers inside a [...] or (...) list, which belong to list needs."""
    opened = max(text.rfind("[", 0, number.start), text.rfind("(", 0, number.start))
    if opened < 0:
        return False
    closed = max(text.rfind("]", 0, number.start), text.rfind(")", 0, number.start))
    if closed > opened:
        return False
    close = min((i for i in (text.find("]", number.end), text.find(")", number.end)) if i >= 0), default=-1)
    return close >= 0 and "," in text[opened:close]
