"""Managed mode: one tool per stored AI action of the caller's accounts, taking ``instructions`` and hints."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import mcp_types as types
from mcp.server.context import ServerRequestContext

from nlactions.ai_actions.params import OWNER_MODES, constraint_of
from nlactions.ai_actions.sealing import redacted, secret_keys
from nlactions.ai_actions.service import AiActionService
from nlactions.catalog import Action, App, NeedSpec
from nlactions.db.models import AiAction
from nlactions.execute.schemas import ParamConstraint
from nlactions.execute.service import Executed, ExecuteFlags
from nlactions.mcp import halts
from nlactions.mcp.arguments import ArgumentError, need_params, text_argument
from nlactions.mcp.names import base_name, unique_names
from nlactions.mcp.results import problem
from nlactions.mcp.schemas import input_schema, output_schema, tool_annotations
from nlactions.mcp.visits import Visit


@dataclass(frozen=True, slots=True)
class ManagedTool:
    """A stored AI action as a tool: its name, what its owner fixed, and the needs left open."""

    name: str
    row: AiAction
    app: App
    action: Action
    fixed: Mapping[str, str]
    open_needs: tuple[NeedSpec, ...]

    def describe(self) -> types.Tool:
        """The tool as ``tools/list`` shows it."""
        fixed = "; ".join(f"{key} = {shown}" for key, shown in self.fixed.items())
        description = " ".join(
            part
            for part in (
                f"{self.row.description}." if self.row.description else "",
                self.action.description,
                f"Fixed: {fixed}." if fixed else "",
                "Say what to do in `instructions`; the other fields are optional values or hints.",
            )
            if part
        )
        title = self.row.description or f"{self.app.name}: {self.action.name}"
        return types.Tool(
            name=self.name,
            title=title,
            description=description,
            input_schema=input_schema(list(self.open_needs)),
            output_schema=output_schema(self.action),
            annotations=tool_annotations(self.app, self.action, title),
        )


def _shown(need: NeedSpec | None, constraint: ParamConstraint) -> str:
    if constraint.mode == "ignored":
        return "left empty"
    value = constraint.value
    if need is not None and need.choices is not None:
        label = next((c.label for c in need.choices if c.key == value), None)
        if label and label != value:
            return f"{value} ({label})"
    return str(value)


def fixed_needs(row: AiAction, action: Action) -> dict[str, str]:
    """The needs the AI action's owner locked or ignored, each with the value shown (secrets redacted)."""
    out: dict[str, str] = {}
    for key, value in redacted(row.params, secret_keys(action)).items():
        constraint = constraint_of(value)
        if constraint is not None and constraint.mode in OWNER_MODES:
            out[key] = _shown(action.needs_by_key.get(key), constraint)
    return out


def service(visit: Visit) -> AiActionService:
    """The AI action service over the visit's runtime."""
    rt = visit.runtime
    return AiActionService(registry=rt.registry, box=rt.box, executions=rt.execute)


async def managed_tools(visit: Visit) -> list[ManagedTool]:
    """The caller's AI actions as tools, oldest first, names made unique in that order."""
    svc = service(visit)
    async with visit.runtime.sessions() as session:
        rows = await svc.list_for(session, visit.caller)
    entries = [(row, entry) for row in rows if (entry := svc.catalog_entry(row)) is not None]
    names = unique_names(base_name(app, action) for _row, (app, action) in entries)
    tools = []
    for name, (row, (app, action)) in zip(names, entries, strict=True):
        fixed = fixed_needs(row, action)
        open_needs = tuple(need for need in action.needs if need.key not in fixed)
        tools.append(ManagedTool(name, row, app, action, fixed, open_needs))
    return tools


async def list_tools(visit: Visit) -> types.ListToolsResult:
    """``tools/list``: the caller's AI actions."""
    return types.ListToolsResult(tools=[tool.describe() for tool in await managed_tools(visit)])


async def call_tool(
    ctx: ServerRequestContext[Any, Any], visit: Visit, params: types.CallToolRequestParams
) -> types.CallToolResult | types.InputRequiredResult:
    """``tools/call``: run the AI action through the execute service, asking for missing needs if it halts."""
    tools = {tool.name: tool for tool in await managed_tools(visit)}
    tool = tools.get(params.name)
    if tool is None:
        return problem(
            f"name: '{params.name}' is not one of your tools.",
            "tools/list lists the AI actions of your account; create one with POST /api/v2/ai-actions/.",
            "unknown_tool",
        )
    arguments = dict(params.arguments or {})
    try:
        instructions = text_argument(arguments, "instructions", required=True) or ""
        output_hint = text_argument(arguments, "output_hint")
        hints = need_params(arguments, tool.open_needs, tool.fixed)
    except ArgumentError as exc:
        return exc.result()
    svc = service(visit)

    async def run(extra: Mapping[str, ParamConstraint]) -> Executed:
        request = svc.execution_input(
            tool.row, instructions=instructions, params={**hints, **extra}, flags=ExecuteFlags()
        )
        return await visit.runtime.execute.run(visit.caller, request)

    return await halts.run_asking(ctx, params, tool.action, run, output_hint=output_hint)
