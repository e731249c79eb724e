"""A halted run as the protocol's question: an elicitation form whose choices are the need's choices.

On 2026-07-28 the form goes back as an ``InputRequiredResult`` and the client retries with its answers;
on a 2025-11-25 connection that can carry server requests (stdio) it is an ``elicitation/create`` request.
Where the client declared no form elicitation (or the connection cannot ask), the halted run is an
``isError`` result with the need keys, closest choices and what to send.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import mcp_types as types
from mcp.server.context import ServerRequestContext
from mcp_types.version import is_version_at_least

from nlactions.catalog import Action, Choice, NeedSpec
from nlactions.execute.schemas import ParamConstraint
from nlactions.execute.service import Executed
from nlactions.mcp.results import execution_result
from nlactions.mcp.schemas import MAX_ENUM

FORM_KEY = "nlactions_missing_needs"
INPUT_REQUIRED_VERSION = "2026-07-28"

Runner = Callable[[Mapping[str, ParamConstraint]], Awaitable[Executed]]

_FORM_TYPES = {"int": "integer", "float": "number", "bool": "boolean", "str": "string"}
_FORM_FORMATS = {"date": "date", "datetime": "date-time"}


def _choices(need: NeedSpec, closest: tuple[Choice, ...]) -> tuple[Choice, ...]:
    if need.choices is not None and 0 < len(need.choices) <= MAX_ENUM:
        return need.choices
    return closest


def form_schema(action: Action, executed: Executed) -> dict[str, Any] | None:
    """The form asking for each unresolved need; None when one of them cannot be asked in a flat form."""
    needs = action.needs_by_key
    properties: dict[str, Any] = {}
    for item in executed.unresolved:
        need = needs.get(item.key)
        if need is None or need.secret or need.list:
            return None
        field: dict[str, Any] = {"title": need.label}
        if need.help_text:
            field["description"] = need.help_text
        choices = _choices(need, item.closest)
        if need.has_choices:
            if not choices:
                return None
            field["type"] = "string"
            field["oneOf"] = [{"const": c.key, "title": c.label or c.key} for c in choices]
        elif need.type in _FORM_TYPES:
            field["type"] = _FORM_TYPES[need.type]
        elif need.type in _FORM_FORMATS:
            field.update(type="string", format=_FORM_FORMATS[need.type])
        else:
            return None
        properties[need.key] = field
    if not properties:
        return None
    return {"type": "object", "properties": properties, "required": list(properties)}


def form_message(action: Action, executed: Executed) -> str:
    """What the form asks, in words: the action and the needs it could not fill."""
    labels = ", ".join(action.needs_by_key[item.key].label for item in executed.unresolved)
    return f"{action.name}: please give {labels} (they could not be read from the instructions)."


def answers(content: Mapping[str, Any] | None, action: Action) -> dict[str, ParamConstraint]:
    """A submitted form as params: a free need's value is locked; a choice is matched (an id matches exactly)."""
    out: dict[str, ParamConstraint] = {}
    needs = action.needs_by_key
    for key, value in (content or {}).items():
        need = needs.get(key)
        if need is None or value is None or value == "":
            continue
        out[key] = ParamConstraint(mode="guess" if need.has_choices else "locked", value=value)
    return out


def client_asks_forms(ctx: ServerRequestContext[Any, Any]) -> bool:
    """True when the client declared form elicitation (an empty ``elicitation`` object means form)."""
    caps = ctx.session.client_capabilities
    elicitation = caps.elicitation if caps is not None else None
    return elicitation is not None and (elicitation.form is not None or elicitation.url is None)


def _modern(ctx: ServerRequestContext[Any, Any]) -> bool:
    version = ctx.protocol_version
    return bool(version) and is_version_at_least(version, INPUT_REQUIRED_VERSION)


def _answered(params: types.CallToolRequestParams) -> types.ElicitResult | None:
    response = (params.input_responses or {}).get(FORM_KEY)
    return response if isinstance(response, types.ElicitResult) else None


async def run_asking(
    ctx: ServerRequestContext[Any, Any],
    params: types.CallToolRequestParams,
    action: Action,
    run: Runner,
    *,
    output_hint: str | None = None,
) -> types.CallToolResult | types.InputRequiredResult:
    """Run; when the run halts and the client can answer a form, ask for the missing needs and run again."""
    extra: dict[str, ParamConstraint] = {}
    previous = _answered(params) if _modern(ctx) else None
    if previous is not None and previous.action == "accept":
        extra = answers(previous.content, action)
    executed = await run(extra)
    if executed.response.get("status") != "halted" or not executed.unresolved:
        return execution_result(executed, action, output_hint=output_hint)
    schema = form_schema(action, executed)
    if schema is None or not client_asks_forms(ctx):
        return execution_result(executed, action)
    message = form_message(action, executed)
    if _modern(ctx):
        if previous is not None and previous.action != "accept":
            return execution_result(executed, action)  # declined or cancelled: say what is missing
        request = types.ElicitRequest(params=types.ElicitRequestFormParams(message=message, requested_schema=schema))
        return types.InputRequiredResult(input_requests={FORM_KEY: request})
    if not ctx.session.can_send_request:
        return execution_result(executed, action)
    answer = await ctx.session.elicit_form(message, schema, related_request_id=ctx.request_id)
    if answer.action != "accept" or not answer.content:
        return execution_result(executed, action)
    return execution_result(await run(answers(answer.content, action)), action, output_hint=output_hint)
