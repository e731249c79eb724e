"""Tool results: an execution's ExecuteResponse as ``structuredContent`` with a text mirror; errors as ``isError``."""

from __future__ import annotations

import json
import re
from typing import Any

import mcp_types as types

from nlactions.catalog import Action, NeedSpec
from nlactions.errors import NLActionsError
from nlactions.execute.service import Executed
from nlactions.resolver.base import UnresolvedNeed

FAILED = frozenset({"error", "halted"})
_WORD = re.compile(r"[a-z0-9]{3,}")


def _text(body: Any) -> str:
    return json.dumps(body, ensure_ascii=False, default=str)


def _hinted(body: dict[str, Any], hint: str) -> dict[str, Any]:
    """The response with each result cut to the fields ``hint`` names (by key or label), if it names any."""
    words = set(_WORD.findall(hint.lower()))
    labels: dict[str, str] = body.get("result_field_labels") or {}
    results: list[dict[str, Any]] = body.get("results") or []
    keys = {key for result in results for key in result}
    wanted = {key for key in keys if words & set(_WORD.findall(f"{key} {labels.get(key, '')}".lower()))}
    if not wanted:
        return body
    return {**body, "results": [{k: v for k, v in result.items() if k in wanted} for result in results]}


def halted_needs(
    action: Action, unresolved: tuple[UnresolvedNeed, ...], custom: list[NeedSpec]
) -> list[dict[str, Any]]:
    """Each need that halted the run: its key, kind of value, why, the closest choices and what to send."""
    needs = {**{n.key: n for n in custom}, **action.needs_by_key}
    out = []
    for item in unresolved:
        need = needs.get(item.key)
        closest = [{"id": c.key, "label": c.label} for c in item.closest]
        kind = "choice" if need is not None and need.has_choices else (need.type if need is not None else "str")
        send = (
            f"Call again with '{item.key}' set to one of the choice ids"
            + (f" (closest: {', '.join(c['id'] for c in closest)})" if closest else "")
            if kind == "choice"
            else f"Call again with '{item.key}' set to a {kind} value, or say it in the instructions"
        )
        out.append(
            {
                "key": item.key,
                "label": need.label if need is not None else item.key,
                "kind": kind,
                "reason": item.reason,
                "closest_choices": closest,
                "send": send + ".",
            }
        )
    return out


def execution_result(
    executed: Executed, action: Action, *, output_hint: str | None = None, custom: list[NeedSpec] | None = None
) -> types.CallToolResult:
    """The ExecuteResponse as structured content (plus ``retryable`` / ``halted_needs``) and its text mirror."""
    body = dict(executed.response)
    status = body.get("status")
    if status == "error":
        body["retryable"] = executed.retryable
        if executed.retry_after is not None:
            body["retry_after_seconds"] = executed.retry_after
    if status == "halted":
        body["retryable"] = False
        body["halted_needs"] = halted_needs(action, executed.unresolved, custom or [])
    shown = _hinted(body, output_hint) if output_hint and status not in FAILED else body
    return types.CallToolResult(
        content=[types.TextContent(type="text", text=_text(shown))],
        structured_content=body,
        is_error=status in FAILED,
    )


def error_result(exc: NLActionsError) -> types.CallToolResult:
    """An error of ours (bad params, no authentication, not found…) as ``isError`` with its ``{"error": ...}`` body."""
    body = {**exc.body(), "status": exc.status, "retryable": exc.status == 429}
    return types.CallToolResult(
        content=[types.TextContent(type="text", text=_text(body))], structured_content=body, is_error=True
    )


def problem(message: str, hint: str, code: str) -> types.CallToolResult:
    """An ``isError`` result for a bad tool call (unknown tool, wrong argument), in the API's error shape."""
    body = {"error": message, "code": code, "hint": hint, "retryable": False}
    return types.CallToolResult(
        content=[types.TextContent(type="text", text=_text(body))], structured_content=body, is_error=True
    )
