"""Redaction and the input limits: any depth without recursion, secrets in every form they travel in."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from nlactions.execution.results import flatten, shape_records
from nlactions.kit.limits import MAX_DEPTH, find_problem, replace_surrogates, too_deep
from nlactions.kit.redact import REDACTED, redact, scrub, scrubbed_traceback, secret_forms

DEEP = sys.getrecursionlimit() * 5  # far past what any recursive walker survives


def nested(levels: int, shape: str = "list") -> Any:
    value: Any = "x"
    for _ in range(levels):
        value = [value] if shape == "list" else {"a": value}
    return value


def depth_of(value: Any) -> int:
    levels = 0
    while isinstance(value, list | dict):
        value = value[0] if isinstance(value, list) else value["a"]
        levels += 1
    return levels


@pytest.mark.parametrize("shape", ["list", "dict"])
def test_redact_copies_any_depth(shape: str) -> None:
    value = nested(DEEP, shape)
    copy = redact(value, ["password"])
    assert copy is not value
    assert depth_of(copy) == DEEP


def test_redact_replaces_secret_keys_at_every_level() -> None:
    value = {"a": [{"password": "hunter2", "b": {"api_key": "k", "note": "ok"}}], "token": "", "pin": "1"}
    assert redact(value, ["pin"]) == {
        "a": [{"password": REDACTED, "b": {"api_key": REDACTED, "note": "ok"}}],
        "token": "",  # nothing to hide
        "pin": REDACTED,
    }


def test_redact_with_secrets_replaces_any_string_holding_one() -> None:
    secrets = secret_forms(["sk-live/Qz+9"])
    value = {
        "url": "https://api.test/x?api_key=sk-live%2FQz%2B9",
        "plain": "sk-live/Qz+9",
        "form": "key=sk-live%2FQz%2B9",
        "keep": "nothing here",
        "sk-live/Qz+9": 1,
        "list": ["a", "prefix sk-live/Qz+9 suffix"],
    }
    assert redact(value, (), secrets) == {
        "url": REDACTED,
        "plain": REDACTED,
        "form": REDACTED,
        "keep": "nothing here",
        REDACTED: 1,
        "list": ["a", REDACTED],
    }


def test_storable_copies_cut_deep_values_and_fix_surrogates() -> None:
    record = {"deep": nested(DEEP), "bad": "a\ud800b", "\udfffkey": "v"}
    copy = redact(record, storable=True)
    assert depth_of(copy["deep"]) == MAX_DEPTH - 1
    marker = copy["deep"]
    while isinstance(marker, list):
        marker = marker[0]
    assert marker == f"[nested deeper than {MAX_DEPTH} levels]"
    assert copy["bad"] == "a\ufffdb"
    assert "\ufffdkey" in copy


def test_short_credentials_are_not_searched_for_in_text() -> None:
    assert secret_forms(["abc", ""]) == ()
    assert set(secret_forms(["a b/c"])) == {"a b/c", "a%20b%2Fc", "a%20b/c", "a+b%2Fc"}


def test_scrub_replaces_secrets_and_secret_named_url_parameters() -> None:
    text = "GET https://x.test/v1?page=2&access_token=abc123&Signature=zz#top failed for key sk-long-one"
    assert scrub(text, secret_forms(["sk-long-one"])) == (
        "GET https://x.test/v1?page=2&access_token=[redacted]&Signature=[redacted]#top failed for key [redacted]"
    )


def test_scrubbed_traceback_covers_the_cause_chain() -> None:
    def fail() -> None:
        try:
            raise ValueError("upstream said no to https://svc.test/?apikey=leaked-1")
        except ValueError as exc:
            raise RuntimeError("calling with sk-chained-secret failed") from exc

    with pytest.raises(RuntimeError) as caught:
        fail()
    text = scrubbed_traceback(caught.value, secret_forms(["sk-chained-secret"]))
    assert "Traceback" in text and "ValueError" in text and "RuntimeError" in text
    assert "leaked-1" not in text and "sk-chained-secret" not in text
    assert "apikey=[redacted]" in text


def test_flatten_is_iterative_and_keeps_order() -> None:
    assert flatten({"a": 1, "b": {"c": {"d": 2}, "e": 3}, "f": {}, "g": [{"h": 1}]}) == {
        "a": 1,
        "b__c__d": 2,
        "b__e": 3,
        "f": {},
        "g": [{"h": 1}],
    }
    assert len(next(iter(flatten(nested(DEEP, "dict"))))) == len("a__") * (DEEP - 1) + 1


def test_shape_records_bounds_what_an_app_returns() -> None:
    [record] = shape_records({"deep": nested(DEEP, "dict"), "echo": "key=sk-app-secret-1"}, (), ("sk-app-secret-1",))
    assert record["echo"] == REDACTED
    assert record["deep__" + "__".join(["a"] * (MAX_DEPTH - 1))] == f"[nested deeper than {MAX_DEPTH} levels]"


def test_find_problem_names_the_first_bad_place() -> None:
    assert find_problem({"a": [1, {"b": "ok"}]}) is None
    deep = find_problem({"params": {"input": {"value": nested(DEEP)}}})
    assert deep is not None and deep.kind == "too_deep"
    assert deep.field == "params.input.value"
    assert len(deep.path) == MAX_DEPTH
    text = find_problem({"params": {"tags": {"value": ["ok", "\ud83d"]}}})
    assert text is not None and text.kind == "surrogate" and text.field == "params.tags.value.1"
    key = find_problem({"in\ud800": 1})
    assert key is not None and key.field == "in\\ud800" and key.loc == ["in\\ud800"]
    assert find_problem(nested(MAX_DEPTH)) is None
    assert find_problem(nested(MAX_DEPTH + 1)) is not None


def test_too_deep_and_replace_surrogates() -> None:
    assert not too_deep(nested(MAX_DEPTH))
    assert too_deep(nested(DEEP, "dict"))
    assert replace_surrogates("ok \U0001f600 \ud800") == "ok \U0001f600 \ufffd"
