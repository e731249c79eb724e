"""Score a resolver on an evaluation file: resolver records or choice-match records.

    python bench/resolve.py DATA.jsonl [--resolver offline|llm|local] [--now ISO]
                            [--dump OUT.jsonl] [--limit N] [--threshold T]
                            [--llm-output tool|native|prompted] [--llm-timeout S]

Prints, overall and per category, record accuracy, field precision (of the values the resolver
filled from the text, how many are right), field recall (of the fields that need a value, how many
came out right), abstention rate (of those fields, how many it left unfilled) and p50/p99 latency.
The last line is one JSON object with the same figures.

Scoring follows the data README: a field passes if its value matches any acceptable value;
strings compare lower-cased without spaces and ``, . / - _ * ^``; an int is accepted for a
number; lists compare element by element; ``null`` means "leaving it unset is fine". A value the
resolver took from the need's declared default stands for "unset" (the action would use that
default anyway), so it passes where ``null`` is acceptable, or where it equals an acceptable value.

``--resolver llm`` is the production cascade with a language model: the offline extractor, then the
LLM deciding every need with the offline readings as hints. It takes the server's settings from the
environment: ``NLACTIONS_LLM_MODEL`` (a pydantic-ai model string such as ``openai-chat:gpt-4o-mini``,
or the model's name on an OpenAI-compatible server), ``NLACTIONS_LLM_BASE_URL`` (that server, e.g.
``http://127.0.0.1:11434/v1`` for Ollama or ``http://127.0.0.1:8080/v1`` for llama.cpp's
``llama-server``) and ``NLACTIONS_LLM_API_KEY``. ``--llm-output`` picks how the structured output is
asked for (a tool call by default; ``native`` sends a JSON-schema response format, ``prompted``
puts the schema in the prompt, for servers without tool calling). The summary then adds the LLM's
requests, tokens and the records whose call failed (their offline values were kept).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import importlib
import json
import sys
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from _scoring import FieldScore, Tally, field_passes
from nlactions.catalog import Choice, NeedSpec
from nlactions.resolver.base import (
    ExtractionRequest,
    Extractor,
    Resolution,
    ResolutionRequest,
    ResolvedValue,
    Resolver,
)

TYPES = {
    "string": "str",
    "integer": "int",
    "number": "float",
    "boolean": "bool",
    "object": "dict",
    "any": "any",
    "array": "any",
}
SGD_NOW = dt.datetime(2019, 3, 1, 12, 0)


# -- data -------------------------------------------------------------------------------------


def need_of(spec: Mapping[str, Any]) -> NeedSpec:
    """Convert one record field (``action.fields[i]``) into a NeedSpec."""
    raw_type = str(spec.get("type") or "any")
    is_list = bool(spec.get("list")) or raw_type == "array"
    type_ = TYPES.get(raw_type, "any")
    if raw_type == "array":
        items = (spec.get("schema") or {}).get("items") or {}
        type_ = TYPES.get(str(items.get("type") or "any"), "any") if isinstance(items, dict) else "any"
    choices = spec.get("choices")
    return NeedSpec(
        key=str(spec["key"]),
        label=str(spec.get("label") or spec["key"]),
        type=type_,  # type: ignore[arg-type]
        required=bool(spec.get("required")),
        help_text=str(spec.get("help_text") or ""),
        default=spec.get("default"),
        has_default="default" in spec and spec.get("default") is not None,
        choices=tuple(Choice(key=str(c["id"]), label=str(c["label"])) for c in choices) if choices else None,
        list=is_list,
    )


def instructions_of(record: Mapping[str, Any]) -> str:
    """The record's instructions, with a BFCL system prompt put first."""
    system = (record.get("meta") or {}).get("system_prompt")
    text = str(record.get("instructions") or "")
    return f"{system}\n{text}" if system else text


