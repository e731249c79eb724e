"""Cache keys of loaded choice lists: account + authentication + app + prefill + dependency params."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson


@dataclass(frozen=True, slots=True)
class CacheRef:
    """Where one list of choices is cached; ``key`` is a hash of everything that makes it distinct."""

    account_id: int
    app: str
    prefill: str
    key: str


def param_value(value: Any) -> Any:
    """A param value as sent; a ``{mode, value}`` constraint (as execute takes) counts as its value."""
    if isinstance(value, Mapping) and "value" in value and set(value) <= {"mode", "value", "label"}:
        return value["value"]
    return value


def canonical(value: Any) -> Any:
    """A JSON-stable form of a param value, so that ``5``, ``"5"`` and ``5`` resolved later agree."""
    if isinstance(value, Mapping):
        return {str(k): canonical(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, list | tuple):
        return [canonical(v) for v in value]
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def cache_ref(
    *, account_id: int, authentication_id: int | None, app: str, prefill: str, params: Mapping[str, Any]
) -> CacheRef:
    """The cache entry for these choices; ``params`` are the values of the need's ``depends_on`` needs."""
    material = orjson.dumps(
        [account_id, authentication_id, app, prefill, canonical(params)], option=orjson.OPT_SORT_KEYS
    )
    return CacheRef(account_id, app, prefill, hashlib.sha256(material).hexdigest())
