"""Numbers for numeric needs (and choices whose labels are numbers), by the words that name them."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from nlactions.resolver.extract.context import Context
from nlactions.resolver.extract.cues import counts_people, cue_before, cue_near, people_counted
from nlactions.resolver.extract.measures import UNIT_CUE, Fit, counted_cue, fit_unit, number_unit, quantifies
from nlactions.resolver.extract.profile import NeedProfile, words_of
from nlactions.resolver.extract.proposal import Proposal
from nlactions.resolver.extract.text import STOPWORDS, stem
from nlactions.resolver.extract.years import is_year, said_as_year, takes_years
from nlactions.resolver.numbers import Number
from nlactions.resolver.spans import SpanSet

__all__ = ["find_quantities"]

NAMED_BASE = 0.55
NAMED_GAIN = 0.4
CHOICE_BASE = 0.6  # a number that must also be one of the need's choices is checked twice
NAMED_MIN = 0.5  # weaker naming (a word of the help text only) is not enough on its own
CLEAR_LEAD = 0.2  # over the next need the same words name
SHARED = 0.05  # needs named alike ("width1", "width2") take their numbers in order, a bit less surely
IN_ORDER = 0.82
MAX_IN_ORDER = 2  # three or more unnamed numbers in a row were right about half the time
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
        if isinstance(value, float) and value.is_integer() and number.kind != "plain":
            value = int(value)
        return str(value)
    return None


def _measured(need: NeedProfile, number: Number, fit: Fit) -> Any:
    """The number as the need takes it, in the need's unit; None when the units clash."""
    if fit.how == "clash":
        return None
    if fit.how == "converted" and fit.value is not None:
        value = int(fit.value) if fit.value.is_integer() else fit.value
        return _value_for(need, Number(number.start, number.end, value, number.kind, number.word))
    return _value_for(need, number)


def _unit_cue(fit: Fit, cue: float) -> float:
    """A number in the need's own unit is named by it; a name nearby adds a little."""
    if fit.how in ("match", "converted"):
        return min(1.0, max(cue, UNIT_CUE) + 0.1 * cue)
    return cue


def _numeric(ctx: Context) -> list[NeedProfile]:
    return [
        p
        for p in ctx.profiles
        if not p.need.list
        and (p.kind in ("int", "float", "number") or (p.kind == "choice" and p.choice_kind == "number"))
    ]


def find_quantities(ctx: Context) -> list[Proposal]:
    """Proposals for numbers named by nearby words, then for required needs by order of mention."""
    needs = _numeric(ctx)
    numbers = [n for n in ctx.numbers() if not _in_brackets(ctx, n)]
    in_dates = {n.start for n in ctx.numbers_in_dates()}
    extra = [n for n in ctx.numbers_in_dates() if not _in_brackets(ctx, n)]
    numbers = sorted([*numbers, *extra], key=lambda n: n.start)
    if not needs or not numbers:
        return []
    numbers = [n for n in numbers if not _counts_things(ctx, n, needs)]
    units = [number_unit(ctx, n) for n in numbers]
    fits = [[fit_unit(need, n, u) for n, u in zip(numbers, units, strict=True)] for need in needs]
    reads = [_NumberRead.of(ctx, n) for n in numbers]
    anyone_counts_people = any(counts_people(p) for p in ctx.profiles)
    scales = [_NeedScale.of(need, anyone_counts_people) for need in needs]
    values = [
        [
            None if read.year and not scale.years else _measured(need, _in_scale(scale, number, read), fit)
            for number, read, fit in zip(numbers, reads, row, strict=True)
        ]
        for need, scale, row in zip(needs, scales, fits, strict=True)
    ]
    cues = [
        [
            max(
                _unit_cue(fits[i][j], _cue(ctx, need, number, number.start in in_dates, reads[j], scales[i])),
                counted_cue(ctx, need, number),
            )
            if values[i][j] is not None
            else 0.0
            for j, number in enumerate(numbers)
        ]
        for i, need in enumerate(needs)
    ]
    out: list[Proposal] = _parallel(ctx, needs, numbers, values)
    paired = {p.start for p in out}
    shared: dict[tuple[int, ...], list[int]] = defaultdict(list)
    for j, number in enumerate(numbers):
        if number.start in paired:
            continue
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
        base = CHOICE_BASE if needs[i].kind == "choice" else NAMED_BASE
        conf = base + NAMED_GAIN * best - (0.1 if runner_up > best - CLEAR_LEAD else 0.0)
        out.append(Proposal(needs[i].key, values[i][j], conf, number.start, number.end, "number named nearby"))
    for group, js in shared.items():
        if len(js) != len(group):
            continue
        for i, j in zip(group, js, strict=True):
            conf = NAMED_BASE + NAMED_GAIN * cues[i][j] - SHARED
            out.append(
                Proposal(
                    needs[i].key, values[i][j], conf, numbers[j].start, numbers[j].end, "number named alike, in order"
                )
            )
    out += _by_order(ctx, needs, numbers, values, out, in_dates)
    return out


