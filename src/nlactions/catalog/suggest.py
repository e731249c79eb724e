"""Naming the closest valid values when a service says a given one does not exist ("did you mean …")."""

from __future__ import annotations

from collections.abc import Sequence

from rapidfuzz import fuzz, process

from nlactions.catalog.fields import Choice

SUGGEST_CUTOFF = 50.0


def _plain(text: str) -> str:
    return text.strip().lstrip("#@").casefold()


def closest_choices(value: str, choices: Sequence[Choice], *, limit: int = 3) -> list[Choice]:
    """Up to ``limit`` choices whose label or key is most like ``value``, best first (``#``/``@`` ignored)."""
    if not choices or not value.strip():
        return []
    names = [f"{_plain(choice.label)} {_plain(choice.key)}" for choice in choices]
    found = process.extract(_plain(value), names, scorer=fuzz.WRatio, limit=limit, score_cutoff=SUGGEST_CUTOFF)
    return [choices[index] for _, _, index in found]


def named_choices(choices: Sequence[Choice]) -> str:
    """``"#general (C01), #random (C02)"``: labels with their ids, for an error message."""
    return ", ".join(
        f"{choice.label} ({choice.key})" if choice.label != choice.key else choice.key for choice in choices
    )
