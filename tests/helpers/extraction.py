"""Building extraction requests for the offline extractor's tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from nlactions.catalog import Choice, NeedSpec, NeedType
from nlactions.resolver.base import Extraction, ExtractionRequest
from nlactions.resolver.extract import OfflineExtractor

# Wednesday, 2025-01-15, 10:00
NOW = dt.datetime(2025, 1, 15, 10, 0)


def need(
    key: str,
    label: str | None = None,
    type_: NeedType = "str",
    *,
    help_text: str = "",
    choices: list[str] | list[tuple[str, str]] | None = None,
    required: bool = True,
    many: bool = False,
    default: Any = None,
) -> NeedSpec:
    """A NeedSpec with only what a test cares about."""
    options = None
    if choices is not None:
        options = tuple(
            Choice(key=c[0], label=c[1]) if isinstance(c, tuple) else Choice(key=c, label=c) for c in choices
        )
    return NeedSpec(
        key=key,
        label=label or key.replace("_", " ").capitalize(),
        type=type_,
        required=required,
        help_text=help_text,
        choices=options,
        list=many,
        default=default,
        has_default=default is not None,
    )


def extract(text: str, *needs: NeedSpec, now: dt.datetime = NOW, threshold: float = 0.8) -> Extraction:
    """Run the offline extractor on ``text`` for ``needs`` (candidates = their static choices)."""
    request = ExtractionRequest(
        instructions=text,
        needs=list(needs),
        candidates={n.key: n.choices for n in needs if n.choices is not None},
        known={},
        now=now,
    )
    return OfflineExtractor(threshold=threshold).extract_sync(request)


def values(text: str, *needs: NeedSpec, now: dt.datetime = NOW) -> dict[str, Any]:
    """Just the extracted values by need key."""
    return {k: v.value for k, v in extract(text, *needs, now=now).values.items()}