def now_of(record: Mapping[str, Any], override: dt.datetime | None) -> dt.datetime:
    """The "now" a record is read against: --now, else SGD's 2019-03-01, else the current time."""
    if override is not None:
        return override
    source = str((record.get("meta") or {}).get("source") or "")
    if source.startswith("sgd"):
        return SGD_NOW
    return dt.datetime.now().replace(microsecond=0)


def category_of(record: Mapping[str, Any]) -> str:
    """The record's category: meta.category, else meta.service, else the action's app, else meta.source."""
    meta = record.get("meta") or {}
    app = ((record.get("action") or {}).get("app") or {}).get("key")
    return str(meta.get("category") or meta.get("service") or app or meta.get("source") or "all")


# -- scoring ----------------------------------------------------------------------------------


def request_of(record: Mapping[str, Any], now: dt.datetime | None) -> ResolutionRequest:
    """The resolution request a record stands for (its action's fields as needs, no params)."""
    return ResolutionRequest(
        instructions=instructions_of(record),
        needs=[need_of(f) for f in record["action"]["fields"]],
        params={},
        choices=StaticChoices(),
        now=now_of(record, now),
        action_label=str(record["action"].get("label") or ""),
        action_description=str(record["action"].get("description") or ""),
    )


def score_resolution(
    record: Mapping[str, Any], needs: Sequence[NeedSpec], resolution: Resolution
) -> list[tuple[ResolvedValue | None, FieldScore]]:
    """Each need's resolved value (None when unresolved) and its score against the record."""
    out: list[tuple[ResolvedValue | None, FieldScore]] = []
    for need in needs:
        found = resolution.values.get(need.key)
        expected = record["expected"].get(need.key, [None])
        from_default = found is not None and found.source == "default"
        passed = field_passes(found.value if found else None, expected, from_default=from_default)
        out.append((found, FieldScore(passed, found is not None and not from_default, None not in expected)))
    return out


# -- resolvers --------------------------------------------------------------------------------


class StaticChoices:
    """A ChoiceSource over the static choices of each need."""

    async def choices(self, need: NeedSpec, resolved: Mapping[str, Any]) -> Sequence[Choice]:
        """The need's static choices."""
        return need.choices or ()


class DirectResolver:
    """Drives extractors without the engine (used only when engine.py is absent)."""

    def __init__(self, extractors: Sequence[Extractor], threshold: float):
        self.extractors = extractors
        self.threshold = threshold

    async def resolve(self, request: ResolutionRequest) -> Resolution:
        """Extract, then apply defaults."""
        resolution = Resolution()
        for extractor in self.extractors:
            open_needs = [n for n in request.needs if n.key not in resolution.values]
            extraction = await extractor.extract(
                ExtractionRequest(
                    instructions=request.instructions,
                    needs=open_needs,
                    candidates={n.key: n.choices for n in open_needs if n.choices},
                    known=resolution.params,
                    now=request.now,
                    action_label=request.action_label,
                    action_description=request.action_description,
                )
            )
            for key, found in extraction.values.items():
                if found.confidence >= self.threshold:
                    resolution.values[key] = found
        for need in request.needs:
            if need.key not in resolution.values and need.has_default:
                resolution.values[need.key] = ResolvedValue(need.default, 1.0, "default")
        return resolution


def _wrap(extractors: Sequence[Extractor], threshold: float) -> Resolver:
    try:
        from nlactions.resolver.engine import LayeredResolver
    except ImportError:
        return DirectResolver(extractors, threshold)
    return LayeredResolver(extractors, threshold=threshold)


@dataclass
class LLMTally:
    """What the language model cost over a run, and how many resolutions fell back to offline values."""

    requests: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    seconds: float = 0.0
    failed: int = 0
    failures: dict[str, int] = field(default_factory=dict)
    model: str | None = None

    def figures(self) -> dict[str, Any]:
        """The tally as summary fields."""
        return {
            "llm_model": self.model,
            "llm_requests": self.requests,
            "llm_input_tokens": self.input_tokens,
            "llm_output_tokens": self.output_tokens,
            "llm_seconds": round(self.seconds, 3),
            "llm_failed_records": self.failed,
            "llm_failures": dict(sorted(self.failures.items())),
        }


