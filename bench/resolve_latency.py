"""Latency of offline resolution: a 5-need action whose choice need has 1,000 or 100,000 choices.

    python bench/resolve_latency.py [--runs N] [--sizes 1000,100000]
                                    [--instruction-chars 1000,5000,20000] [--long-runs N] [--needs 5,20,50]
                                    [--needs-chars 2000]

Drives the production path (``LayeredResolver`` with the ``OfflineExtractor``) on instructions
that name a choice, and on a ``guess`` hint for the choice need, after one warm-up call per size
(the choice index is built once and cached; the embedding model loads once per process). Also
times ``match_hint`` alone. Prints p50/p99 per case; the last line is one JSON object.

``--instruction-chars N[,M...]`` also resolves, for every size, the same instructions padded with
unrelated sentences to N characters (the server's cap, NLACTIONS_MAX_INSTRUCTION_CHARS, is
20,000) and prints µs per character (``named_N``); ``--needs 5,20,50`` resolves actions with that many needs
(the five above plus named text, number, date and yes/no needs, each stated in the text) against
the first size and prints µs per need (``--needs-chars`` pads those texts to one length, so the
needs are the only thing that changes). Both take ``--long-runs`` runs (default 20).
``unnamed_N`` is the long text naming no choice: the required choice need stays unresolved and
the engine ranks the closest choices against the whole text, as for a ``halted`` answer.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import sys
import time
from collections.abc import Mapping, Sequence
from typing import Any

from nlactions.catalog import Choice, NeedSpec
from nlactions.resolver import semantic
from nlactions.resolver.base import ExtractionRequest, ParamHint, ResolutionRequest
from nlactions.resolver.engine import LayeredResolver
from nlactions.resolver.extract import OfflineExtractor
from nlactions.resolver.match import index_for, match_hint

NOW = dt.datetime(2025, 1, 15, 10, 0)
WORDS = ["atlas", "beacon", "cobalt", "delta", "ember", "falcon", "garnet", "harbor", "indigo", "juniper"]


def make_choices(n: int) -> list[Choice]:
    """``n`` look-alike project names ("Falcon Cobalt 317"), like a real workspace's long list."""
    return [
        Choice(key=f"P{i:06d}", label=f"{WORDS[i % 10].title()} {WORDS[(i // 10) % 10].title()} {i}") for i in range(n)
    ]


def make_needs(choices: Sequence[Choice]) -> list[NeedSpec]:
    """Five needs: a choice, free text, a date, a count and a yes/no."""
    return [
        NeedSpec(key="project", label="Project", type="str", required=True, choices=tuple(choices)),
        NeedSpec(key="title", label="Task title", type="str", required=True),
        NeedSpec(key="due", label="Due date", type="date", required=False),
        NeedSpec(key="estimate", label="Estimate in hours", type="int", required=False),
        NeedSpec(key="notify", label="Notify watchers", type="bool", required=False, default=False, has_default=True),
    ]


class StaticChoices:
    """A ChoiceSource over each need's static choices (the same list object every time)."""

    async def choices(self, need: NeedSpec, resolved: Mapping[str, Any]) -> Sequence[Choice]:
        """The need's static choices."""
        return need.choices or ()


