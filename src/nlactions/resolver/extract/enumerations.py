"""Lists written out in prose: "Ann, Bo and Cy", "salt, flour and yeast"."""

from __future__ import annotations

import re

__all__ = ["enumeration_at"]

_SEPARATOR = re.compile(r"\s*(?:,\s*(?:and|or)\s+|,\s*|\s+(?:and|or|&)\s+)", re.I)
_END = re.compile(r"[.;:!?()\[\]\n]|\s+(?:with|for|in|at|on|from|to|by|that|which|who|given|using)\s", re.I)
MAX_ITEM_WORDS = 4


def enumeration_at(text: str, start: int) -> list[tuple[int, int, str]]:
    """Items of the list that starts at ``start`` (two or more), as (start, end, text); else []."""
    end_match = _END.search(text, start)
    end = end_match.start() if end_match else len(text)
    clause = text[start:end]
    items: list[tuple[int, int, str]] = []
    pos = 0
    for sep in _SEPARATOR.finditer(clause):
        items.append((start + pos, start + sep.start(), clause[pos : sep.start()]))
        pos = sep.end()
    items.append((start + pos, start + len(clause.rstrip()), clause[pos:].rstrip()))
    items = [(s, e, t.strip()) for s, e, t in items]
    if len(items) < 2 or any(not t or len(t.split()) > MAX_ITEM_WORDS for _, _, t in items):
        return []
    shapes = {_shape(t) for _, _, t in items}
    if len(shapes) != 1 or None in shapes:
        return []  # "Ann, Bo and Cy" or "2, 7 and 9", never a mix of shapes
    return items


_SHAPES = (
    ("quoted", re.compile(r"^(?:'[^']+'|\"[^\"]+\")$")),
    ("number", re.compile(r"^[-+]?\d+(?:\.\d+)?$")),
    ("name", re.compile(r"^[A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*){0,3}$")),
    ("word", re.compile(r"^[a-z][\w-]*$")),
)


def _shape(item: str) -> str | None:
    for name, pattern in _SHAPES:
        if pattern.match(item):
            return name
    return None
