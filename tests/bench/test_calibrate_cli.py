"""bench/calibrate.py as a user runs it: outcomes from bench/resolve.py --outcomes, rules judged out of fold."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SIGNAL = "phrases: text after … [name]"
RECORD = {
    "id": "r1",
    "instructions": "Order 3 boxes of tea. Do the usual.",
    "action": {"key": "order", "label": "Order", "description": "Place an order.", "fields": [
        {"key": "boxes", "label": "Number of boxes", "type": "integer", "required": True},
        {"key": "text", "label": "Text", "type": "string", "required": True},
    ]},
    "expected": {"boxes": [3], "text": ["something"]},
    "meta": {"source": "unit-test", "category": "shop"},
}  # fmt: skip


def script(name: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run(
        [sys.executable, str(ROOT / "bench" / name), *args],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )  # fmt: skip


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def outcome(record: str, fold: str, passed: bool, signal: str = SIGNAL, expected: Any = ("x",)) -> dict[str, Any]:
    value = "x" if passed else "y"
    return {"record": record, "fold": fold, "key": "k", "kind": "string", "filled": True, "needed": True,
            "passed": passed, "signal": signal, "value": value, "expected": list(expected)}  # fmt: skip


def test_resolve_writes_one_outcome_per_field(tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "tiny_resolver.jsonl", [RECORD])
    out = tmp_path / "outcomes.jsonl"
    result = script("resolve.py", str(data), "--folds", "--uncalibrated", "--outcomes", str(out))
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(r["record"], r["fold"], r["key"]) for r in rows] == [("r1", "shop", "boxes"), ("r1", "shop", "text")]
    assert rows[0]["filled"] and rows[0]["passed"] and rows[0]["signal"].startswith("quantities:")
    assert rows[1]["filled"] is False and rows[1]["signal"] == "" and rows[1]["expected"] == ["something"]


def test_a_signal_below_the_floor_elsewhere_abstains_on_the_fold_it_was_not_measured_on(tmp_path: Path) -> None:
    # Fold A measures the signal at 19 of 20 (0.95): today's rule (upper bound) keeps it, the point rule drops it.
    rows = [outcome(f"a{i}", "A", i != 0) for i in range(20)] + [outcome("b1", "B", False)]
    rows.append(outcome("b2", "B", True, signal="quantities: number named nearby"))
    path = write_jsonl(tmp_path / "outcomes.jsonl", rows)
    result = script("calibrate.py", str(path), "--tune-folds", "A")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    today, point = summary["upper<0.97 (today)"], summary["point<0.97"]
    assert (today["B"]["filled"], today["B"]["wrong"]) == (2, 1)
    assert (point["B"]["filled"], point["B"]["wrong"], point["B"]["prec"]) == (1, 0, 1.0)
    assert point["B"]["acc"] == 0.5  # b1 needs a value: abstaining leaves it wrong, b2 stays right
    assert point["= held out"]["wrong"] == 0
    # Fold A, calibrated on B alone (2 values: too few to measure), keeps its 20 fills under the point rule.
    assert point["A"]["filled"] == 20
    # A thin free-text signal (1 value in B) abstains on A under the thin rule; the per-signal table names both sides.
    assert summary["today + thin free text"]["A"]["filled"] == 0
    assert SIGNAL in result.stdout and "19/20" in result.stdout
