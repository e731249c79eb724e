"""List needs from bracketed lists in the text ("[3, 4, 5]")."""

from __future__ import annotations

import re
from typing import Any

from nlactions.resolver.extract.context import Context
from nlactions.resolver.extract.cues import cue_before
from nlactions.resolver.extract.profile import NeedProfile
from nlactions.resolver.extract.proposal import Proposal
from nlactions.resolver.numbers import parse_number

__all__ = ["find_lists"]

_BRACKETS = re.compile(r"\[([^\[\]\n]*)\]|\(([^()\[\]=:\n]*,[^()\[\]=:\n]*)\)")
_LEAD = re.compile(r"^\s*(?:e\.g\.|i\.e\.|eg|ie|for example|such as)[,:]?\s*", re.I)


def _items(need: NeedProfile, inner: str) -> list[Any] | None:
    parts = [p.strip().strip("'\"") for p in _LEAD.sub("", inner).split(",")]
    if not parts or any(not p for p in parts):
        return None
    t = need.need.type
    out: list[Any] = []
    for part in parts:
        number = parse_number(part)
        if t == "int":
            if number is None or not float(number).is_integer():
                return None
            out.append(int(number))
        elif t == "float":
            if number is None:
                return None
            out.append(number)
        elif t == "str":
            out.append(part)
        else:
            out.append(number if number is not None else part)
    return out


def find_lists(ctx: Context) -> list[Proposal]:
    """Proposals for list needs without choices from bracketed lists, by naming words or order."""
    needs = [p for p in ctx.profiles if p.need.list and p.kind != "choice"]
    if not needs:
        return []
    found = [
        (m.start(), m.end(), m.group(1) if m.group(1) is not None else m.group(2)) for m in _BRACKETS.finditer(ctx.text)
    ]
    if not found:
        return []
    out: list[Proposal] = []
    for need in needs:
        for start, end, inner in found:
            items = _items(need, inner)
            if items is None:
                continue
            cue = cue_before(need, ctx.view, start, reach=3)
            if cue >= 0.5:
                out.append(Proposal(need.key, items, 0.8 + 0.15 * cue, start, end, "list named nearby"))
    if len(found) == len(needs):
        for need, (start, end, inner) in zip(needs, found, strict=True):
            items = _items(need, inner)
            if items is not None:
                conf = 0.86 if len(needs) == 1 else 0.82
                out.append(Proposal(need.key, items, conf, start, end, "list in order of mention"))
    return out
