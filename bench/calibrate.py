"""Which abstain rule for measured signals holds out of fold: simulate rules on uncalibrated outcomes.

    python bench/resolve.py DATA.jsonl --folds --uncalibrated --outcomes OUT.jsonl   # once per file
    python bench/calibrate.py OUT.jsonl [OUT2.jsonl ...] --tune-folds A,B,...

Prints, per signal and kind of need, its precision on the tuning folds and on the held-out folds;
then, for each candidate rule, the figures it would give when every fold's signals are calibrated
on the *other* folds only (leave one fold out over all files pooled): per fold and pooled record
accuracy and field precision, and the tuned-on and held-out pools (records with at least one field;
the last line is the same as one JSON object, {rule: {fold or "= pool": figures}}). A value a rule abstains on is
taken as unfilled (it passes only where leaving it unset is acceptable); another signal that might
have filled the need instead is not simulated, so real runs (``--folds``) confirm the choice.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from nlactions.resolver.extract.calibration import FREE_TEXT_SIGNALS

Z = 1.645
# Rules whose span the text marks itself: a quoted span, ``key=value``, a value right after its
# need's label, a value of a fixed shape (patterns: emails, URLs). Kept as they are by every rule.
_EXACT = re.compile(r"^patterns:|quoted|named value|after its label")
Counts = dict[str, tuple[int, int]]
Rule = Callable[[str, Counts], bool]  # True: the signal abstains


def free_text_signal(signal: str) -> bool:
    """Whether a signal reads spans of free text (its end can be a guess)."""
    return signal.split(":", 1)[0] in FREE_TEXT_SIGNALS


def exact_signal(signal: str) -> bool:
    """Whether a signal reads a span the text marks exactly (quotes, ``key=value``, a label, a shape)."""
    return _EXACT.search(signal) is not None


def wilson(right: int, filled: int, sign: int) -> float:
    """The one-sided 95% Wilson bound of right/filled (sign +1 upper, -1 lower)."""
    p = right / filled
    centre = p + Z * Z / (2 * filled)
    margin = Z * math.sqrt(p * (1 - p) / filled + Z * Z / (4 * filled * filled))
    return (centre + sign * margin) / (1 + Z * Z / filled)


def _thin_free_text(signal: str, counts: Counts, support: int) -> bool:
    _right, filled = counts.get(signal, (0, 0))
    return filled < support and free_text_signal(signal) and not exact_signal(signal)


def rules(floor: float = 0.97, support: int = 20) -> dict[str, Rule]:
    """The candidate abstain rules, by name."""

    def measured(signal: str, counts: Counts) -> tuple[int, int] | None:
        c = counts.get(signal)
        return c if c and c[1] >= support and not exact_signal(signal) else None

    def upper(s: str, c: Counts) -> bool:
        m = measured(s, c)
        return m is not None and wilson(*m, +1) < floor

    def point(s: str, c: Counts) -> bool:
        m = measured(s, c)
        return m is not None and m[0] / m[1] < floor

    def lower(bound: float) -> Rule:
        def rule(s: str, c: Counts) -> bool:
            m = measured(s, c)
            return m is not None and wilson(*m, -1) < bound

        return rule

    return {
        "none": lambda s, c: False,
        "upper<0.97 (today)": upper,
        "point<0.97": point,
        "lower<0.90": lower(0.9),
        "lower<0.85": lower(0.85),
        "today + thin free text": lambda s, c: upper(s, c) or _thin_free_text(s, c, support),
        "point + thin free text": lambda s, c: point(s, c) or _thin_free_text(s, c, support),
        "point + thin free text <10": lambda s, c: point(s, c) or _thin_free_text(s, c, 10),
        "today + thin free text ending mid-sentence": lambda s, c: (
            upper(s, c) or (_thin_free_text(s, c, support) and "sentence goes on" in s)
        ),
    }


def _counts(outcomes: Iterable[Mapping[str, Any]]) -> Counts:
    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for o in outcomes:
        if o["filled"]:
            tally[o["signal"]][0] += bool(o["passed"])
            tally[o["signal"]][1] += 1
    return {k: (v[0], v[1]) for k, v in tally.items()}


def _figures(outcomes: Sequence[Mapping[str, Any]], abstains: Callable[[Mapping[str, Any]], bool]) -> dict[str, Any]:
    records: dict[str, bool] = {}
    filled = right = 0
    for o in outcomes:
        dropped = o["filled"] and abstains(o)
        passed = (None in o["expected"]) if dropped else bool(o["passed"])
        if o["filled"] and not dropped:
            filled += 1
            right += passed
        key = f"{o['fold']}/{o['record']}"
        records[key] = records.get(key, True) and passed
    acc = sum(records.values()) / len(records) if records else 0.0
    return {"n": len(records), "acc": acc, "prec": right / filled if filled else 1.0, "filled": filled,
            "wrong": filled - right}  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    """Print the per-signal table and each rule's leave-one-fold-out figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("outcomes", nargs="+", help="files written by bench/resolve.py --folds --outcomes")
    parser.add_argument("--tune-folds", default="", help="comma-separated tuning folds (the rest are held out)")
    parser.add_argument(
        "--split",
        choices=("lofo", "sides"),
        default="lofo",
        help="calibrate each fold on every other fold (lofo), or on the other side of the tuned/held-out split",
    )
    args = parser.parse_args(argv)
    tune = {f for f in args.tune_folds.split(",") if f}
    outcomes: list[dict[str, Any]] = []
    for path in args.outcomes:
        with open(path, encoding="utf-8") as fh:
            outcomes += [json.loads(line) for line in fh if line.strip()]
    folds = sorted({o["fold"] for o in outcomes})

    print(f"{'signal [kind]':<64} {'tuned':>11} {'held out':>11}")
    table: dict[str, dict[bool, list[int]]] = defaultdict(lambda: {True: [0, 0], False: [0, 0]})
    for o in outcomes:
        if o["filled"]:
            cell = table[f"{o['signal']} [{o['kind']}]"][o["fold"] in tune]
            cell[0] += bool(o["passed"])
            cell[1] += 1
    for name, sides in sorted(table.items(), key=lambda kv: kv[0]):
        t, h = sides[True], sides[False]
        print(f"{name[:64]:<64} {f'{t[0]}/{t[1]}':>11} {f'{h[0]}/{h[1]}':>11}")

    kinds: dict[str, dict[bool, list[int]]] = defaultdict(lambda: {True: [0, 0], False: [0, 0]})
    for o in outcomes:
        if o["filled"]:
            kind = "free text" if o["kind"] == "string" and free_text_signal(o["signal"]) else o["kind"]
            cell = kinds[kind][o["fold"] in tune]
            cell[0] += bool(o["passed"])
            cell[1] += 1
    print(f"\n{'kind of need':<64} {'tuned':>11} {'held out':>11}")
    for name, sides in sorted(kinds.items()):
        t, h = sides[True], sides[False]
        print(f"{name:<64} {f'{t[0]}/{t[1]}':>11} {f'{h[0]}/{h[1]}':>11}")

    by_fold = {f: [o for o in outcomes if o["fold"] == f] for f in folds}
    summary: dict[str, Any] = {}
    for name, rule in rules().items():
        everywhere = _counts(outcomes)
        how = "every other fold" if args.split == "lofo" else "the other side of the split"
        print(f"\nrule: {name} (each fold calibrated on {how})")
        gone = sorted(s for s in everywhere if rule(s, everywhere))
        print("  abstains, calibrated on every fold: " + ("; ".join(
            f"{s} {everywhere[s][0]}/{everywhere[s][1]}" for s in gone) or "nothing"))  # fmt: skip
        pools: dict[str, list[dict[str, Any]]] = {"tuned": [], "held out": [], "pooled": []}
        for fold in folds:
            if args.split == "lofo":
                counts = _counts(o for o in outcomes if o["fold"] != fold)
            else:
                counts = _counts(o for o in outcomes if (o["fold"] in tune) != (fold in tune))
            signals = set(counts) | {o["signal"] for o in by_fold[fold] if o["filled"]}
            dropped = {s for s in signals if rule(s, counts)}
            marked = [dict(o, dropped=o["filled"] and o["signal"] in dropped) for o in by_fold[fold]]
            f = _figures(marked, lambda o: o["dropped"])
            summary.setdefault(name, {})[fold] = f
            print(f"  {fold:<22} n {f['n']:>4} acc {f['acc']:.3f} prec {f['prec']:.3f} wrong {f['wrong']}")
            side = "tuned" if fold in tune else "held out"
            pools[side] += marked
            pools["pooled"] += marked
        for side, pooled in pools.items():
            f = _figures(pooled, lambda o: o["dropped"])
            summary[name][f"= {side}"] = f
            print(f"  = {side:<20} n {f['n']:>4} acc {f['acc']:.4f} prec {f['prec']:.4f} wrong {f['wrong']}")
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