class TalliedResolver:
    """A resolver whose usage and notes (failed LLM calls) are added up into an ``LLMTally``."""

    def __init__(self, inner: Resolver, tally: LLMTally):
        self.inner = inner
        self.tally = tally

    async def resolve(self, request: ResolutionRequest) -> Resolution:
        """Resolve with the inner resolver, counting what its model calls cost."""
        resolution = await self.inner.resolve(request)
        usage = resolution.usage
        self.tally.model = usage.model or self.tally.model
        self.tally.requests += usage.requests
        self.tally.input_tokens += usage.input_tokens
        self.tally.output_tokens += usage.output_tokens
        self.tally.seconds += usage.seconds
        notes = getattr(resolution, "notes", [])
        self.tally.failed += bool(notes)
        for note in notes:
            self.tally.failures[note] = self.tally.failures.get(note, 0) + 1
        return resolution


LLM_TALLY = LLMTally()
"""Filled by ``--resolver llm`` runs; printed in the summary."""


def build_llm_resolver(threshold: float, output_mode: str = "tool", timeout: float | None = 60.0) -> Resolver:
    """The offline extractor reviewed by the configured LLM; exits with status 2 when none is configured."""
    from nlactions.resolver.extract import OfflineExtractor
    from nlactions.resolver.llm import LLMExtractor, build_llm_model
    from nlactions.settings import Settings

    settings = Settings()
    if not settings.llm_model:
        sys.exit(
            _fail(
                "--resolver llm: set NLACTIONS_LLM_MODEL (and NLACTIONS_LLM_BASE_URL, NLACTIONS_LLM_API_KEY for "
                "an OpenAI-compatible server); see bench/README.md"
            )
        )
    try:
        model = build_llm_model(settings.llm_model, settings.llm_base_url, settings.llm_api_key)
    except Exception as exc:  # an unknown provider, a missing key or SDK: say which, in its words
        sys.exit(_fail(f"--resolver llm: cannot build model {settings.llm_model!r}: {exc}"))
    llm = LLMExtractor(model, timeout=timeout, output_mode=output_mode)  # type: ignore[arg-type]
    return TalliedResolver(_wrap([OfflineExtractor(threshold=threshold), llm], threshold), LLM_TALLY)


def build_resolver(kind: str, threshold: float) -> Resolver:
    """The resolver to measure; exits with status 2 when an optional one is not available."""
    from nlactions.resolver.extract import OfflineExtractor

    offline = OfflineExtractor(threshold=threshold)
    if kind == "offline":
        return _wrap([offline], threshold)
    module_name = {"llm": "nlactions.resolver.llm", "local": "nlactions.resolver.local_model"}[kind]
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        sys.exit(_fail(f"--resolver {kind}: {module_name} is not available ({exc})"))
    if kind == "llm":
        return build_llm_resolver(threshold)
    factory = getattr(module, "LocalModelExtractor", None)
    if factory is None:
        sys.exit(_fail(f"--resolver local: {module_name} has no LocalModelExtractor"))
    from nlactions.settings import Settings

    try:
        local = factory(data_dir=getattr(Settings(), "data_dir", None))
    except ImportError as exc:  # the local-llm extra is not installed
        sys.exit(_fail(f"--resolver local: {exc}"))
    return _wrap([offline, local], threshold)


def _fail(message: str) -> int:
    print(message, file=sys.stderr)
    return 2


# -- runs -------------------------------------------------------------------------------------