_LIST_GAP = re.compile(r"^\s*(?:,\s*(?:and\s+)?|and\s+)$")
_PARALLEL_LINKS = frozenset({"as", "are", "is", "were", "was", "be", "of", "respectively"})
PARALLEL = 0.92


def _runs(text: str, numbers: list[Number]) -> list[list[int]]:
    """Indexes of numbers written as a list ("4cm and 9cm", "2, 7 and 9")."""
    runs: list[list[int]] = []
    for j, number in enumerate(numbers):
        if runs and _LIST_GAP.match(text[numbers[runs[-1][-1]].end : number.start]):
            runs[-1].append(j)
        else:
            runs.append([j])
    return [r for r in runs if len(r) >= 2]


def _parallel(ctx: Context, needs: list[NeedProfile], numbers: list[Number], values: list[list[Any]]) -> list[Proposal]:
    """ "width and depth as 4cm and 9cm": a list of names, then a list of as many numbers."""
    view = ctx.view
    out: list[Proposal] = []
    for run in _runs(ctx.text, numbers):
        before = view.before(numbers[run[0]].start, 12)
        while before and before[0].lower in _PARALLEL_LINKS:
            before = before[1:]
        chunks: list[list[str]] = [[]]
        for word in before:
            gap = ctx.text[word.end : view.words[word.index + 1].start] if word.index + 1 < len(view.words) else ""
            if word.lower == "and" or ("," in gap and chunks[-1]):
                if len(chunks) == len(run):
                    break
                if word.lower == "and":
                    chunks.append([])
                    continue
                chunks.append([])
            if word.lower in STOPWORDS:
                if chunks[-1]:
                    break
                continue
            chunks[-1].append(word.stem)
        chunks = [c for c in chunks if c]
        if len(chunks) != len(run):
            continue
        chosen: list[int] = []
        for chunk in reversed(chunks):
            scores = [max((n.cue(s) for s in chunk), default=0.0) for n in needs]
            best = max(scores)
            winners = [i for i, s in enumerate(scores) if s == best]
            if best < 1.0 or len(winners) != 1 or winners[0] in chosen:
                break
            chosen.append(winners[0])
        if len(chosen) != len(run):
            continue
        for i, j in zip(chosen, run, strict=True):
            if values[i][j] is not None:
                number = numbers[j]
                out.append(
                    Proposal(
                        needs[i].key,
                        values[i][j],
                        PARALLEL,
                        number.start,
                        number.end,
                        "numbers listed with their names",
                    )
                )
    return out


_MINOR = frozenset({"cent", "cents", "penny", "pennies", "pence"})


@dataclass(frozen=True, slots=True)
class _NumberRead:
    """What the words around one number say about it, read once per number."""

    money: bool  # "$12", "12 dollars", "50 cents"
    minor: bool  # written in cents
    people: bool  # "1 person", "4 guests"
    year: bool  # "in 2019"

    @classmethod
    def of(cls, ctx: Context, number: Number) -> _NumberRead:
        after = ctx.view.after(number.end, 1)
        minor = bool(after) and after[0].lower in _MINOR
        return cls(_is_money(ctx, number), minor, people_counted(ctx.view, number.end), said_as_year(ctx.view, number))


@dataclass(frozen=True, slots=True)
class _NeedScale:
    """What a numeric need takes, read once per need: cents or not, years, counts of people."""

    money: bool
    minor: bool
    years: bool
    people: bool  # the need counts people
    people_elsewhere: bool  # another need of the action counts people

    @classmethod
    def of(cls, need: NeedProfile, anyone_counts_people: bool) -> _NeedScale:
        minor = bool(_MINOR & set(words_of(f"{need.need.label} {need.need.help_text}")))
        people = counts_people(need)
        return cls(need.money, minor, takes_years(need), people, not people and anyone_counts_people)


def _in_scale(scale: _NeedScale, number: Number, read: _NumberRead) -> Number:
    """The number in the need's scale: dollars for a need counted in cents x 100, cents for one in dollars / 100."""
    if not read.money or scale.minor == read.minor or not (scale.money or scale.minor):
        return number
    scaled = round(number.value * 100, 8) if scale.minor else round(number.value / 100, 10)
    value = int(scaled) if float(scaled).is_integer() else scaled
    return Number(number.start, number.end, value, number.kind, number.word)


_CURRENCY = frozenset({"dollar", "dollars", "buck", "bucks", "usd", "euro", "euros", "eur", "pound", "pounds", "gbp",
                       "yen", "cents", "rupees", "francs"})  # fmt: skip


