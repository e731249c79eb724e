"""List needs from bracketed lists in the text ("[3, 4, 5]")."""

from __future__ import annotations

import re
from typing import Any

from nlactions.resolver.extract.context import Context
from nlactions.resolver.extract.cues import cue_before
from nlactions.resolver.extract.enumerations import enumeration_at
from nlactions.resolver.extract.profile import NeedProfile
from nlactions.resolver.extract.proposal import Proposal
from nlactions.resolver.numbers import parse_coordinate, parse_number

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
        coordinate = parse_coordinate(part) if t in ("float", "any") else None
        number = coordinate if coordinate is not None else parse_number(part)
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


_LEADS = frozenset(
    {"of", "is", "are", "as", "like", "including", "include", "includes", "such", "be", "were", "at", "in", "with"}
)


def _spelled_out(ctx: Context, need: NeedProfile) -> list[Proposal]:
    """ "members Ann, Bo and Cy", "weights 2.5,3.1": a prose list right after the need's name."""
    view = ctx.view
    names = {s for s, w in need.cues.items() if w >= 1.0}
    out = []
    for word in view.words:
        if word.stem not in names:
            continue
        i = word.index + 1
        while i < len(view.words) and view.words[i].lower in _LEADS and i - word.index <= 2:
            i += 1
        if i >= len(view.words) or view.words[i].segment != word.segment:
            continue
        gap = ctx.text[word.end : view.words[i].start]
        if gap.strip() not in ("", ":", "="):
            continue
        pieces = enumeration_at(ctx.text, view.words[i].start)
        if not pieces:
            continue
        items = _items(need, ", ".join(t for _, _, t in pieces))
        if items is not None:
            out.append(Proposal(need.key, items, 0.84, pieces[0][0], pieces[-1][1], "list named nearby"))
    return out


def find_lists(ctx: Context) -> list[Proposal]:
    """Proposals for list needs without choices from bracketed lists, by naming words or order."""
    needs = [p for p in ctx.profiles if p.need.list and p.kind != "choice"]
    if not needs:
        return []
    spelled = [p for need in needs for p in _spelled_out(ctx, need)]
    found = [
        (m.start(), m.end(), m.group(1) if m.group(1) is not None else m.group(2)) for m in _BRACKETS.finditer(ctx.text)
    ]
    if not found:
        return spelled
    out: list[Proposal] = spelled
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
