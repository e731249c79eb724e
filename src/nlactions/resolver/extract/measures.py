"""How a number's unit fits a need's unit, and spelled-out counts of things ("two sides")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from nlactions.resolver.extract.context import Context
from nlactions.resolver.extract.cues import cue_after
from nlactions.resolver.extract.profile import NeedProfile
from nlactions.resolver.extract.text import STOPWORDS, stem
from nlactions.resolver.extract.units import Unit, convert, help_units, unit_after
from nlactions.resolver.numbers import Number

__all__ = ["COUNTED_CUE", "UNIT_CUE", "Fit", "counted_cue", "fit_unit", "number_unit", "quantifies"]

UNIT_CUE = 0.9  # a number in the very unit the need's help asks for is named by that unit
COUNTED_CUE = 0.95  # "16 bars" for a need the help calls "the number of bars"
_COUNT_OF = re.compile(r"\b(?:number|count|total|how many)\s+(?:of\s+)?((?:[a-z]+\s+){0,2}?[a-z]+s)\b", re.I)
_NOT_COUNTED = frozenset({"times", "days", "years", "months", "weeks", "hours", "minutes", "seconds"})
_ATTACHED = re.compile(r"(?<=\d)([A-Za-z°µμ²³/^]+)$")
# Symbols that are both a unit and a temperature scale ("5C" coulombs, "30C" degrees).
_SCALES = {"C": "degC", "F": "degF"}


@dataclass(frozen=True, slots=True)
class Fit:
    """A number's fit to a need: matched (same unit), converted, clash (wrong unit) or unknown."""

    how: Literal["unknown", "match", "converted", "clash"]
    value: float | None = None


def number_unit(ctx: Context, number: Number) -> Unit | None:
    """The unit glued to a number ("50mH") or written after it ("3 meters/second")."""
    if number.kind not in ("plain",) or number.word:
        return None
    raw = ctx.text[number.start : number.end]
    m = _ATTACHED.search(raw)
    return unit_after(ctx.text, number.end, m.group(1) if m else "")


def fit_unit(need: NeedProfile, number: Number, unit: Unit | None) -> Fit:
    """Whether ``number`` (in ``unit``) is in a unit the need asks for, converting within a dimension."""
    wanted = help_units(need.need.help_text)
    if number.kind in ("money", "percent") and (need.counts or (number.kind == "money" and wanted)):
        return Fit("clash")  # a count of things, or a measure in units, is not a sum of money or a percentage
    if unit is None or not wanted:
        return Fit("unknown")
    names = {unit.name, _SCALES.get(unit.name, "")}
    if any(w.name in names or w.name == unit.name.split("/")[0] for w in wanted):
        return Fit("match", float(number.value))  # "12 miles per year" is still a number of miles
    for target in wanted:
        converted = convert(float(number.value), unit, target)
        if converted is not None:
            return Fit("converted", converted)
    if any(w.dimension == unit.dimension for w in wanted):
        return Fit("unknown")  # same kind of measure without an exact size ("months" for "years")
    return Fit("clash")


def quantifies(ctx: Context, number: Number, needs: list[NeedProfile]) -> bool:
    """True for "two sides", "three numbers": a spelled-out count of things that are not one need's value.

    The count stays a value when exactly one need is named by the counted noun ("two adults").
    """
    if not number.word or number.kind != "plain":
        return False
    after = ctx.view.after(number.end, 1)
    if not after or ctx.text[number.end : after[0].start] != " ":
        return False
    noun = after[0]
    if not noun.lower.isalpha() or not noun.lower.endswith("s") or noun.lower.endswith("ss"):
        return False
    return sum(1 for n in needs if cue_after(n, ctx.view, number.end) >= 0.5) != 1


@lru_cache(maxsize=4096)
def _counted(help_text: str, label: str) -> frozenset[str]:
    """Stems of the plural nouns a need counts: "The number of bars in the tune" -> {"bar"}."""
    out = set()
    for m in _COUNT_OF.finditer(f"{label}. {help_text}"):
        noun = m.group(1).split()[-1].lower()
        if noun not in _NOT_COUNTED and noun not in STOPWORDS:
            out.add(stem(noun))
    return frozenset(out)


def counted_cue(ctx: Context, need: NeedProfile, number: Number) -> float:
    """How surely a plain count names the need by the thing it counts ("ten major events")."""
    if number.kind != "plain" or need.need.type != "int":
        return 0.0
    counted = _counted(need.need.help_text, need.need.label)
    if not counted:
        return 0.0
    for word in ctx.view.after(number.end, 3):
        if word.stem in counted:
            return COUNTED_CUE
        if word.lower in STOPWORDS or not word.lower.isalpha():
            return 0.0
    return 0.0
