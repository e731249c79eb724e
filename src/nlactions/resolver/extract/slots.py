"""Share spans of one kind (dates, times, places) among the needs that take that kind."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from nlactions.resolver.extract.cues import cue_near
from nlactions.resolver.extract.profile import NeedProfile, Role
from nlactions.resolver.extract.proposal import Proposal
from nlactions.resolver.extract.text import STOPWORDS, TextView
from nlactions.resolver.spans import SpanSet

__all__ = ["Span", "fill_slots", "role_before"]

_ORIGIN = frozenset({"from", "since", "starting", "start", "leaving", "leave", "depart", "departing",
                     "departure", "beginning", "begin"})  # fmt: skip
_DESTINATION = frozenset({"to", "until", "till", "through", "ending", "end", "returning", "return", "back",
                          "arriving", "arrive", "arrival", "into", "towards", "toward"})  # fmt: skip
# A later mention of another value in a new sentence reads as a correction, but counts less.
RESTATED = 0.04
POSITIONAL_CAP = 0.85


@dataclass(frozen=True, slots=True)
class Span:
    """A typed value found in the text, with how sure the reading is and its role word if any."""

    start: int
    end: int
    value: Any
    confidence: float
    role: Role = None
    segment: int = 0
    alt: Any = None  # another rendering (a place with its region: "Austin, TX")


def role_before(view: TextView, start: int, reach: int = 3) -> Role:
    """ "origin" after "from"/"leaving"..., "destination" after "to"/"until"/"returning"..., else None.

    The span's own first word counts ("until Sunday"); looking back stops at the first other
    content word, so that "from Friday until Sunday" does not lend "from" to Sunday.
    """
    first = view.after(start, 1)
    words = ([first[0]] if first and first[0].start == start else []) + view.before(start, reach)
    for word in words:
        if word.lower in _ORIGIN:
            return "origin"
        if word.lower in _DESTINATION:
            return "destination"
        if word.lower not in STOPWORDS and word.start < start:
            break
    return None


def _role_fit(need: NeedProfile, span: Span) -> float:
    if need.role is None or span.role is None:
        return 0.0
    return 0.6 if need.role == span.role else -1.0


def _distinct_cues(needs: Sequence[NeedProfile]) -> list[NeedProfile]:
    """Each need keeping only the naming words the other needs of the group do not share."""
    out = []
    for need in needs:
        others = {stem for other in needs if other is not need for stem in other.cues}
        other_pairs = {pair for other in needs if other is not need for pair in other.pairs}
        out.append(
            dataclasses.replace(
                need,
                cues={s: w for s, w in need.cues.items() if s not in others},
                pairs=need.pairs - other_pairs,
            )
        )
    return out


Render = Callable[[NeedProfile, Span], Any]


def fill_slots(
    view: TextView, needs: Sequence[NeedProfile], spans: Sequence[Span], render: Render, detail: str
) -> list[Proposal]:
    """Proposals that give each need one span's value, by naming words, roles, then order."""
    if not needs or not spans:
        return []
    if len(needs) == 1:
        return _single(view, needs[0], spans, render, detail)
    out: list[Proposal] = []
    distinct = _distinct_cues(needs)
    scores = [
        [cue_near(d, view, s.start, s.end) + _role_fit(n, s) for s in spans]
        for n, d in zip(needs, distinct, strict=True)
    ]
    for i, need in enumerate(needs):
        for j, span in enumerate(spans):
            mine = scores[i][j]
            rival = max((scores[k][j] for k in range(len(needs)) if k != i), default=0.0)
            value = render(need, span)
            if value is None or mine < 0.5 or mine < rival + 0.3:
                continue
            conf = span.confidence * (0.95 + 0.05 * min(mine, 1.0))
            out.append(Proposal(need.key, value, conf, span.start, span.end, f"{detail} named nearby"))
    named = {p.need for p in out}
    used = SpanSet((p.start, p.end) for p in out)
    rest_needs = [n for n in needs if n.key not in named]
    values: list[Any] = []
    seen: set[Any] = set()
    firsts: list[Span] = []
    for span in spans:
        if span.value not in seen and not used.overlaps(span.start, span.end):
            values.append(span.value)
            seen.add(span.value)
            firsts.append(span)
    # Dates handed out by order of mention must also run forward in time: a form lists a range's
    # start before its end, and "back on the 7th, leaving the 13th" read in order would swap them.
    forward = detail != "date" or all(str(a) <= str(b) for a, b in itertools.pairwise(values))
    if len(values) == len(rest_needs) and (not named or len(rest_needs) == 1) and forward:
        for need, span in zip(rest_needs, firsts, strict=True):
            value = render(need, span)
            if value is None or _role_fit(need, span) < 0:
                continue
            conf = min(span.confidence, POSITIONAL_CAP) - 0.03
            out.append(Proposal(need.key, value, conf, span.start, span.end, f"{detail} in order"))
    return out


def _single(view: TextView, need: NeedProfile, spans: Sequence[Span], render: Render, detail: str) -> list[Proposal]:
    rendered = [(s, render(need, s)) for s in spans]
    rendered = [(s, v) for s, v in rendered if v is not None and _role_fit(need, s) >= 0]
    if not rendered:
        return []
    values = {repr(v) for _, v in rendered}
    if len(values) == 1:
        span, value = max(rendered, key=lambda sv: sv[0].confidence)
        cue = cue_near(need, view, span.start, span.end)
        conf = min(0.97, span.confidence + 0.03 * cue)
        return [Proposal(need.key, value, conf, span.start, span.end, detail)]
    last = max(rendered, key=lambda sv: sv[0].start)
    earlier = [s for s, v in rendered if repr(v) != repr(last[1])]
    if all(s.segment < last[0].segment for s in earlier):
        conf = last[0].confidence - RESTATED
        return [Proposal(need.key, last[1], conf, last[0].start, last[0].end, f"{detail} restated last")]
    scored = sorted(
        ((cue_near(need, view, s.start, s.end) + _role_fit(need, s), s, v) for s, v in rendered),
        key=lambda t: -t[0],
    )
    top, span, value = scored[0]
    rival = max((c for c, _, v in scored[1:] if repr(v) != repr(value)), default=0.0)
    if top >= 0.8 and top >= rival + 0.3:
        return [Proposal(need.key, value, span.confidence * 0.97, span.start, span.end, f"{detail} named nearby")]
    return []
