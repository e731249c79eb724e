"""Agentic mode: a few meta-tools to discover any installed action, read its needs, preview and run it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import mcp_types as types
from mcp.server.context import ServerRequestContext

from nlactions.ai_actions.service import configuration_link
from nlactions.catalog_api.service import CatalogService
from nlactions.execute.schemas import ParamConstraint
from nlactions.execute.service import Executed, ExecuteFlags, ExecutionInput
from nlactions.mcp import halts
from nlactions.mcp.arguments import ArgumentError, constraint_params, text_argument
from nlactions.mcp.results import problem
from nlactions.mcp.schemas import OUTPUT_HINT, READ_TYPES
from nlactions.mcp.visits import Visit

_STR = {"type": "string"}
_ID = {"type": "integer", "minimum": 1}
_PARAMS = {
    "type": "object",
    "description": 'Need key → value (a hint), or {"mode": "locked"|"guess"|"choose_from"|"ignored", "value": …}.',
    "additionalProperties": True,
}
_RUN_INPUT = {
    "type": "object",
    "properties": {
        "app": {**_STR, "description": "App key from search_actions, e.g. SlackAPI."},
        "action": {**_STR, "description": "Action key from search_actions, e.g. channel_message."},
        "instructions": {**_STR, "description": "Plain-English instructions with the values the action needs."},
        "params": _PARAMS,
        "authentication_id": {**_ID, "description": "Which connection to use; omitted: the account's only one."},
        "output_hint": OUTPUT_HINT,
    },
    "required": ["app", "action", "instructions"],
    "additionalProperties": False,
}


def _annotations(title: str, *, read_only: bool, open_world: bool) -> types.ToolAnnotations:
    return types.ToolAnnotations(
        title=title, read_only_hint=read_only, destructive_hint=None if read_only else True, open_world_hint=open_world
    )


TOOLS = [
    types.Tool(
        name="search_actions",
        title="Search actions",
        description="Find actions that do what you describe (e.g. 'post a message to Slack'). Returns app and "
        "action keys to pass to get_action_details and the execute tools.",
        input_schema={
            "type": "object",
            "properties": {
                "query": {**_STR, "description": "What you want to do."},
                "app": {**_STR, "description": "Only this app's actions (an app key)."},
                "action_type": {"type": "string", "enum": ["search", "write"], "description": "Only this kind."},
                "limit": {"type": "integer", "minimum": 1, "maximum": 50, "default": 10},
            },
            "required": ["query"],
            "additionalProperties": False,
        },
        annotations=_annotations("Search actions", read_only=True, open_world=False),
    ),
    types.Tool(
        name="get_action_details",
        title="Get action details",
        description="An action's needs (fields), with their choices. Give the values of the needs others depend "
        "on in `params` to get the choices of the dependent ones.",
        input_schema={
            "type": "object",
            "properties": {
                "app": _STR,
                "action": _STR,
                "params": {"type": "object", "description": "Need key → value, for dependent needs' choices."},
                "authentication_id": _ID,
            },
            "required": ["app", "action"],
            "additionalProperties": False,
        },
        annotations=_annotations("Get action details", read_only=True, open_world=True),
    ),
    types.Tool(
        name="execute_read_action",
        title="Run a search or read action",
        description="Run a search/read action (it changes nothing) and return its results.",
        input_schema=_RUN_INPUT,
        annotations=_annotations("Run a search or read action", read_only=True, open_world=True),
    ),
    types.Tool(
        name="execute_write_action",
        title="Run a write action",
        description="Run a write action (it creates, changes or sends something) and return its results.",
        input_schema=_RUN_INPUT,
        annotations=_annotations("Run a write action", read_only=False, open_world=True),
    ),
    types.Tool(
        name="preview_action",
        title="Preview an action",
        description="Resolve an action's params from the instructions without running it: shows what would be sent.",
        input_schema=_RUN_INPUT,
        annotations=_annotations("Preview an action", read_only=True, open_world=True),
    ),
    types.Tool(
        name="get_configuration_url",
        title="Get configuration URL",
        description="Where a person configures this server's AI actions and app connections.",
        input_schema={"type": "object", "properties": {}, "additionalProperties": False},
        annotations=_annotations("Get configuration URL", read_only=True, open_world=False),
    ),
]
READ_TOOLS = frozenset({"search_actions", "get_action_details", "get_configuration_url"})
"""Tools that run nothing: they spend the read budget, the others the execute budget."""


def _result(body: dict[str, Any]) -> types.CallToolResult:
    import json

    return types.CallToolResult(
        content=[types.TextContent(type="text", text=json.dumps(body, ensure_ascii=False, default=str))],
        structured_content=body,
    )


def _catalog(visit: Visit) -> CatalogService:
    rt = visit.runtime
    service = rt.extras.get("catalog_service")
    if not isinstance(service, CatalogService):
        service = rt.extras["catalog_service"] = CatalogService(rt.registry, rt.choices)
    return service


def _auth_id(arguments: Mapping[str, Any]) -> int | None:
    value = arguments.get("authentication_id")
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 2**63 - 1:
        raise ArgumentError(
            "authentication_id: must be a positive integer.", "GET /api/v2/apps/{app}/auths/ lists them."
        )
    return value


def list_tools() -> types.ListToolsResult:
    """``tools/list``: the meta-tools."""
    return types.ListToolsResult(tools=TOOLS)


async def call_tool(
    ctx: ServerRequestContext[Any, Any], visit: Visit, params: types.CallToolRequestParams
) -> types.CallToolResult | types.InputRequiredResult:
    """``tools/call`` of a meta-tool."""
    arguments = dict(params.arguments or {})
    try:
        if params.name == "search_actions":
            return _search(visit, arguments)
        if params.name == "get_action_details":
            return await _details(visit, arguments)
        if params.name == "get_configuration_url":
            return _result({"url": configuration_link(visit.base_url)})
        if params.name in ("execute_read_action", "execute_write_action", "preview_action"):
            return await _run(ctx, visit, params, arguments)
    except ArgumentError as exc:
        return exc.result()
    return problem(
        f"name: '{params.name}' is not a tool of the agentic server.",
        f"Valid tools: {', '.join(tool.name for tool in TOOLS)}.",
        "unknown_tool",
    )


def _search(visit: Visit, arguments: Mapping[str, Any]) -> types.CallToolResult:
    query = text_argument(arguments, "query", required=True) or ""
    app = text_argument(arguments, "app")
    kind = text_argument(arguments, "action_type")
    limit = arguments.get("limit", 10)
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= 50:
        raise ArgumentError("limit: must be an integer from 1 to 50.", "Send e.g. 10, or leave it out.")
    if kind not in (None, "search", "write"):
        raise ArgumentError("action_type: must be 'search' or 'write'.", "Leave it out for both.")
    types_ = [kind] if kind else ["write", "search", "read"]
    catalog = _catalog(visit)
    hits = catalog.search_actions(app, query, types_)[:limit] if app else catalog.guess_actions(query, types_, limit)
    return _result({"results": hits})


async def _details(visit: Visit, arguments: Mapping[str, Any]) -> types.CallToolResult:
    app = text_argument(arguments, "app", required=True) or ""
    action = text_argument(arguments, "action", required=True) or ""
    given = arguments.get("params") or {}
    if not isinstance(given, Mapping):
        raise ArgumentError("params: must be an object of need key to value.", 'Send e.g. {"team": "T1"}.')
    results = await _catalog(visit).action_details(
        app_key=app,
        action_key=action,
        account_id=visit.caller.default_account_id,
        authentication_id=_auth_id(arguments),
        params=dict(given),
        extras=(),
    )
    return _result({"results": results})


async def _run(
    ctx: ServerRequestContext[Any, Any], visit: Visit, params: types.CallToolRequestParams, arguments: Mapping[str, Any]
) -> types.CallToolResult | types.InputRequiredResult:
    app_key = text_argument(arguments, "app", required=True) or ""
    action_key = text_argument(arguments, "action", required=True) or ""
    instructions = text_argument(arguments, "instructions", required=True) or ""
    output_hint = text_argument(arguments, "output_hint")
    given = constraint_params(arguments)
    authentication_id = _auth_id(arguments)
    execute = visit.runtime.execute
    app, action = execute.find_action(app_key, action_key)
    reads = action.type in READ_TYPES
    if params.name == "execute_read_action" and not reads:
        raise ArgumentError(
            f"action: {app.key}.{action.key} is a {action.type} action; this tool runs searches and reads only.",
            "Call execute_write_action for it (or preview_action to see what it would send).",
            "wrong_tool",
        )
    if params.name == "execute_write_action" and reads:
        raise ArgumentError(
            f"action: {app.key}.{action.key} is a {action.type} action.",
            "Call execute_read_action for it.",
            "wrong_tool",
        )
    flags = ExecuteFlags(preview_only=params.name == "preview_action")

    async def run(extra: Mapping[str, ParamConstraint]) -> Executed:
        request = ExecutionInput(
            app=app.key,
            action=action.key,
            instructions=instructions,
            params={**given, **extra},
            flags=flags,
            account_id=visit.caller.default_account_id,
            authentication_id=authentication_id,
        )
        return await execute.run(visit.caller, request)

    return await halts.run_asking(ctx, params, action, run, output_hint=output_hint)
