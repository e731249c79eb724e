"""bench/resolve.py as a user runs it: a subprocess on small files of both shapes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "bench" / "resolve.py"
METRICS = {"records", "record_accuracy", "field_precision", "field_recall", "abstention_rate", "p50_ms", "p99_ms"}


def run(*args: str, **env_extra: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]),
        **env_extra,
    }
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, env=env, timeout=300, check=False
    )


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def field(key: str, label: str, type_: str = "string", **extra: Any) -> dict[str, Any]:
    return {"key": key, "label": label, "type": type_, "required": True, "help_text": "", "choices": None,
            "list": False, **extra}  # fmt: skip


RESOLVER_RECORDS = [
    {
        "id": "r1",
        "instructions": "Order 3 boxes of tea for delivery tomorrow, priority Express.",
        "action": {
            "key": "order",
            "label": "Order",
            "description": "Place an order.",
            "fields": [
                field("boxes", "Number of boxes", "integer"),
                field("delivery_date", "Delivery date"),
                field(
                    "priority",
                    "Priority",
                    choices=[{"id": "p1", "label": "Standard"}, {"id": "p2", "label": "Express"}],
                ),
                field("gift", "Gift wrap", "boolean", required=False, default=False),
            ],
        },
        "expected": {"boxes": [3], "delivery_date": ["2030-06-02"], "priority": ["p2"], "gift": [None, False]},
        "meta": {"source": "unit-test", "category": "shop"},
    },
    {
        "id": "r2",
        "instructions": "Do the usual.",
        "action": {"key": "note", "label": "Note", "description": "", "fields": [field("text", "Text")]},
        "expected": {"text": ["something"]},
        "meta": {"source": "unit-test", "category": "notes"},
    },
]

CHOICE_RECORDS = [
    {
        "id": "c1",
        "hint": "express",
        "field": {"key": "priority", "label": "Priority", "help_text": ""},
        "choices": [{"id": "c0", "label": "Standard"}, {"id": "c1", "label": "Express"}],
        "expected": "c1",
        "meta": {"source": "unit-test", "service": "Shop"},
    },
    {
        "id": "c2",
        "hint": "zzzz",
        "field": {"key": "priority", "label": "Priority", "help_text": ""},
        "choices": [{"id": "c0", "label": "Standard"}, {"id": "c1", "label": "Express"}],
        "expected": "c0",
        "meta": {"source": "unit-test", "service": "Shop"},
    },
]


def last_json(stdout: str) -> dict[str, Any]:
    summary: dict[str, Any] = json.loads(stdout.strip().splitlines()[-1])
    return summary


def test_resolver_file(tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "tiny_resolver.jsonl", RESOLVER_RECORDS)
    dump = tmp_path / "dump.jsonl"
    result = run(str(data), "--now", "2030-06-01T09:00:00", "--dump", str(dump))
    assert result.returncode == 0, result.stderr
    summary = last_json(result.stdout)
    assert set(summary) >= METRICS
    assert summary["shape"] == "resolver" and summary["records"] == 2
    assert summary["record_accuracy"] == 0.5  # r1 right, r2 abstains on a required value
    assert summary["field_precision"] == 1.0
    assert summary["field_recall"] == 0.75 and summary["abstention_rate"] == 0.25
    assert set(summary["by_category"]) == {"shop", "notes"}
    assert "shop" in result.stdout and "notes" in result.stdout  # the per-category table
    lines = [json.loads(line) for line in dump.read_text().splitlines()]
    assert lines[0] == {
        "id": "r1",
        "values": {"boxes": 3, "delivery_date": "2030-06-02", "priority": "p2", "gift": False},
    }
    assert lines[1] == {"id": "r2", "values": {"text": None}}


def test_choice_match_file(tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "tiny_choice_match.jsonl", CHOICE_RECORDS)
    dump = tmp_path / "dump.jsonl"
    result = run(str(data), "--dump", str(dump))
    assert result.returncode == 0, result.stderr
    summary = last_json(result.stdout)
    assert summary["shape"] == "choice_match"
    assert (summary["record_accuracy"], summary["field_precision"], summary["abstention_rate"]) == (0.5, 1.0, 0.5)
    assert [json.loads(line) for line in dump.read_text().splitlines()] == [
        {"id": "c1", "choice": "c1"},
        {"id": "c2", "choice": None},
    ]


def test_limit(tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "tiny_choice_match.jsonl", CHOICE_RECORDS)
    result = run(str(data), "--limit", "1")
    assert result.returncode == 0, result.stderr
    assert last_json(result.stdout)["records"] == 1


def test_llm_without_a_configured_model_exits_2(tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "tiny_resolver.jsonl", RESOLVER_RECORDS)
    result = run(str(data), "--resolver", "llm", NLACTIONS_LLM_MODEL="")
    assert result.returncode == 2
    assert "NLACTIONS_LLM_MODEL" in result.stderr
