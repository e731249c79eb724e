"""Candidate values for needs, and choosing among them without using a piece of text twice."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

__all__ = ["AMBIGUITY_MARGIN", "Proposal", "assign"]

# Two different values for one need within this margin of each other make the need ambiguous ...
AMBIGUITY_MARGIN = 0.06
AMBIGUITY_PENALTY = 0.2
# ... unless the last of them comes in a later sentence, which reads as a correction.
RESTATED_PENALTY = 0.05


@dataclass(frozen=True, slots=True)
class Proposal:
    """A value for one need, how sure the finder is, and the text it came from."""

    need: str
    value: Any
    confidence: float
    start: int
    end: int
    detail: str
    signal: str = ""  # the finder that proposed it (set by the extractor; measured per signal in bench/)

    def overlaps(self, other: Proposal) -> bool:
        """True when the two proposals read the same stretch of text."""
        return self.start < other.end and other.start < self.end


def _key(value: Any) -> str:
    return repr(value).casefold()


Segmenter = Callable[[int], int]


def _settle_ties(items: list[Proposal], segment_of: Segmenter | None) -> list[Proposal]:
    """Lower a need's proposals when its best different values are nearly tied."""
    keys = [_key(p.value) for p in items]  # once each: a value can be long
    best: dict[str, Proposal] = {}
    for p, k in zip(items, keys, strict=True):
        if k not in best or p.confidence > best[k].confidence:
            best[k] = p
    ranked = sorted(best.items(), key=lambda kp: -kp[1].confidence)
    if len(ranked) < 2:
        return items
    top = ranked[0][1].confidence
    tied_keys = {k for k, p in ranked if top - p.confidence < AMBIGUITY_MARGIN}
    if len(tied_keys) < 2:
        return items
    winner: str | None = None
    if segment_of is not None:
        latest, latest_key = max(
            ((p, k) for p, k in zip(items, keys, strict=True) if k in tied_keys), key=lambda pk: pk[0].start
        )
        seg = segment_of(latest.start)
        others = [p for p, k in zip(items, keys, strict=True) if k in tied_keys and k != latest_key]
        if all(segment_of(p.start) < seg for p in others):
            winner = latest_key
    out = []
    for p, k in zip(items, keys, strict=True):
        if k == winner:
            out.append(replace(p, confidence=p.confidence - RESTATED_PENALTY, detail=p.detail + " (restated)"))
        elif k in tied_keys or winner is not None:
            out.append(replace(p, confidence=p.confidence - AMBIGUITY_PENALTY, detail=p.detail + " (ambiguous)"))
        else:
            out.append(p)
    return out


def assign(proposals: Iterable[Proposal], segment_of: Segmenter | None = None) -> dict[str, Proposal]:
    """Best proposal per need, most confident first; a span of text feeds one need only.

    ``segment_of`` maps a text offset to its sentence, so that a value restated in a later
    sentence wins a tie instead of making the need ambiguous.
    """
    by_need: dict[str, list[Proposal]] = defaultdict(list)
    for p in proposals:
        by_need[p.need].append(p)
    settled = [p for items in by_need.values() for p in _settle_ties(items, segment_of)]
    chosen: dict[str, Proposal] = {}
    used: list[Proposal] = []
    for p in sorted(settled, key=lambda p: -p.confidence):
        if p.need in chosen:
            continue
        if p.start != p.end and any(p.overlaps(u) for u in used):
            continue
        chosen[p.need] = p
        used.append(p)
    return chosen