def percentile(samples: list[float], q: float) -> float:
    """The q-quantile of ``samples`` in milliseconds."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


async def time_resolver(needs: list[NeedSpec], target: Choice, runs: int) -> dict[str, dict[str, float]]:
    """p50/p99 of resolving from instructions and from a guess hint."""
    resolver = LayeredResolver([OfflineExtractor()], threshold=0.8)
    source = StaticChoices()
    text = f"Add a task called Update the roadmap to {target.label}, due next Friday, estimate 6 hours."
    cases = {
        "instructions": ResolutionRequest(instructions=text, needs=needs, params={}, choices=source, now=NOW),
        "guess_hint": ResolutionRequest(
            instructions=text,
            needs=needs,
            params={"project": ParamHint("guess", target.label.lower())},
            choices=source,
            now=NOW,
        ),
    }
    out: dict[str, dict[str, float]] = {}
    extractor = OfflineExtractor()
    extraction_request = ExtractionRequest(
        instructions=text, needs=needs, candidates={"project": needs[0].choices or ()}, known={}, now=NOW
    )
    extractor.extract_sync(extraction_request)
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        extractor.extract_sync(extraction_request)
        samples.append(time.perf_counter() - started)
    out["extractor_only"] = {
        "p50_ms": round(percentile(samples, 0.5), 3),
        "p99_ms": round(percentile(samples, 0.99), 3),
    }
    for name, request in cases.items():
        started = time.perf_counter()
        resolution = await resolver.resolve(request)  # warm-up: index, embeddings, caches
        warmup = time.perf_counter() - started
        if resolution.values.get("project") is None or resolution.values["project"].value != target.key:
            raise SystemExit(f"{name}: expected {target.key}, got {resolution.values.get('project')}")
        samples = []
        for _ in range(runs):
            started = time.perf_counter()
            await resolver.resolve(request)
            samples.append(time.perf_counter() - started)
        out[name] = {
            "p50_ms": round(percentile(samples, 0.5), 3),
            "p99_ms": round(percentile(samples, 0.99), 3),
            "first_call_ms": round(warmup * 1000, 1),
        }
    return out


def time_match(choices: list[Choice], runs: int) -> dict[str, dict[str, float]]:
    """p50/p99 of match_hint alone for an exact, a misspelt and an unmatched hint."""
    target = choices[len(choices) // 2 + 7]
    hints = {
        "exact": target.label,
        "misspelt": target.label.lower().replace("a", "e", 1),
        "no_match": "quarterly tax filing",
    }
    out: dict[str, dict[str, float]] = {}
    for name, hint in hints.items():
        match_hint(hint, choices, threshold=0.8)
        samples = []
        for _ in range(runs):
            started = time.perf_counter()
            match_hint(hint, choices, threshold=0.8)
            samples.append(time.perf_counter() - started)
        out[f"match_{name}"] = {
            "p50_ms": round(percentile(samples, 0.5), 3),
            "p99_ms": round(percentile(samples, 0.99), 3),
        }
    return out


FILLER = (
    "Some background: the team met on Monday, talked about the launch plan and agreed to follow up later. "
    "Anna Lee from Sales said 'keep it short' and asked for 2 reviews before the demo in Berlin. "
)
EXTRA_KINDS = ("str", "int", "date", "bool")
EXTRA_WORDS = ["alpha", "bravo", "charlie", "echo", "golf", "hotel", "kilo", "lima", "mike", "oscar"]


def padded(text: str, chars: int) -> str:
    """``text`` followed by filler sentences up to ``chars`` characters (never cut mid-word)."""
    out = text + " "
    while len(out) + len(FILLER) <= chars:
        out += FILLER
    return out.rstrip()


def extra_needs(count: int) -> tuple[list[NeedSpec], str]:
    """``count`` more needs of mixed kinds, and a sentence stating each one's value by its label."""
    needs: list[NeedSpec] = []
    phrases: list[str] = []
    for i in range(count):
        kind = EXTRA_KINDS[i % len(EXTRA_KINDS)]
        word = f"{EXTRA_WORDS[i % 10]} {EXTRA_WORDS[(i // 10) % 10]}"  # no word of a choice label
        label = {"str": f"{word} code", "int": f"{word} count", "date": f"{word} date", "bool": f"{word} flag"}[kind]
        key = label.replace(" ", "_")
        needs.append(NeedSpec(key=key, label=label.title(), type=kind, required=False))  # type: ignore[arg-type]
        value = {"str": f"'X{i}'", "int": str(i + 2), "date": f"2025-02-{i % 27 + 1:02d}", "bool": "yes"}[kind]
        phrases.append(f"{label} is {value}")
    return needs, ("; ".join(phrases) + ".") if phrases else ""


async def time_case(request: ResolutionRequest, runs: int) -> dict[str, float]:
    """p50/p99 of one resolution request after a warm-up call."""
    resolver = LayeredResolver([OfflineExtractor()], threshold=0.8)
    await resolver.resolve(request)
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        await resolver.resolve(request)
        samples.append(time.perf_counter() - started)
    return {"p50_ms": round(percentile(samples, 0.5), 3), "p99_ms": round(percentile(samples, 0.99), 3)}


