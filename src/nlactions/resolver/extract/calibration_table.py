"""Measured precision per signal, {signal: (right, filled)}: written by bench/resolve.py --write-calibration."""

MEASURED: dict[str, tuple[int, int]] = {}
