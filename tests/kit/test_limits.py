"""The byte pre-check of request bodies never clears a body that has a depth or text problem."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlactions.kit.limits import MAX_DEPTH, find_problem, json_may_have_problem

CHARS = st.characters(exclude_categories=()) | st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)
LEAVES = st.none() | st.booleans() | st.integers() | st.text(CHARS, max_size=8)
VALUES = st.recursive(
    LEAVES, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(CHARS, max_size=4), inner, max_size=3)
)


def nested(depth: int) -> Any:
    value: Any = "x"
    for level in range(depth):
        value = [value] if level % 2 else {"k": value}
    return value


@pytest.mark.parametrize(
    "body",
    [
        json.dumps(nested(MAX_DEPTH + 1)).encode(),
        b'{"a": "\\ud800"}',
        b'{"a": "\\uDFFF x"}',
        b'{"\\udc00": 1}',
        b'{"a": "\xed\xa0\x80"}',  # a surrogate's own bytes, which json.loads decodes with surrogatepass
        '{"a": "\ud800"}'.encode("utf-16", "surrogatepass"),
        '{"a": "\ud800"}'.encode("utf-16-le", "surrogatepass"),
    ],
    ids=["too-deep", "escape", "escape-upper", "in-key", "raw-bytes", "utf-16-bom", "utf-16-le"],
)
def test_bodies_with_a_problem_are_never_cleared(body: bytes) -> None:
    assert find_problem(json.loads(body)) is not None
    assert json_may_have_problem(body)


def test_plain_bodies_are_cleared_without_parsing() -> None:
    assert not json_may_have_problem(json.dumps(nested(MAX_DEPTH)).encode())
    assert not json_may_have_problem('{"text": "한국어 é 😀", "n": [1, 2, {"x": null}]}'.encode())


@settings(max_examples=300, deadline=None)
@given(VALUES, st.sampled_from(["utf-8", "utf-16", "utf-16-le", "utf-32"]), st.booleans())
def test_a_cleared_body_has_no_problem(value: Any, encoding: str, ascii_only: bool) -> None:
    body = json.dumps(value, ensure_ascii=ascii_only).encode(encoding, "surrogatepass")
    if not json_may_have_problem(body):
        assert find_problem(json.loads(body)) is None
