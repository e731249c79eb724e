"""Redaction of secret values before anything is logged or returned."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

REDACTED = "[redacted]"
_SECRET_WORDS = ("password", "secret", "token", "api_key", "apikey", "authorization", "credential")


def looks_secret(key: str) -> bool:
    """True for keys whose name says they hold a secret."""
    lowered = key.lower()
    return any(word in lowered for word in _SECRET_WORDS)


def redact(value: Any, secret_keys: Iterable[str] = ()) -> Any:
    """Copy ``value`` with secret keys (declared or by name) replaced by a marker, recursively."""
    keys = frozenset(secret_keys)
    if isinstance(value, Mapping):
        return {
            k: REDACTED if (k in keys or looks_secret(str(k))) and v not in (None, "") else redact(v, keys)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [redact(item, keys) for item in value]
    return value
