"""Needs that take a unit's name ("unit", "to_unit"): the unit the text asks for ("in km/h") or measures in."""

from __future__ import annotations

from nlactions.resolver.extract.context import Context
from nlactions.resolver.extract.profile import NeedProfile, words_of
from nlactions.resolver.extract.proposal import Proposal
from nlactions.resolver.extract.units import TOKEN, Unit, unit_after

__all__ = ["find_unit_names"]

ASKED = 0.86  # "give it in km/h"
MEASURED = 0.82  # "a radius of 4 inches": the only unit the numbers are written in
_UNIT_WORDS = frozenset({"unit", "units"})
_INTO = frozenset({"in", "into"})


def _wants_unit(need: NeedProfile) -> bool:
    words = set(words_of(need.need.label)) | set(words_of(need.key))
    return need.kind == "text" and not need.need.list and bool(words & _UNIT_WORDS)


def _mentions(ctx: Context) -> tuple[list[tuple[int, int, Unit]], list[tuple[int, int, Unit]]]:
    """Units after "in"/"into" ("in miles"), and units written after numbers ("4 inches")."""
    asked: list[tuple[int, int, Unit]] = []
    for word in ctx.view.words:
        if word.lower not in _INTO:
            continue
        m = TOKEN.match(ctx.text, word.end + 1) if ctx.text[word.end : word.end + 1] == " " else None
        unit = unit_after(ctx.text, word.end) if m else None
        if m is not None and unit is not None:
            asked.append((m.start(), m.start() + len(m.group().rstrip(".,?!")), unit))
    measured: list[tuple[int, int, Unit]] = []
    for number in ctx.numbers():
        m = TOKEN.match(ctx.text, number.end + 1) if ctx.text[number.end : number.end + 1] == " " else None
        unit = unit_after(ctx.text, number.end) if m else None
        if m is not None and unit is not None:
            measured.append((m.start(), m.start() + len(m.group().rstrip(".,?!")), unit))
    return asked, measured


def find_unit_names(ctx: Context) -> list[Proposal]:
    """The one unit the text asks for (else the one unit its numbers are in) for a need that takes a unit."""
    needs = [p for p in ctx.profiles if _wants_unit(p)]
    if len(needs) != 1:
        return []
    asked, measured = _mentions(ctx)
    for found, conf, detail in ((asked, ASKED, "unit asked for"), (measured, MEASURED, "unit of the numbers")):
        if not found:
            continue
        if len({u.name for _, _, u in found}) != 1:
            return []
        start, end, _ = found[-1]
        return [Proposal(needs[0].key, ctx.text[start:end], conf, start, end, detail)]
    return []
