"""JSON Schemas and annotations of MCP tools, derived from an action's model (its needs and gives)."""

from __future__ import annotations

from typing import Any

import mcp_types as types

from nlactions.catalog import Action, App, NeedSpec

MAX_ENUM = 200
"""Static choices listed as an enum up to this many; a longer list is left to the resolver's matching."""

_JSON_TYPES: dict[str, dict[str, Any]] = {
    "str": {"type": "string"},
    "int": {"type": "integer"},
    "float": {"type": "number"},
    "bool": {"type": "boolean"},
    "datetime": {"type": "string", "format": "date-time"},
    "date": {"type": "string", "format": "date"},
    "dict": {"type": "object"},
    "any": {},
}
VENDORLESS_APPS = frozenset({"FormatterAPI"})
"""Apps that reach no outside service (``openWorldHint: false``)."""
READ_TYPES = frozenset({"search", "read", "read_bulk"})

INSTRUCTIONS = {
    "type": "string",
    "description": "Plain-English instructions: what to do, with any values the action needs.",
}
OUTPUT_HINT = {
    "type": "string",
    "description": "Which result fields you want back (e.g. 'the message link'); the text reply shows those.",
}


def need_schema(need: NeedSpec) -> dict[str, Any]:
    """One need as a JSON Schema property: its type, label, help text and static choices as an enum."""
    notes = [need.help_text] if need.help_text else []
    if need.choices is not None and 0 < len(need.choices) <= MAX_ENUM:
        value: dict[str, Any] = {"type": "string", "enum": [c.key for c in need.choices]}
        labels = "; ".join(f"{c.key} = {c.label}" for c in need.choices if c.label and c.label != c.key)
        if labels:
            notes.append(f"One of: {labels}.")
    elif need.has_choices:
        value = {"type": "string"}
        notes.append("A choice id, or a label to match.")
    else:
        value = dict(_JSON_TYPES.get(need.type, {}))
    schema: dict[str, Any] = {"type": "array", "items": value} if need.list else dict(value)
    schema["title"] = need.label
    if notes:
        schema["description"] = " ".join(notes)
    if need.has_default and not need.secret and need.default is not None:
        schema["default"] = need.default
    return schema


def input_schema(needs: list[NeedSpec], *, output_hint: bool = True) -> dict[str, Any]:
    """``instructions`` (required), each need (optional) and ``output_hint``."""
    properties: dict[str, Any] = {"instructions": INSTRUCTIONS}
    for need in needs:
        if need.key in ("instructions", "output_hint"):
            continue
        properties[need.key] = need_schema(need)
    if output_hint:
        properties["output_hint"] = OUTPUT_HINT
    return {"type": "object", "properties": properties, "required": ["instructions"], "additionalProperties": False}


def _give_type(kind: str) -> dict[str, Any]:
    base = _JSON_TYPES.get(kind, {})
    if "type" not in base or kind in ("dict", "any"):
        return {}
    return {"type": [base["type"], "null"]}


def output_schema(action: Action) -> dict[str, Any]:
    """The structured result: Zapier's ExecuteResponse, its ``results`` items typed from the action's gives."""
    fields = {give.key: {**_give_type(give.type), "title": give.label} for give in action.gives if not give.secret}
    item: dict[str, Any] = {"type": "object", "properties": fields, "additionalProperties": True}
    return {
        "type": "object",
        "properties": {
            "execution_log_id": {"type": "string", "description": "GET /api/v2/execute/log/{id}/ shows the run."},
            "status": {"type": "string", "enum": ["success", "error", "empty", "preview", "halted"]},
            "action_used": {"type": "string"},
            "results": {"type": "array", "items": item},
            "result_field_labels": {"type": "object"},
            "resolved_params": {"type": ["object", "null"]},
            "error": {"type": ["string", "null"]},
        },
        "required": ["execution_log_id", "status", "results"],
        "additionalProperties": True,
    }


def tool_annotations(app: App, action: Action, title: str) -> types.ToolAnnotations:
    """Hints from the action's type: searches are read-only; vendor apps reach an open world."""
    read_only = action.type in READ_TYPES
    return types.ToolAnnotations(
        title=title,
        read_only_hint=read_only,
        destructive_hint=None if read_only else action.key.startswith("delete"),
        open_world_hint=app.key not in VENDORLESS_APPS,
    )
