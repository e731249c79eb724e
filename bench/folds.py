"""Fold-by-fold scoring for bench/resolve.py ``--folds``: how the offline resolver does on groups it was not tuned on.

The offline extractor has no learned parameters, but its signals (finders, rules, thresholds) were
written while looking at some of the data. Folds make that visible: each SGD domain (the service
name without its number: Hotels_2 and Hotels_4 are one domain) is a fold, and BFCL is split by
category and, inside each, by the function name's domain (its dotted prefix, else its first word
that is not a generic verb), hashed into three groups so that one function never spans two folds.
Choice-match records fold by service domain too.

``--tune-folds`` names the folds a change was tuned on; the others (or ``--eval-folds``) are held
out. The report gives, per fold and pooled over each side, record accuracy, field precision, recall
and abstention, and the gap between the tuned-on and held-out pools; then the precision of every
signal (the finder and rule that produced a filled value, read from the value's detail) per fold,
with its pooled held-out precision: the figure a signal's confidence should be calibrated to.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from _scoring import Tally
from nlactions.catalog import Choice
from nlactions.resolver.base import Resolver
from nlactions.resolver.extract.calibration import FREE_TEXT_SIGNALS, rule_of

__all__ = [
    "FieldOutcome",
    "fold_of",
    "report_folds",
    "run_fold_choice_records",
    "run_fold_records",
    "write_outcomes",
]

_GENERIC_VERBS = frozenset({
    "calculate", "calc", "compute", "get", "find", "fetch", "search", "retrieve", "estimate", "predict",
    "generate", "create", "make", "analyze", "analyse", "check", "convert", "determine", "evaluate",
    "identify", "list", "lookup", "query", "solve", "update", "set", "add", "run", "perform", "book", "plan",
    "simulate", "count",
})  # fmt: skip
BFCL_GROUPS = 3


def _sgd_domain(service: str) -> str:
    return re.sub(r"_\d+$", "", service)


def function_domain(name: str) -> str:
    """The domain a function name belongs to: its dotted prefix, else its first non-generic word."""
    if "." in name:
        return name.split(".", 1)[0].lower()
    words = [w for w in re.split(r"[_\W]+", re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()) if w]
    for word in words:
        if word not in _GENERIC_VERBS:
            return word
    return words[0] if words else name


def fold_of(record: Mapping[str, Any]) -> str:
    """The fold a record belongs to (see the module docstring)."""
    meta = record.get("meta") or {}
    source = str(meta.get("source") or "")
    if source.startswith("sgd"):
        service = str(meta.get("service") or (record.get("action") or {}).get("key", "").split(".", 1)[0])
        return _sgd_domain(service)
    if source.startswith("bfcl"):
        domain = function_domain(str((record.get("action") or {}).get("key") or ""))
        group = zlib.crc32(domain.encode()) % BFCL_GROUPS
        return f"{meta.get('category') or 'bfcl'}/g{group}"
    return str(meta.get("category") or meta.get("service") or "all")


def signal_of(detail: str, source: str, value: Any = None) -> str:
    """A filled value's signal, named as the extractor's calibration names it (see calibration.rule_of)."""
    if source != "instructions":
        return source
    finder = detail.split(":", 1)[0]
    return rule_of("", detail, value, free_text=finder in FREE_TEXT_SIGNALS)


def value_kind(record_field: Mapping[str, Any]) -> str:
    """The kind of value a record field takes, for the per-kind table."""
    if record_field.get("choices"):
        return "choice"
    type_ = str(record_field.get("type") or "any")
    if type_ == "array" or record_field.get("list"):
        return "list"
    words = f"{record_field.get('key')} {record_field.get('label')}".lower()
    if type_ == "string" and re.search(r"\b(date|day)\b|_date\b|date_", words):
        return "date"
    if type_ == "string" and re.search(r"\btime\b|_time\b|time_", words):
        return "time"
    return type_


@dataclass(frozen=True, slots=True)
class FieldOutcome:
    """One field of one record: what was filled, by which signal, and whether it passed."""

    record: str
    fold: str
    key: str
    kind: str
    filled: bool
    needed: bool
    passed: bool
    signal: str
    value: Any
    expected: Any


@dataclass
class FoldRun:
    """Tallies per fold and every field's outcome."""

    folds: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    outcomes: list[FieldOutcome] = field(default_factory=list)


