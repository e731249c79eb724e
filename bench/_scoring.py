"""Scoring shared by bench/resolve.py and bench/folds.py: the data README's matching rules and one tally.

A field passes if its value matches any acceptable value; strings compare lower-cased without
spaces and ``, . / - _ * ^``; an int is accepted for a number; lists compare element by element;
``null`` means "leaving it unset is fine". A value taken from the need's declared default stands
for "unset", so it passes where ``null`` is acceptable and is not counted as a fill.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

__all__ = ["FieldScore", "Tally", "field_passes", "value_matches"]

_STRIP = str.maketrans("", "", " ,./-_*^")


def _norm_str(value: str) -> str:
    return value.lower().translate(_STRIP)


def value_matches(value: Any, acceptable: Any) -> bool:
    """True when ``value`` equals one acceptable value under the README's rules."""
    if acceptable is None:
        return value is None
    if isinstance(acceptable, bool) or isinstance(value, bool):
        return isinstance(value, bool) and isinstance(acceptable, bool) and value == acceptable
    if isinstance(acceptable, str):
        return isinstance(value, str) and _norm_str(value) == _norm_str(acceptable)
    if isinstance(acceptable, int | float):
        if not isinstance(value, int | float):
            return False
        if isinstance(acceptable, int) and isinstance(value, float) and not value.is_integer():
            return False
        return float(value) == float(acceptable)
    if isinstance(acceptable, list):
        return (
            isinstance(value, list)
            and len(value) == len(acceptable)
            and all(value_matches(v, a) for v, a in zip(value, acceptable, strict=True))
        )
    if isinstance(acceptable, dict):
        return _dict_matches(value, acceptable)
    return bool(value == acceptable)


def _dict_matches(value: Any, acceptable: Mapping[str, Any]) -> bool:
    if not isinstance(value, dict) or set(value) - set(acceptable):
        return False
    for key, options in acceptable.items():
        options = options if isinstance(options, list) else [options]
        if key not in value:
            if None not in options and "" not in options:
                return False
        elif not any(value_matches(value[key], o) for o in options if o is not None):
            return False
    return True


def field_passes(value: Any, expected: Sequence[Any], *, from_default: bool) -> bool:
    """A field passes if its value matches any acceptable value (a default also passes for null)."""
    if value is None or (from_default and None in expected):
        return None in expected or (value is not None and any(value_matches(value, e) for e in expected))
    return any(value_matches(value, e) for e in expected if e is not None)


@dataclass(frozen=True, slots=True)
class FieldScore:
    """One field's outcome: did it pass, was it filled from the text, did it need a value."""

    passed: bool
    filled: bool
    needed: bool


@dataclass
class Tally:
    """Counts for one category, fold or pool, and the seconds each record took."""

    records: int = 0
    passed: int = 0
    filled: int = 0
    filled_right: int = 0
    needed: int = 0
    needed_right: int = 0
    needed_unfilled: int = 0
    seconds: list[float] = field(default_factory=list)

    def count_field(self, score: FieldScore) -> None:
        """Add one field's outcome."""
        if score.filled:
            self.filled += 1
            self.filled_right += score.passed
        if score.needed:
            self.needed += 1
            self.needed_right += score.passed
            self.needed_unfilled += not score.filled

    def count_record(self, passed: bool, seconds: float | None = None) -> None:
        """Add one record (its fields are counted with ``count_field``)."""
        self.records += 1
        self.passed += passed
        if seconds is not None:
            self.seconds.append(seconds)

    def add(self, other: Tally) -> None:
        """Accumulate another tally."""
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def figures(self, *, latency: bool = True) -> dict[str, float | int]:
        """Accuracy, precision, recall and abstention; filled and wrong, or p50/p99 latency."""

        def ratio(a: int, b: int) -> float:
            return round(a / b, 4) if b else 0.0

        out: dict[str, float | int] = {
            "records": self.records,
            "record_accuracy": ratio(self.passed, self.records),
            "field_precision": ratio(self.filled_right, self.filled),
            "field_recall": ratio(self.needed_right, self.needed),
            "abstention_rate": ratio(self.needed_unfilled, self.needed),
            "filled": self.filled,
        }
        if latency:
            out["p50_ms"] = self._percentile(0.5)
            out["p99_ms"] = self._percentile(0.99)
        else:
            out["wrong"] = self.filled - self.filled_right
        return out

    def _percentile(self, q: float) -> float:
        lat = sorted(self.seconds)
        return round(lat[min(len(lat) - 1, int(q * len(lat)))] * 1000, 3) if lat else 0.0
