"""Shaping results: flat dicts with ``__``-joined keys, labels, and token-budget truncation."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from pydantic import BaseModel

from nlactions.catalog import GiveSpec
from nlactions.kit.redact import redact

CHARS_PER_TOKEN = 4


def as_records(raw: Any) -> list[dict[str, Any]]:
    """Normalise what ``perform`` returned into a list of dicts."""
    if raw is None:
        return []
    items = raw if isinstance(raw, list | tuple) else [raw]
    records: list[dict[str, Any]] = []
    for item in items:
        if isinstance(item, BaseModel):
            records.append(item.model_dump(mode="json", exclude_none=False))
        elif isinstance(item, Mapping):
            records.append(dict(item))
        else:
            records.append({"value": item})
    return records


def flatten(record: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Flatten nested dicts into one level, joining keys with ``__`` (``from__email``); iterative."""
    flat: dict[str, Any] = {}
    stack: list[tuple[Iterator[tuple[Any, Any]], str]] = [(iter(record.items()), prefix)]
    while stack:
        items, base = stack[-1]
        for key, value in items:
            name = f"{base}__{key}" if base else str(key)
            if isinstance(value, Mapping) and value:
                stack.append((iter(value.items()), name))
                break
            flat[name] = value
        else:
            stack.pop()
    return flat


def shape_records(raw: Any, secret_keys: Iterable[str] = (), secrets: Sequence[str] = ()) -> list[dict[str, Any]]:
    """What ``perform`` returned as flat records that are safe to store and return.

    Secret keys and any string holding one of the authentication's ``secrets`` read ``[redacted]``;
    values nested deeper than ``MAX_DEPTH`` become a marker; lone surrogates become U+FFFD.
    """
    return [flatten(redact(record, secret_keys, secrets, storable=True)) for record in as_records(raw)]


def _label_from_key(key: str) -> str:
    return " ".join(part.replace("_", " ").strip().title() for part in key.split("__") if part)


def field_labels(records: Iterable[Mapping[str, Any]], gives: Iterable[GiveSpec]) -> dict[str, str]:
    """Human labels for every key present in the results: declared gives first, else from the key."""
    declared = {give.key: give.label for give in gives}
    labels: dict[str, str] = {}
    for record in records:
        for key in record:
            if key not in labels:
                labels[key] = declared.get(key) or _label_from_key(key)
    return labels


def truncate_text(text: str, token_budget: int) -> str:
    """Cut ``text`` to about ``token_budget`` tokens at a word boundary, marking the cut."""
    limit = max(token_budget, 1) * CHARS_PER_TOKEN
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip() + "…"


def truncate_records(records: list[dict[str, Any]], token_budget: int) -> list[dict[str, Any]]:
    """Copy of ``records`` with every string value truncated to the budget."""
    return [
        {k: truncate_text(v, token_budget) if isinstance(v, str) else v for k, v in record.items()}
        for record in records
    ]