async def run_fold_records(
    records: Sequence[Mapping[str, Any]],
    resolver: Resolver,
    now: dt.datetime | None,
    bench: Any,
) -> FoldRun:
    """Resolve and score every resolver record, keeping each field's outcome and signal."""
    run = FoldRun()
    for record in records:
        fold = fold_of(record)
        request = bench.request_of(record, now)
        resolution = await resolver.resolve(request)
        scored = bench.score_resolution(record, request.needs, resolution)
        tally = run.folds[fold]
        for spec, need, (found, score) in zip(record["action"]["fields"], request.needs, scored, strict=True):
            tally.count_field(score)
            run.outcomes.append(
                FieldOutcome(
                    record=str(record["id"]),
                    fold=fold,
                    key=need.key,
                    kind=value_kind(spec),
                    filled=score.filled,
                    needed=score.needed,
                    passed=score.passed,
                    signal=signal_of(found.detail, found.source, found.value) if score.filled and found else "",
                    value=found.value if found else None,
                    expected=record["expected"].get(need.key, [None]),
                )
            )
        tally.count_record(all(score.passed for _found, score in scored))
    return run


def run_fold_choice_records(
    records: Sequence[Mapping[str, Any]], threshold: float, now: dt.datetime | None, bench: Any
) -> FoldRun:
    """Match and score every choice-match record by fold."""
    from nlactions.resolver.match import match_hint

    run = FoldRun()
    for record in records:
        fold = fold_of(record)
        choices = [Choice(key=str(c["id"]), label=str(c["label"])) for c in record["choices"]]
        best, _closest = match_hint(str(record["hint"]), choices, threshold=threshold, now=bench.now_of(record, now))
        chosen = best.choice.key if best else None
        score = bench.choice_score(chosen, record)
        run.folds[fold].count_field(score)
        run.folds[fold].count_record(score.passed)
        right = score.passed
        run.outcomes.append(
            FieldOutcome(str(record["id"]), fold, "choice", "choice", chosen is not None, True, right,
                         "match_hint" if chosen is not None else "", chosen, record["expected"])
        )  # fmt: skip
    return run


def _pool(run: FoldRun, names: Iterable[str]) -> Tally:
    pooled = Tally()
    for name in names:
        pooled.add(run.folds[name])
    return pooled


def _row(name: str, f: Mapping[str, float | int]) -> str:
    return (
        f"{name[:28]:<28} {f['records']:>5} {f['record_accuracy']:>7.3f} {f['field_precision']:>7.3f} "
        f"{f['field_recall']:>7.3f} {f['abstention_rate']:>7.3f} {f['filled']:>6} {f['wrong']:>5}"
    )


def _signal_table(
    outcomes: Sequence[FieldOutcome], folds: Sequence[str], held_out: set[str], group: Callable[[FieldOutcome], str]
) -> dict[str, dict[str, Any]]:
    counts: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for o in outcomes:
        if not o.filled:
            continue
        cell = counts[group(o)][o.fold]
        cell[0] += o.passed
        cell[1] += 1
    table: dict[str, dict[str, Any]] = {}
    for name, by_fold in counts.items():
        right = sum(c[0] for c in by_fold.values())
        total = sum(c[1] for c in by_fold.values())
        h_right = sum(c[0] for f, c in by_fold.items() if f in held_out)
        h_total = sum(c[1] for f, c in by_fold.items() if f in held_out)
        worst = min(((c[0] / c[1], f) for f, c in by_fold.items() if c[1] >= 5), default=(1.0, "-"))
        table[name] = {
            "filled": total,
            "precision": round(right / total, 4),
            "held_out_filled": h_total,
            "held_out_precision": round(h_right / h_total, 4) if h_total else None,
            "worst_fold": worst[1],
            "worst_fold_precision": round(worst[0], 4),
            "by_fold": {f: f"{c[0]}/{c[1]}" for f, c in sorted(by_fold.items()) if f in folds},
        }
    return table


