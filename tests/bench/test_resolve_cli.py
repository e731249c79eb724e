"""bench/resolve.py as a user runs it: a subprocess on small files of both shapes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from helpers.fake_openai import serve

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


THIRD_RECORD = {
    "id": "r3",
    "instructions": "Note that the standup moved.",
    "action": {"key": "note", "label": "Note", "description": "", "fields": [field("text", "Text")]},
    "expected": {"text": ["something"]},
    "meta": {"source": "unit-test", "category": "notes"},
}


def test_llm_resolver_against_an_openai_compatible_server(tmp_path: Path) -> None:
    records = [*RESOLVER_RECORDS, THIRD_RECORD, {**THIRD_RECORD, "id": "r4"}]
    data = write_jsonl(tmp_path / "tiny_resolver.jsonl", records)
    dump = tmp_path / "dump.jsonl"
    # The model's fixed answer: "something" for a `text` field, nothing for the order's fields.
    with serve({"text": "something"}) as fake:
        result = run(
            str(data),
            "--resolver",
            "llm",
            "--limit",
            "3",
            "--now",
            "2030-06-01T09:00:00",
            "--dump",
            str(dump),
            NLACTIONS_LLM_MODEL="fake-model",
            NLACTIONS_LLM_BASE_URL=fake.base_url,
            NLACTIONS_LLM_API_KEY="sk-fake-key",
        )
    assert result.returncode == 0, result.stderr
    summary = last_json(result.stdout)
    assert summary["resolver"] == "llm" and summary["records"] == 3
    assert summary["record_accuracy"] == 1.0  # r2 and r3 are right only with the model's answer
    assert (summary["llm_requests"], summary["llm_input_tokens"], summary["llm_output_tokens"]) == (3, 300, 30)
    assert summary["llm_model"] == "fake-model" and summary["llm_failed_records"] == 0
    values = [json.loads(line)["values"] for line in dump.read_text().splitlines()]
    assert values[0] == {"boxes": 3, "delivery_date": "2030-06-02", "priority": "p2", "gift": False}
    assert values[1] == values[2] == {"text": "something"}
    assert len(fake.requests) == 3
    first = fake.requests[0]
    assert first["model"] == "fake-model"
    assert first["tools"][0]["function"]["name"] == "fill_fields"
    assert "first reading: 3" in json.dumps(first["messages"])  # the offline values are the model's hints
    assert fake.headers[0]["authorization"] == "Bearer sk-fake-key"


def test_llm_resolver_with_a_failing_server_keeps_offline_values(tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "tiny_resolver.jsonl", RESOLVER_RECORDS)
    with serve({}) as fake:
        base_url = fake.base_url
    result = run(  # the server is gone: every call is refused
        str(data),
        "--resolver",
        "llm",
        "--now",
        "2030-06-01T09:00:00",
        NLACTIONS_LLM_MODEL="fake-model",
        NLACTIONS_LLM_BASE_URL=base_url,
    )
    assert result.returncode == 0, result.stderr
    summary = last_json(result.stdout)
    assert summary["record_accuracy"] == 0.5  # the offline figures, as without a model
    assert summary["llm_failed_records"] == 2
    assert all("the offline values were kept" in note for note in summary["llm_failures"])


def test_llm_resolver_native_output_sends_a_json_schema_response_format(tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "tiny_resolver.jsonl", [THIRD_RECORD])
    with serve({"text": "something"}) as fake:
        result = run(
            str(data),
            "--resolver",
            "llm",
            "--llm-output",
            "native",
            NLACTIONS_LLM_MODEL="fake-model",
            NLACTIONS_LLM_BASE_URL=fake.base_url,
        )
    assert result.returncode == 0, result.stderr
    assert last_json(result.stdout)["record_accuracy"] == 1.0
    sent = fake.requests[0]
    assert "tools" not in sent
    assert sent["response_format"]["type"] == "json_schema"
    assert "text" in sent["response_format"]["json_schema"]["schema"]["properties"]
