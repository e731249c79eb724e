"""Numbers for numeric needs (and choices whose labels are numbers), by the words that name them."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from nlactions.resolver.extract.context import Context
from nlactions.resolver.extract.cues import cue_before, cue_near
from nlactions.resolver.extract.profile import NeedProfile
from nlactions.resolver.extract.proposal import Proposal
from nlactions.resolver.numbers import Number

__all__ = ["find_quantities"]

NAMED_BASE = 0.55
NAMED_GAIN = 0.4
NAMED_MIN = 0.5  # weaker naming (a word of the help text only) is not enough on its own
CLEAR_LEAD = 0.2  # over the next need the same words name
SHARED = 0.05  # needs named alike ("mass1", "mass2") take their numbers in order, a bit less surely
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
        if not p.need.list and (p.kind in ("int", "float") or (p.kind == "choice" and p.choice_kind == "number"))
    ]


def find_quantities(ctx: Context) -> list[Proposal]:
    """Proposals for numbers named by nearby words, then for required needs by order of mention."""
    needs = _numeric(ctx)
    numbers = [n for n in ctx.numbers() if not _in_brackets(ctx.text, n)]
    if not needs or not numbers:
        return []
    values = [[_value_for(need, number) for number in numbers] for need in needs]
    cues = [
        [
            _cue(ctx, need, number) if values[i][j] is not None else 0.0
            for j, number in enumerate(numbers)
        ]
        for i, need in enumerate(needs)
    ]
    out: list[Proposal] = []
    shared: dict[tuple[int, ...], list[int]] = defaultdict(list)
    for j, number in enumerate(numbers):
        ranked = sorted(range(len(needs)), key=lambda i: -cues[i][j])
        best = cues[ranked[0]][j]
        if best < NAMED_MIN:
            continue
        alike = tuple(sorted(i for i in ranked if cues[i][j] >= best - 0.05))
        if len(alike) > 1:
            shared[alike].append(j)
            continue
        i = ranked[0]
        runner_up = cues[ranked[1]][j] if len(ranked) > 1 else 0.0
        conf = NAMED_BASE + NAMED_GAIN * best - (0.1 if runner_up > best - CLEAR_LEAD else 0.0)
        out.append(Proposal(needs[i].key, values[i][j], conf, number.start, number.end, "number named nearby"))
    for group, js in shared.items():
        if len(js) != len(group):
            continue
        for i, j in zip(group, js, strict=True):
            conf = NAMED_BASE + NAMED_GAIN * cues[i][j] - SHARED
            out.append(Proposal(needs[i].key, values[i][j], conf, numbers[j].start, numbers[j].end, "number named alike, in order"))
    out += _by_order(needs, numbers, values, out)
    return out


def _cue(ctx: Context, need: NeedProfile, number: Number) -> float:
    if number.word and not need.counts:
        # "two charges" counts charges; it is not the value of a charge ("three star" is).
        nxt = ctx.view.after(number.end, 1)
        if nxt and nxt[0].lower.endswith("s") and not nxt[0].lower.endswith("ss"):
            return cue_before(need, ctx.view, number.start)
    cue = cue_near(need, ctx.view, number.start, number.end)
    if number.kind == "ordinal" and cue < 0.9:
        return 0.0  # "the 3rd" is a position, not a quantity, unless named ("16th century")
    return cue


def _by_order(
    needs: list[NeedProfile], numbers: list[Number], values: list[list[Any]], named: list[Proposal]
) -> list[Proposal]:
    """Required plain-number needs nothing named take the unclaimed numbers in order, if counts agree."""
    claimed = [p for p in named if p.confidence >= 0.8]
    filled = {p.need for p in claimed}
    open_idx = [
        i for i, n in enumerate(needs) if n.key not in filled and n.need.required and n.kind in ("int", "float")
    ]
    free = [
        j
        for j, n in enumerate(numbers)
        if n.kind in ("plain", "money", "percent") and not any(n.start < p.end and p.start < n.end for p in claimed)
    ]
    if not open_idx or len(free) != len(open_idx):
        return []
    out = []
    conf = ONLY_ONE if len(free) == 1 else IN_ORDER
    for i, j in zip(open_idx, free, strict=True):
        if values[i][j] is None:
            return []
        out.append(Proposal(needs[i].key, values[i][j], conf, numbers[j].start, numbers[j].end, "number in order of mention"))
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