def report_folds(
    run: FoldRun,
    *,
    tune: Sequence[str] | None,
    evaluate: Sequence[str] | None,
    min_signal: int,
    wrong_out: Any,
) -> dict[str, Any]:
    """Print the per-fold, pooled and per-signal tables; return them as one summary object."""
    folds = sorted(run.folds)
    unknown = [f for f in (tune or []) + list(evaluate or []) if f not in run.folds]
    if unknown:
        print(f"unknown folds: {', '.join(unknown)}; known: {', '.join(folds)}")
    tune_set = set(tune or [])
    eval_set = set(evaluate or []) or (set(folds) - tune_set if tune_set else set(folds))
    header = f"{'fold':<28} {'n':>5} {'acc':>7} {'prec':>7} {'recall':>7} {'abst':>7} {'filled':>6} {'wrong':>5}"
    print(header)
    print("-" * len(header))
    per_fold = {}
    for name in folds:
        f = run.folds[name].figures(latency=False)
        per_fold[name] = f
        mark = " (tuned)" if name in tune_set else (" (held out)" if tune_set and name in eval_set else "")
        print(_row(name, f) + mark)
    print("-" * len(header))
    pooled = _pool(run, folds).figures(latency=False)
    print(_row("pooled", pooled))
    summary: dict[str, Any] = {"folds": per_fold, "pooled": pooled}
    precisions = [f["field_precision"] for f in per_fold.values() if f["filled"]]
    summary["worst_fold_precision"] = min(precisions) if precisions else None
    summary["folds_below_0.97"] = sorted(n for n, f in per_fold.items() if f["filled"] and f["field_precision"] < 0.97)
    if tune_set:
        tuned = _pool(run, sorted(tune_set & set(folds))).figures(latency=False)
        held = _pool(run, sorted(eval_set & set(folds))).figures(latency=False)
        print(_row("pooled tuned-on", tuned))
        print(_row("pooled held-out", held))
        keys = ("record_accuracy", "field_precision", "field_recall")
        gap = {k: round(float(tuned[k]) - float(held[k]), 4) for k in keys}
        print("gap tuned − held-out: " + ", ".join(f"{k} {v:+.3f}" for k, v in gap.items()))
        summary.update({"tuned_on": tuned, "held_out": held, "gap": gap})
    below = summary["folds_below_0.97"] or "none"
    print(f"worst fold precision {summary['worst_fold_precision']}; below 0.97: {below}")

    held_out = eval_set
    by_kind = _signal_table(run.outcomes, folds, held_out, lambda o: o.kind)
    by_signal = _signal_table(run.outcomes, folds, held_out, lambda o: o.signal)
    for title, table, floor in (("value kind", by_kind, 0), ("signal", by_signal, min_signal)):
        print()
        print(f"{title:<46} {'filled':>6} {'prec':>7} {'held-out':>9} {'worst fold':>22}")
        for name, row in sorted(table.items(), key=lambda kv: (kv[1]["precision"], -kv[1]["filled"])):
            if row["filled"] < floor:
                continue
            held = row["held_out_precision"]
            worst = f"{row['worst_fold']} {row['worst_fold_precision']:.3f}"
            print(
                f"{name[:46]:<46} {row['filled']:>6} {row['precision']:>7.3f} "
                f"{(f'{held:.3f}' if held is not None else '-'):>9} {worst:>22}"
            )
    summary["by_kind"] = by_kind
    summary["by_signal"] = by_signal
    if wrong_out is not None:
        for o in run.outcomes:
            if o.filled and not o.passed:
                wrong_out.write(json.dumps({
                    "id": o.record, "fold": o.fold, "key": o.key, "kind": o.kind, "signal": o.signal,
                    "value": o.value, "expected": o.expected,
                }, default=str) + "\n")  # fmt: skip
    return summary


def write_outcomes(run: FoldRun, path: str) -> None:
    """Write every field's outcome as one JSON line (the input of bench/calibrate.py)."""
    from dataclasses import asdict

    with open(path, "w", encoding="utf-8") as fh:
        for o in run.outcomes:
            fh.write(json.dumps(asdict(o), default=str) + "\n")


def write_calibration(run: FoldRun, tune: Sequence[str] | None, data: str, path: str) -> None:
    """Merge this run's per-signal counts on the tuning folds into the calibration table at ``path``."""
    import ast
    from pathlib import Path

    out = Path(path)
    table: dict[str, dict[str, tuple[int, int]]] = {}
    if out.exists():
        text = out.read_text(encoding="utf-8")
        marker = "BY_FILE: dict[str, dict[str, tuple[int, int]]] = "
        if marker in text:
            table = ast.literal_eval(text.split(marker, 1)[1].split("\n\n", 1)[0])
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for o in run.outcomes:
        if o.filled and (tune is None or o.fold in tune):
            counts[o.signal][0] += o.passed
            counts[o.signal][1] += 1
    table[Path(data).name] = {k: (v[0], v[1]) for k, v in sorted(counts.items())}
    pooled: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for per_file in table.values():
        for k, (right, filled) in per_file.items():
            pooled[k][0] += right
            pooled[k][1] += filled
    lines = [
        '"""Measured precision per signal, {signal: (right, filled)}: from bench/resolve.py --write-calibration."""',
        "",
        "# ruff: noqa: E501",
        "# fmt: off",
        "BY_FILE: dict[str, dict[str, tuple[int, int]]] = " + repr(table),
        "",
        "MEASURED: dict[str, tuple[int, int]] = {",
        *(f"    {k!r}: ({v[0]}, {v[1]})," for k, v in sorted(pooled.items())),
        "}",
        "",
    ]
    out.write_text("\n".join(lines), encoding="utf-8")