def base_text(target: Choice) -> str:
    """The instructions of the 5-need action, naming ``target``."""
    return f"Add a task called Update the roadmap to {target.label}, due next Friday, estimate 6 hours."


async def time_length(needs: list[NeedSpec], target: Choice | None, chars: int, runs: int) -> dict[str, float]:
    """The 5-need action resolved from instructions padded to ``chars`` characters, with µs per char.

    With ``target`` None the text names no choice: the required choice need is unresolved and the
    engine ranks the closest choices against the whole text (the ``halted`` answer's path).
    """
    first = base_text(target) if target is not None else base_text(Choice("-", "")).replace(" to ,", ",")
    text = padded(first, chars)
    request = ResolutionRequest(instructions=text, needs=needs, params={}, choices=StaticChoices(), now=NOW)
    figures = await time_case(request, runs)
    resolution = await LayeredResolver([OfflineExtractor()], threshold=0.8).resolve(request)
    figures["chars"] = len(text)
    figures["filled"] = len(resolution.values)
    figures["us_per_char_p50"] = round(figures["p50_ms"] * 1000 / len(text), 2)
    return figures


async def time_needs(choices: list[Choice], count: int, runs: int, chars: int = 0) -> dict[str, float]:
    """An action of ``count`` needs (at least the 5 above) resolved from text stating each, with µs per need.

    With ``chars`` the text is padded to that length, so every count is timed on as much text.
    """
    target = choices[len(choices) // 3]
    extras, sentence = extra_needs(max(0, count - 5))
    needs = make_needs(choices) + extras
    text = padded(f"{base_text(target)} {sentence}".strip(), chars) if chars else f"{base_text(target)} {sentence}"
    request = ResolutionRequest(instructions=text, needs=needs, params={}, choices=StaticChoices(), now=NOW)
    figures = await time_case(request, runs)
    resolution = await LayeredResolver([OfflineExtractor()], threshold=0.8).resolve(request)
    figures.update(
        needs=len(needs),
        chars=len(text),
        filled=len(resolution.values),
        us_per_need_p50=round(figures["p50_ms"] * 1000 / len(needs), 1),
    )
    return figures


def main(argv: Sequence[str] | None = None) -> int:
    """Run every case for every size; print a table and a JSON summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--sizes", default="1000,100000")
    parser.add_argument(
        "--instruction-chars", default="", help="also time instructions this long, e.g. 1000,5000,20000"
    )
    parser.add_argument("--needs", default="", help="also time actions with these many needs, e.g. 5,20,50")
    parser.add_argument("--needs-chars", type=int, default=0, help="pad the --needs texts to this many characters")
    parser.add_argument("--long-runs", type=int, default=20, help="runs per --instruction-chars / --needs case")
    args = parser.parse_args(argv)
    summary: dict[str, Any] = {}
    semantic.available()  # the embedding model loads once per process, before any timing
    for size in (int(s) for s in args.sizes.split(",")):
        choices = make_choices(size)
        needs = make_needs(choices)
        started = time.perf_counter()
        index_for(needs[0].choices or ())
        built = time.perf_counter() - started
        results = asyncio.run(time_resolver(needs, choices[size // 3], args.runs))
        results["index_build"] = {"seconds": round(built, 3)}
        results.update(time_match(choices, args.runs))
        for chars in (int(c) for c in args.instruction_chars.split(",") if c.strip()):
            target = choices[size // 3]
            results[f"named_{chars}"] = asyncio.run(time_length(needs, target, chars, args.long_runs))
            results[f"unnamed_{chars}"] = asyncio.run(time_length(needs, None, chars, args.long_runs))
        summary[str(size)] = results
        for name, figures in results.items():
            print(f"{size:>7} choices  {name:<17} " + "  ".join(f"{k}={v}" for k, v in figures.items()))
    if args.needs:
        first = int(args.sizes.split(",")[0])
        choices = make_choices(first)
        sweep: dict[str, Any] = {}
        for count in (int(n) for n in args.needs.split(",")):
            sweep[str(count)] = figures = asyncio.run(time_needs(choices, count, args.long_runs, args.needs_chars))
            print(f"{first:>7} choices  {count:>3} needs         " + "  ".join(f"{k}={v}" for k, v in figures.items()))
        summary["needs"] = sweep
    summary["python"] = sys.version.split()[0]
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