async def run_resolver_records(
    records: Sequence[Mapping[str, Any]], resolver: Resolver, now: dt.datetime | None, dump: Any
) -> dict[str, Tally]:
    """Resolve and score every resolver record; returns tallies by category ("all" included)."""
    tallies: dict[str, Tally] = defaultdict(Tally)
    for record in records:
        request = request_of(record, now)
        started = time.perf_counter()
        resolution = await resolver.resolve(request)
        elapsed = time.perf_counter() - started
        scored = score_resolution(record, request.needs, resolution)
        for key in ("all", category_of(record)):
            tally = tallies[key]
            for _found, score in scored:
                tally.count_field(score)
            tally.count_record(all(score.passed for _found, score in scored), elapsed)
        if dump is not None:
            chosen = zip(request.needs, scored, strict=True)
            values = {need.key: found.value if found else None for need, (found, _score) in chosen}
            dump.write(json.dumps({"id": record["id"], "values": values}, default=str) + "\n")
    return tallies


def run_choice_records(
    records: Sequence[Mapping[str, Any]], threshold: float, now: dt.datetime | None, dump: Any
) -> dict[str, Tally]:
    """Match and score every choice-match record; returns tallies by category ("all" included)."""
    from nlactions.resolver.match import match_hint

    tallies: dict[str, Tally] = defaultdict(Tally)
    for record in records:
        choices = [Choice(key=str(c["id"]), label=str(c["label"])) for c in record["choices"]]
        started = time.perf_counter()
        best, _closest = match_hint(str(record["hint"]), choices, threshold=threshold, now=now_of(record, now))
        elapsed = time.perf_counter() - started
        chosen = best.choice.key if best else None
        score = choice_score(chosen, record)
        for key in ("all", category_of(record)):
            tallies[key].count_field(score)
            tallies[key].count_record(score.passed, elapsed)
        if dump is not None:
            dump.write(json.dumps({"id": record["id"], "choice": chosen}) + "\n")
    return tallies


def choice_score(chosen: str | None, record: Mapping[str, Any]) -> FieldScore:
    """A choice-match record's one field: the chosen id against the expected one."""
    return FieldScore(passed=chosen == record["expected"], filled=chosen is not None, needed=True)


