"""Redaction of secret values before anything is logged or returned."""

from __future__ import annotations

import re
import traceback
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any
from urllib.parse import quote, quote_plus

from nlactions.kit.limits import MAX_DEPTH, replace_surrogates

REDACTED = "[redacted]"
MIN_SECRET_LENGTH = 4
"""Shorter credential values are not searched for in free text: they would redact ordinary words."""
_SECRET_WORDS = ("password", "secret", "token", "api_key", "apikey", "authorization", "credential")
# name=value in a URL query (or a form body) whose name says it holds a secret
_SECRET_PARAM = re.compile(
    r"(?P<name>[?&;](?:[\w.~%-]*(?:key|token|secret|passw|signature|credential|session)[\w.~%-]*)=)[^&#\s'\"<>]+",
    re.IGNORECASE,
)


def looks_secret(key: str) -> bool:
    """True for keys whose name says they hold a secret."""
    lowered = key.lower()
    return any(word in lowered for word in _SECRET_WORDS)


def secret_forms(values: Iterable[str]) -> tuple[str, ...]:
    """Each secret as written and as a URL carries it (percent- or plus-encoded), longest first."""
    forms: set[str] = set()
    for value in values:
        if len(value) >= MIN_SECRET_LENGTH:
            forms.update((value, quote(value, safe=""), quote(value), quote_plus(value)))
    return tuple(sorted(forms, key=len, reverse=True))


def scrub(text: str, secrets: Sequence[str] = ()) -> str:
    """``text`` with each secret, and the value of each secret-named URL parameter, replaced by the marker."""
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    return _SECRET_PARAM.sub(lambda m: m.group("name") + REDACTED, text)


def scrubbed_traceback(exc: BaseException, secrets: Sequence[str] = ()) -> str:
    """The exception's traceback (with its causes) as text, scrubbed like ``scrub``."""
    return scrub("".join(traceback.format_exception(exc)).rstrip(), secrets)


@lru_cache(maxsize=4096)
def _short_key_looks_secret(key: str) -> bool:
    return looks_secret(key)


def _key_looks_secret(key: Any) -> bool:
    """``looks_secret(str(key))``, remembered for the short keys every request repeats."""
    text = key if isinstance(key, str) else str(key)
    return _short_key_looks_secret(text) if len(text) <= 64 else looks_secret(text)


def redact(
    value: Any,
    secret_keys: Iterable[str] = (),
    secrets: Sequence[str] = (),
    *,
    storable: bool = False,
) -> Any:
    """Copy ``value`` with secrets replaced by a marker; iterative, so any depth is safe.

    A key declared secret (or named like one) has its value replaced; with ``secrets``, so is any string
    containing one of them (keys are scrubbed). With ``storable``, a container nested deeper than
    ``MAX_DEPTH`` becomes a marker and lone surrogates become U+FFFD, so the copy can always be stored
    and rendered as JSON.
    """
    keys = secret_keys if isinstance(secret_keys, frozenset) else frozenset(secret_keys)
    clean = storable
    max_depth = MAX_DEPTH if storable else None

    def leaf(item: Any) -> Any:
        if isinstance(item, str):
            if secrets and any(secret in item for secret in secrets):
                return REDACTED
            return replace_surrogates(item) if clean and not item.isascii() else item
        return item

    def name(key: Any) -> Any:
        if isinstance(key, str):
            key = scrub(key, secrets) if secrets else key
            return replace_surrogates(key) if clean and not key.isascii() else key
        return key

    def container(item: Any, depth: int) -> tuple[Any, bool]:
        """The copy to put in place of ``item``, and whether its children still need copying."""
        if isinstance(item, dict):
            kind: Any = dict
        elif isinstance(item, list):
            kind = list
        elif isinstance(item, Mapping):
            kind = dict
        else:
            return leaf(item), False
        if max_depth is not None and depth > max_depth:
            return f"[nested deeper than {max_depth} levels]", False
        return kind(), True

    root, pending = container(value, 1)
    stack: list[tuple[Any, Any, int]] = [(value, root, 1)] if pending else []
    while stack:
        source, target, depth = stack.pop()
        depth += 1
        if isinstance(target, dict):
            for key, child in source.items():
                if (key in keys or _key_looks_secret(key)) and child not in (None, ""):
                    target[name(key)] = REDACTED
                    continue
                copy, pending = container(child, depth)
                target[name(key)] = copy
                if pending:
                    stack.append((child, copy, depth))
        else:
            for child in source:
                copy, pending = container(child, depth)
                target.append(copy)
                if pending:
                    stack.append((child, copy, depth))
    return root
