"""The ``limits`` library's notation ("600/minute", "10/second;600/minute"); ``0`` switches a budget off."""

from __future__ import annotations

from limits import RateLimitItem, parse_many

OFF = "0"


def parse_budget(text: str) -> list[RateLimitItem]:
    """The limits a setting's text describes; an empty list when the budget is off (``0`` or empty)."""
    text = text.strip()
    if text in ("", OFF):
        return []
    return parse_many(text)


def check_budget(setting: str, text: str) -> str:
    """``text`` stripped if it is valid notation, else ``ValueError`` naming the setting and the fix."""
    try:
        items = parse_budget(text)
    except ValueError:
        items = None
    if items is None or any(item.amount < 1 for item in items):
        raise ValueError(
            f"{setting}={text!r} is not a rate limit: write it like '600/minute' or '10/second;600/minute' "
            "(an amount per second, minute, hour or day), or 0 to switch the limit off."
        )
    return text.strip()


def window_words(item: RateLimitItem) -> str:
    """``"per minute"``, ``"per 10 seconds"``."""
    name = item.GRANULARITY.name
    return f"per {name}" if item.multiples == 1 else f"per {item.multiples} {name}s"
