"""Keep only the small local model's values that can be traced back to the instructions.

A 270M-parameter model fills fields it should leave null (copying a choice label into a name,
the "to" address into "cc"). A value survives if its text appears in the instructions (fuzzily)
and no other field of the same answer took the same value. Types that cannot be traced (dates,
booleans, objects) keep their value with a confidence below the engine's usual threshold.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rapidfuzz import fuzz, utils

from nlactions.catalog import Choice, NeedSpec
from nlactions.resolver.base import ResolvedValue

GROUNDED_SCORE = 90.0
"""Minimum rapidfuzz partial ratio between a value and the instructions."""

_TRACEABLE = {"str", "int", "float", "any"}


def ground(
    values: Mapping[str, ResolvedValue],
    *,
    instructions: str,
    needs: Mapping[str, NeedSpec],
    candidates: Mapping[str, Sequence[Choice]],
    known: Mapping[str, Any],
    untraced_confidence: float = 0.5,
) -> dict[str, ResolvedValue]:
    """The values whose text appears in ``instructions`` and is not shared with another field."""
    text = utils.default_process(instructions)
    taken = {_fingerprint(v) for v in known.values()}
    kept: dict[str, ResolvedValue] = {}
    ordered = sorted(values.items(), key=lambda kv: not (needs.get(kv[0]) and needs[kv[0]].required))
    for key, found in ordered:
        need = needs.get(key)
        if need is None:
            continue
        labels = {c.key: c.label for c in candidates.get(key, ())}
        items = found.value if isinstance(found.value, list) else [found.value]
        if not labels and need.type not in _TRACEABLE:
            kept[key] = ResolvedValue(found.value, min(found.confidence, untraced_confidence), found.source)
            continue
        if not all(_appears(labels.get(str(item), str(item)), text) for item in items):
            continue
        fingerprint = _fingerprint(found.value)
        if fingerprint in taken:
            continue
        taken.add(fingerprint)
        kept[key] = found
    return kept


def _appears(value: str, text: str) -> bool:
    needle = utils.default_process(value)
    if not needle:
        return False
    if len(needle) <= 3:
        return f" {needle} " in f" {text} "
    return fuzz.partial_ratio(needle, text, processor=None) >= GROUNDED_SCORE


def _fingerprint(value: Any) -> str:
    items = value if isinstance(value, list) else [value]
    return "|".join(sorted(utils.default_process(str(item)) for item in items))
