"""Limits on caller-supplied JSON: how deep it may nest, and text that must encode as UTF-8.

Every walker here is iterative, so a value nested any depth is inspected without recursion.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "MAX_DEPTH",
    "TOO_DEEP",
    "Problem",
    "find_problem",
    "json_may_have_problem",
    "replace_surrogates",
    "too_deep",
    "where",
]

MAX_DEPTH = 64
"""Objects and arrays may nest this many levels (the request body itself is level 1)."""
TOO_DEEP = f"nested deeper than {MAX_DEPTH} levels"
_SURROGATES = re.compile("[\ud800-\udfff]")
# In JSON bytes decoded as UTF-8 with surrogatepass (as ``json.loads`` decodes bytes): a \ud800-\udfff
# escape, or a surrogate's own UTF-8 bytes.
_SURROGATE_BYTES = re.compile(rb"\\u[dD][89a-fA-F]|\xed[\xa0-\xbf]")
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")

Path = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Problem:
    """What is wrong with a value, and where (keys and list indices from the root)."""

    path: Path
    kind: str  # "too_deep" | "surrogate"
    message: str

    @property
    def field(self) -> str:
        """Where, as a caller writes it (a too-deep path is cut to the field that holds it)."""
        return where(self.path, short=self.kind == "too_deep")

    @property
    def loc(self) -> list[str | int]:
        """The path with any surrogate in a key written as its escape, so it can be sent back as JSON."""
        return [_shown(part) if isinstance(part, str) else part for part in self.path]


def _shown(text: str) -> str:
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def replace_surrogates(text: str) -> str:
    """``text`` with every lone surrogate (which no UTF-8 text can hold) replaced by U+FFFD."""
    return _SURROGATES.sub("\ufffd", text)


def _unencodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def where(path: Path, *, short: bool = False) -> str:
    """A path as callers write it, ``params.input.value``; ``short`` stops at the first list index."""
    parts: list[str] = []
    for part in path:
        if short and (isinstance(part, int) or len(parts) == 4) and parts:
            break
        parts.append(_shown(part) if isinstance(part, str) else str(part))
    return ".".join(parts) or "body"


def json_may_have_problem(body: bytes, max_depth: int = MAX_DEPTH) -> bool:
    """False when ``json.loads(body)`` surely has no problem for ``find_problem``; a scan of the bytes only.

    Each level of nesting opens a bracket, so at most ``max_depth`` of them cannot nest too deep; text
    read as UTF-8 (no NUL byte, no UTF-16/32 byte-order mark) holds a surrogate only from one of
    ``_SURROGATE_BYTES``. True means: parse and look (``find_problem``).
    """
    if body.count(b"{") + body.count(b"[") > max_depth:
        return True
    if b"\x00" in body or body.startswith(_UTF16_BOMS):
        return True
    return _SURROGATE_BYTES.search(body) is not None


def find_problem(value: Any, max_depth: int = MAX_DEPTH) -> Problem | None:
    """The first place ``value`` nests deeper than ``max_depth`` or holds text that is not valid Unicode."""
    stack: list[tuple[Any, Path, int]] = [(value, (), 1)]
    while stack:
        item, path, depth = stack.pop()
        if isinstance(item, str):
            if _unencodable(item):
                return _surrogate(path)
            continue
        if not isinstance(item, Mapping | list | tuple):
            continue
        if depth > max_depth:
            return Problem(path, "too_deep", f"nested deeper than {max_depth} levels")
        if isinstance(item, Mapping):
            for key, child in item.items():
                if isinstance(key, str) and _unencodable(key):
                    return _surrogate((*path, key))
                stack.append((child, (*path, key), depth + 1))
        else:
            stack.extend((child, (*path, index), depth + 1) for index, child in enumerate(item))
    return None


def too_deep(value: Any, max_depth: int = MAX_DEPTH) -> bool:
    """True when ``value`` nests objects/arrays deeper than ``max_depth`` levels."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, Mapping):
            children: Any = item.values()
        elif isinstance(item, list | tuple):
            children = item
        else:
            continue
        if depth > max_depth:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def _surrogate(path: Path) -> Problem:
    return Problem(
        path,
        "surrogate",
        "contains a lone surrogate (an unpaired \\ud800-\\udfff escape), which is not valid Unicode text",
    )
