"""Values with a recognisable shape: email addresses, URLs, phone numbers, #channels and @users."""

from __future__ import annotations

import re
from collections.abc import Sequence

from nlactions.resolver.extract.context import Context
from nlactions.resolver.extract.cues import cue_near
from nlactions.resolver.extract.profile import NeedProfile
from nlactions.resolver.extract.proposal import Proposal
from nlactions.resolver.spans import SpanSet

__all__ = ["find_patterns"]

EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"'\])]+[^\s<>\"'\]).,;:!?]")
PHONE = re.compile(r"(?<![\w+])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,4}\)[\s.-]?|\d{2,4}[\s.-])\d{3,4}[\s.-]?\d{3,4}(?!\w)")
CHANNEL = re.compile(r"(?<![\w&])#([A-Za-z0-9][\w.-]*[A-Za-z0-9_]|[A-Za-z0-9])")
MENTION = re.compile(r"(?<![\w.])@([A-Za-z0-9][\w.-]*[A-Za-z0-9_]|[A-Za-z0-9])(?![\w.]*@)")

SHAPED = 0.95
SHARED = 0.85


def _share(
    ctx: Context, needs: Sequence[NeedProfile], found: list[tuple[int, int, str]], detail: str
) -> list[Proposal]:
    """One value for one need; several go by the words that name each need, else in order."""
    values = list(dict.fromkeys(v for _, _, v in found))
    if not needs or not values:
        return []
    if len(needs) == 1 and len(values) == 1:
        start, end, value = found[0]
        return [Proposal(needs[0].key, value, SHAPED, start, end, detail)]
    out = []
    for need in needs:
        for start, end, value in found:
            cue = cue_near(need, ctx.view, start, end)
            if cue >= 0.5:
                out.append(Proposal(need.key, value, 0.7 + 0.25 * cue, start, end, f"{detail} named nearby"))
    if len(values) == len(needs):
        firsts = {v: (s, e) for s, e, v in reversed(found)}
        for need, value in zip(needs, values, strict=True):
            s, e = firsts[value]
            out.append(Proposal(need.key, value, SHARED - 0.04, s, e, f"{detail} in order"))
    return out


def _choice_for(need: NeedProfile, text: str) -> str | None:
    if need.index is None:
        return None
    best = need.index.rank(text, 2)
    if best and best[0].score >= 0.9 and best[0].method in ("id", "label", "normalised"):
        return best[0].choice.key
    return None


def find_patterns(ctx: Context) -> list[Proposal]:
    """Proposals for email, URL, phone, channel and user needs from shaped values in the text."""
    text = ctx.text
    out: list[Proposal] = []
    emails = [(m.start(), m.end(), m.group()) for m in EMAIL.finditer(text)]
    out += _share(ctx, ctx.of_kind("email"), emails, "email address")
    urls = [(m.start(), m.end(), m.group()) for m in URL.finditer(text)]
    out += _share(ctx, ctx.of_kind("url"), urls, "URL")
    phones = [(m.start(), m.end(), m.group().strip()) for m in PHONE.finditer(text)]
    out += _share(ctx, ctx.of_kind("phone"), phones, "phone number")
    channels = [(m.start(), m.end(), m.group(1)) for m in CHANNEL.finditer(text)]
    in_email = SpanSet((s, e) for s, e, _ in emails)
    mentions = [(m.start(), m.end(), m.group(1)) for m in MENTION.finditer(text) if not in_email.covers(m.start())]
    for kind, found, sign in (("channel", channels, "#"), ("user", mentions, "@")):
        free = ctx.of_kind(kind)
        out += _share(ctx, free, [(s, e, v) for s, e, v in found], f"{sign}{kind}")
        # Needs with choices: a #name or @name that is exactly one of the choices.
        for need in ctx.of_kind("choice"):
            words = {w for w in need.phrase}
            if kind not in words and not (kind == "user" and words & {"assignee", "member", "owner", "person"}):
                continue
            hits = [(s, e, k) for s, e, v in found if (k := _choice_for(need, v)) is not None]
            if hits and len({k for _, _, k in hits}) == 1:
                s, e, k = hits[0]
                out.append(Proposal(need.key, k, SHAPED, s, e, f"{sign}{kind} among the choices"))
    return out
