"""Calibrated confidence per signal: a value is as sure as its rule has measured, and weak rules abstain.

A signal is the finder and rule that read a value ("places: place named nearby"): the value's
detail with the words it quoted taken out. ``MEASURED`` holds, per signal, how many values it
filled on the folds it was measured on and how many were right (written by ``bench/resolve.py
--folds --write-calibration`` from an uncalibrated run over the tuning folds only; the other folds
check it). A measured signal's confidence is its measured precision; one whose precision is, even
at the optimistic end of its 90% interval (Wilson), below ``PRECISION_FLOOR`` abstains, because a
wrong write costs more than a question. Signals measured too rarely keep the finder's own confidence.
"""

from __future__ import annotations

import math
import re

from nlactions.resolver.extract.calibration_table import MEASURED

__all__ = ["MIN_SUPPORT", "PRECISION_FLOOR", "calibrated", "rule_of"]

PRECISION_FLOOR = 0.97
MIN_SUPPORT = 8  # fewer measured values than this say too little about a signal
Z = 1.2816  # one-sided 90%
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
_MARKS = re.compile(r"\s*\((?:ambiguous|restated)\)")
_SPACES = re.compile(r"\s+")

enabled = True  # bench/resolve.py --uncalibrated turns it off to measure the raw signals


def rule_of(signal: str, detail: str) -> str:
    """The signal's name: ``finder: rule`` without the quoted text or tie marks (at most 60 characters)."""
    rule = _SPACES.sub(" ", _MARKS.sub("", _QUOTED.sub("…", detail))).strip()
    return f"{signal}: {rule}"[:60] if signal else rule[:60]


def precision_of(rule: str) -> tuple[float, float] | None:
    """A signal's measured precision and the upper end of its 90% interval; None when measured too rarely."""
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
