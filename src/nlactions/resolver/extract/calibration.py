"""Calibrated confidence per signal: a value is as sure as its rule has measured, and weak rules abstain.

A signal is the finder and rule that read a value ("places: place named nearby"): the value's
detail with the words it quoted taken out. ``MEASURED`` holds, per signal, how many values it
filled on the folds it was measured on and how many were right (written by ``bench/resolve.py
--folds --write-calibration`` from an uncalibrated run over the tuning folds only; the other folds
check it). A measured signal's confidence is its measured precision; one whose precision is, even
at the optimistic end of its one-sided 95% interval (Wilson), below ``PRECISION_FLOOR`` abstains, because a
wrong write costs more than a question. Signals measured too rarely keep the finder's own confidence.
"""

from __future__ import annotations

import math
import re
from typing import Any

from nlactions.resolver.extract.calibration_table import MEASURED

__all__ = ["FREE_TEXT_SIGNALS", "MIN_SUPPORT", "PRECISION_FLOOR", "calibrated", "rule_of"]

# Finders whose values are spans of free text (measured by the value's shape as well).
FREE_TEXT_SIGNALS = frozenset({"phrases", "people", "places", "leftovers", "labelled"})

PRECISION_FLOOR = 0.97
MIN_SUPPORT = 20  # fewer measured values cannot show a precision near 0.97 either way
Z = 1.645  # one-sided 95%: a signal is dropped only when it is clearly below the floor
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
_MARKS = re.compile(r"\s*\((?:ambiguous|restated)\)")
_MARK_WORDS = re.compile(r"\((ambiguous|restated)\)")
_SPACES = re.compile(r"\s+")

enabled = True  # bench/resolve.py --uncalibrated turns it off to measure the raw signals


def _shape(value: Any) -> str:
    """How a text value is written: a name ("Sunday Chill"), lower-case words, or one mixing both."""
    if not isinstance(value, str) or not any(ch.isalpha() for ch in value):
        return ""
    words = [w for w in value.split() if w[:1].isalpha()]
    if not words:
        return ""
    upper = [w[:1].isupper() for w in words]
    return " [name]" if upper[0] and upper[-1] else " [lower]" if not any(upper) else " [mixed]"


def rule_of(signal: str, detail: str, value: Any = None, *, free_text: bool = False) -> str:
    """The signal's name: ``finder: rule`` without the quoted text, with a tie mark and, for free text, its shape.

    A rule reading free text is measured apart by how the value is written: "called Sunday Chill"
    and "called cooking" are read by one rule, but a name's boundaries are plain and lower-case
    words' are not.
    """
    marks = "".join(f" ({m})" for m in _MARK_WORDS.findall(detail))
    rule = _SPACES.sub(" ", _MARKS.sub("", _QUOTED.sub("…", detail))).strip()
    name = f"{signal}: {rule}" if signal else rule
    return name[:60] + marks + (_shape(value) if free_text else "")


def precision_of(rule: str) -> tuple[float, float] | None:
    """A signal's measured precision and the upper end of its one-sided 95% interval; None when measured too rarely."""
    counts = MEASURED.get(rule)
    if counts is None or counts[1] < MIN_SUPPORT:
        return None
    right, filled = counts
    p = right / filled
    centre = p + Z * Z / (2 * filled)
    margin = Z * math.sqrt(p * (1 - p) / filled + Z * Z / (4 * filled * filled))
    return p, (centre + margin) / (1 + Z * Z / filled)


def calibrated(rule: str, confidence: float) -> float | None:
    """The confidence to report for a value read by ``rule``; None when the rule is too unreliable to use."""
    if not enabled:
        return confidence
    measured = precision_of(rule)
    if measured is None:
        return confidence
    precision, optimistic = measured
    if optimistic < PRECISION_FLOOR:
        return None
    return round(min(precision, 0.99), 3)