def report(tallies: Mapping[str, Tally], *, shape: str, resolver: str, path: str) -> dict[str, Any]:
    """Print a table by category and return the summary object."""
    header = f"{'category':<34} {'n':>5} {'acc':>7} {'prec':>7} {'recall':>7} {'abst':>7} {'p50ms':>8} {'p99ms':>8}"
    print(header)
    print("-" * len(header))
    for name in sorted(tallies, key=lambda k: (k == "all", k)):
        f = tallies[name].figures()
        print(
            f"{name[:34]:<34} {f['records']:>5} {f['record_accuracy']:>7.3f} {f['field_precision']:>7.3f} "
            f"{f['field_recall']:>7.3f} {f['abstention_rate']:>7.3f} {f['p50_ms']:>8.2f} {f['p99_ms']:>8.2f}"
        )
    summary: dict[str, Any] = {"file": Path(path).name, "shape": shape, "resolver": resolver}
    summary.update(tallies["all"].figures())
    summary["by_category"] = {k: v.figures() for k, v in sorted(tallies.items()) if k != "all"}
    return summary


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; the last printed line is a JSON summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", help="a *_resolver_*.jsonl or *_choice_match_*.jsonl file")
    parser.add_argument("--resolver", choices=("offline", "llm", "local"), default="offline")
    parser.add_argument("--now", help="ISO date-time to read relative dates against")
    parser.add_argument("--dump", help="write one JSON line per record with what the resolver chose")
    parser.add_argument("--limit", type=int, help="only the first N records")
    parser.add_argument("--threshold", type=float, default=0.8, help="confidence threshold (default 0.8)")
    parser.add_argument(
        "--llm-output", choices=("tool", "native", "prompted"), default="tool", help="how --resolver llm asks"
    )
    parser.add_argument("--llm-timeout", type=float, default=60.0, help="seconds per LLM call (default 60)")
    # --folds (bench/folds.py): per-fold, pooled and per-signal figures; tuned-on vs held-out folds.
    parser.add_argument("--folds", action="store_true", help="score per fold (SGD domain, BFCL category/group)")
    parser.add_argument("--tune-folds", help="comma-separated folds a change was tuned on (the rest are held out)")
    parser.add_argument("--eval-folds", help="comma-separated held-out folds (default: all folds not tuned on)")
    parser.add_argument("--min-signal", type=int, default=5, help="--folds: hide signals that filled fewer values")
    parser.add_argument("--wrong", help="--folds: write one JSON line per wrong filled value")
    parser.add_argument("--outcomes", help="--folds: write one JSON line per field (for bench/calibrate.py)")
    parser.add_argument("--uncalibrated", action="store_true", help="raw finder confidences, no signal floor")
    parser.add_argument("--write-calibration", help="--folds: write the per-signal table measured on --tune-folds")
    args = parser.parse_args(argv)

    now = dt.datetime.fromisoformat(args.now) if args.now else None
    records: list[dict[str, Any]] = []
    with open(args.data, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                records.append(json.loads(line))
            if args.limit and len(records) >= args.limit:
                break
    if not records:
        return _fail(f"{args.data}: no records")
    shape = "choice_match" if "hint" in records[0] else "resolver"
    from nlactions.resolver import semantic

    semantic.available()  # load the embedding model before timing (once per process in production too)
    if args.uncalibrated:
        from nlactions.resolver.extract import calibration

        calibration.enabled = False
    if args.folds:
        return _run_folds(records, shape, args, now)
    dump = open(args.dump, "w", encoding="utf-8") if args.dump else None  # noqa: SIM115
    try:
        if shape == "choice_match":
            tallies = run_choice_records(records, args.threshold, now, dump)
        else:
            tallies = asyncio.run(run_resolver_records(records, _resolver(args), now, dump))
    finally:
        if dump is not None:
            dump.close()
    summary = report(tallies, shape=shape, resolver=args.resolver, path=args.data)
    if args.resolver == "llm" and shape == "resolver":
        summary.update(LLM_TALLY.figures())
    print(json.dumps(summary, sort_keys=False))
    return 0


def _resolver(args: argparse.Namespace) -> Any:
    """The resolver ``--resolver`` names (the LLM one with its output mode and timeout)."""
    if args.resolver == "llm":
        return build_llm_resolver(args.threshold, args.llm_output, args.llm_timeout)
    return build_resolver(args.resolver, args.threshold)


def _run_folds(
    records: Sequence[Mapping[str, Any]], shape: str, args: argparse.Namespace, now: dt.datetime | None
) -> int:
    """``--folds``: score by fold (see bench/folds.py) and print the JSON summary last."""
    import folds

    bench = sys.modules[__name__]
    if shape == "choice_match":
        run = folds.run_fold_choice_records(records, args.threshold, now, bench)
    else:
        run = asyncio.run(folds.run_fold_records(records, _resolver(args), now, bench))
    split = [f for f in (args.tune_folds or "").split(",") if f]
    held = [f for f in (args.eval_folds or "").split(",") if f]
    wrong = open(args.wrong, "w", encoding="utf-8") if args.wrong else None  # noqa: SIM115
    try:
        summary = folds.report_folds(run, tune=split or None, evaluate=held or None, min_signal=args.min_signal,
                                     wrong_out=wrong)  # fmt: skip
    finally:
        if wrong is not None:
            wrong.close()
    if args.outcomes:
        folds.write_outcomes(run, args.outcomes)
    if args.write_calibration:
        folds.write_calibration(run, split or None, args.data, args.write_calibration)
    summary = {"file": Path(args.data).name, "shape": shape, "resolver": args.resolver, **summary}
    print(json.dumps(summary, sort_keys=False, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
