"""The offline extractor: rule-based reading of the instructions, no network and no model calls."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import replace

from nlactions.resolver.base import Extraction, ExtractionRequest, ResolvedValue, Usage
from nlactions.resolver.extract.booleans import find_booleans
from nlactions.resolver.extract.calibration import FREE_TEXT_SIGNALS, calibrated, rule_of
from nlactions.resolver.extract.choices import find_choices
from nlactions.resolver.extract.context import Context
from nlactions.resolver.extract.corrections import corrected_later, moved_later
from nlactions.resolver.extract.labelled import find_labelled
from nlactions.resolver.extract.leftovers import find_leftovers
from nlactions.resolver.extract.lists import find_lists
from nlactions.resolver.extract.options import find_options
from nlactions.resolver.extract.patterns import find_patterns
from nlactions.resolver.extract.people import find_people
from nlactions.resolver.extract.phrases import find_phrases
from nlactions.resolver.extract.places import find_places
from nlactions.resolver.extract.profile import NeedProfile, profile_of, words_of
from nlactions.resolver.extract.proposal import Proposal, assign
from nlactions.resolver.extract.quantities import find_quantities
from nlactions.resolver.extract.temporal import find_temporal
from nlactions.resolver.extract.text import STOPWORDS, TextView, stem
from nlactions.resolver.extract.unit_names import find_unit_names

__all__ = ["Abandoned", "OfflineExtractor"]

Finder = Callable[[Context], list[Proposal]]
FINDERS: tuple[Finder, ...] = (
    find_patterns,
    find_temporal,
    find_quantities,
    find_lists,
    find_booleans,
    find_choices,
    find_options,
    find_phrases,
    find_labelled,
    find_unit_names,
)


class Abandoned(Exception):
    """Raised in the worker thread when the caller stopped waiting (its timeout hit)."""


def _never() -> bool:
    return False


def _tagged(found: list[Proposal], finder: str) -> list[Proposal]:
    """The proposals with the finder that made them as their signal (kept if a finder set a finer one)."""
    name = finder.removeprefix("find_")
    return [p if p.signal else replace(p, signal=name) for p in found]


def _later_rivals(
    proposals: list[Proposal], picked: dict[str, Proposal], threshold: float, segment_of: Callable[[int], int]
) -> set[str]:
    """Needs whose pick is contradicted, just as surely, by a different value in a later sentence."""
    out: set[str] = set()
    for p in proposals:
        chosen = picked.get(p.need)
        if chosen is None or p.need in out or round(p.confidence, 6) < threshold or p.value == chosen.value:
            continue
        if p.start > chosen.end and segment_of(p.start) > segment_of(chosen.start):
            out.add(p.need)
    return out


def _outside(proposals: list[Proposal], taken: Sequence[tuple[int, int]]) -> list[Proposal]:
    """Proposals that read no text an earlier layer already gave another need (one span, one value)."""
    if not taken:
        return proposals
    return [p for p in proposals if p.start == p.end or all(p.end <= s or p.start >= e for s, e in taken)]


def _not_own_name(proposals: list[Proposal], profiles: Sequence[NeedProfile]) -> list[Proposal]:
    """Proposals whose value is not the word naming their own free need ("with name Ana" is not name="name")."""
    names = {
        p.need.key: {p.need.key.strip().lower(), p.need.label.strip().lower()}
        for p in profiles
        if not p.need.has_choices
    }
    return [p for p in proposals if not (isinstance(p.value, str) and p.value.strip().lower() in names.get(p.need, ()))]


def _heads(profiles: Sequence[NeedProfile]) -> dict[str, str]:
    """Each need's head noun: the stem of its label's last word that is not a small word ("name")."""
    out: dict[str, str] = {}
    for p in profiles:
        words = [w for w in words_of(p.need.label) if w not in STOPWORDS]
        if words:
            out[p.need.key] = stem(words[-1])
    return out


def _detail(p: Proposal) -> str:
    """The resolved value's detail: ``signal: how it was read`` (the bench groups precision by signal)."""
    return f"{p.signal}: {p.detail}" if p.signal else p.detail


class OfflineExtractor:
    """Finds need values in the instructions by rules; abstains below ``threshold``; never invents.

    The reading is CPU-bound (linear in the text, which the executor caps), so ``extract`` runs it
    in a worker thread: the event loop keeps serving other requests meanwhile. When the awaiting
    task is cancelled (the resolution timeout), the thread stops at the next finder.
    """

    name = "offline"

    def __init__(self, threshold: float = 0.8):
        self.threshold = threshold

    async def extract(self, request: ExtractionRequest) -> Extraction:
        """Values for the needs the instructions state clearly enough, read off the event loop."""
        stop = threading.Event()
        try:
            return await asyncio.to_thread(self.extract_sync, request, stop.is_set)
        except asyncio.CancelledError:
            stop.set()
            raise

    def extract_sync(self, request: ExtractionRequest, stopped: Callable[[], bool] = _never) -> Extraction:
        """The same as ``extract``, for callers outside an event loop; raises ``Abandoned`` once ``stopped()``."""
        started = time.perf_counter()
        extraction = Extraction(usage=Usage(model=None))
        profiles: list[NeedProfile] = []
        for need in request.needs:
            if need.key in request.known:
                continue
            candidates = request.candidates.get(need.key)
            if candidates is None and need.has_choices:
                if need.choices is None:
                    continue  # choices not loaded: nothing to match against
                candidates = need.choices
            profiles.append(profile_of(need, candidates))
        if profiles and request.instructions.strip():
            ctx = Context(TextView(request.instructions), request.now, profiles)
            proposals: list[Proposal] = []
            for finder in FINDERS:
                if stopped():
                    raise Abandoned
                proposals += _tagged(finder(ctx), finder.__name__)
            proposals = _not_own_name(_outside(proposals, request.taken), profiles)
            # Text other needs are sure of is not a place or a person; a place need's own finds are.
            named_things = {p.key for p in profiles if p.kind in ("place", "person")}
            taken = [
                (p.start, p.end)
                for p in proposals
                if round(p.confidence, 6) >= self.threshold and p.start != p.end and p.need not in named_things
            ]
            if stopped():
                raise Abandoned
            taken += request.taken
            proposals += _outside(_tagged(find_places(ctx, taken), "find_places"), request.taken)
            proposals += _outside(_tagged(find_people(ctx, taken), "find_people"), request.taken)
            picked = assign(proposals, ctx.view.segment_at)
            for extra in _tagged(find_leftovers(ctx, picked, self.threshold), "find_leftovers"):
                picked[extra.need] = extra
            later = _later_rivals(proposals, picked, self.threshold, ctx.view.segment_at)
            later |= corrected_later(ctx.view, picked, self.threshold, _heads(profiles))
            later |= moved_later(ctx.view, picked, self.threshold)
            for key, chosen in picked.items():
                if round(chosen.confidence, 6) < self.threshold or key in later:
                    continue  # unsure, or a later sentence gives the need another value (a correction?)
                rule = rule_of(chosen.signal, chosen.detail, chosen.value, free_text=chosen.signal in FREE_TEXT_SIGNALS)
                confidence = calibrated(rule, chosen.confidence)
                if confidence is None:
                    continue  # the rule that read it is wrong too often on text it was not written for
                extraction.values[key] = ResolvedValue(
                    chosen.value,
                    round(min(confidence, 0.99), 3),
                    "instructions",
                    _detail(chosen),
                    (chosen.start, chosen.end) if chosen.start != chosen.end else None,
                )
        extraction.usage.seconds = time.perf_counter() - started
        return extraction