def _is_money(ctx: Context, number: Number) -> bool:
    after = ctx.view.after(number.end, 1)
    return number.kind == "money" or bool(after and after[0].lower in _CURRENCY | _MINOR)


def _cue(ctx: Context, need: NeedProfile, number: Number, in_date: bool, read: _NumberRead, scale: _NeedScale) -> float:
    if need.money and read.money and not in_date:
        return 1.0  # "$12", "forty bucks" for an amount of money
    if number.word and not need.counts:
        # "two boxes" counts boxes; it is not the value of a box ("a two week stay" is a value).
        nxt = ctx.view.after(number.end, 1)
        if nxt and nxt[0].lower.endswith("s") and not nxt[0].lower.endswith("ss"):
            return cue_before(need, ctx.view, number.start)
    if read.people and scale.people_elsewhere:
        return 0.0  # "a rating for 1 person": the number is the need that counts people
    cue = cue_near(need, ctx.view, number.start, number.end)
    if in_date and cue < 0.9:
        return 0.0  # a number inside "in 2 days" or "March 12" counts only when named
    if number.kind == "ordinal" and cue < 0.9:
        return 0.0  # "the 3rd" is a position, not a quantity, unless named ("5th floor")
    return cue


# Units of measure: a number followed by one of these is still just a measurement.
_UNIT_WORDS = """unit units cm mm m km meter meters metre metres inch inches in ft feet foot yard yards mile miles
    kg g gram grams kilogram kilograms lb lbs pound pounds oz ounce ounces ton tons l liter liters litre litres
    ml second seconds sec secs minute minutes min mins hour hours hr hrs day days week weeks month months year
    years percent degree degrees celsius fahrenheit kelvin dollar dollars usd eur euro euros cent cents mph kph
    kmh times point points"""
UNITS = frozenset(stem(w) for w in _UNIT_WORDS.split())


def _counts_something_else(ctx: Context, need: NeedProfile, number: Number) -> bool:
    """ "3 kids" is a count of kids: not a value for a need the word "kids" does not name."""
    after = ctx.view.after(number.end, 1)
    if not after:
        return False
    word = after[0]
    plural = word.lower.endswith("s") and not word.lower.endswith("ss")
    if not plural or not word.lower.isalpha() or word.lower in STOPWORDS or len(word.lower) <= 3:
        return False
    return word.stem not in UNITS and need.cue(word.stem) == 0


def _by_order(
    ctx: Context,
    needs: list[NeedProfile],
    numbers: list[Number],
    values: list[list[Any]],
    named: list[Proposal],
    in_dates: set[int],
) -> list[Proposal]:
    """Required plain-number needs nothing named take the unclaimed numbers in order, if counts agree."""
    claimed = [p for p in named if p.confidence >= 0.8]
    filled = {p.need for p in claimed}
    open_idx = [
        i for i, n in enumerate(needs) if n.key not in filled and n.need.required and n.kind in ("int", "float")
    ]
    claimed_spans = SpanSet((p.start, p.end) for p in claimed)
    free = [
        j
        for j, n in enumerate(numbers)
        if n.kind in ("plain", "money", "percent")
        and n.start not in in_dates
        and not claimed_spans.overlaps(n.start, n.end)
    ]
    if not open_idx or len(free) != len(open_idx) or len(free) > MAX_IN_ORDER:
        return []
    out = []
    conf = ONLY_ONE if len(free) == 1 else IN_ORDER
    for i, j in zip(open_idx, free, strict=True):
        if values[i][j] is None or _counts_something_else(ctx, needs[i], numbers[j]):
            return []
        if is_year(ctx.view, numbers[j]) and not takes_years(needs[i]):
            return []  # "the invoice for 2023": a year, unnamed, is not the amount
        detail = "the only number" if len(free) == 1 else f"number in order of mention ({len(free)})"
        out.append(Proposal(needs[i].key, values[i][j], conf, numbers[j].start, numbers[j].end, detail))
    return out


def _counts_things(ctx: Context, number: Number, needs: list[NeedProfile]) -> bool:
    """ "two sides" counts sides; "two dollars", "two weeks" are amounts."""
    after = ctx.view.after(number.end, 1)
    if _is_money(ctx, number) or (after and after[0].stem in UNITS):
        return False
    return quantifies(ctx, number, needs)


def _in_brackets(ctx: Context, number: Number) -> bool:
    """True for numbers inside a [...] or (...) list, which belong to list needs."""
    at = ctx.brackets()
    opened = max(at.last_before("[", number.start), at.last_before("(", number.start))
    if opened < 0:
        return False
    closed = max(at.last_before("]", number.start), at.last_before(")", number.start))
    if closed > opened:
        return False
    close = min((i for i in (at.first_from("]", number.end), at.first_from(")", number.end)) if i >= 0), default=-1)
    return close >= 0 and at.any_between(",", opened, close)
