"""The MCP servers (managed and agentic), built on the SDK's server with tools listed per caller.

The SDK's ``MCPServer`` registers a fixed set of Python functions as tools; a managed tool list is
each caller's stored AI actions, so both modes use the SDK's ``Server`` with list and call handlers.
"""

from __future__ import annotations

import logging
from typing import Any, Literal

import mcp_types as types
from mcp.server import Server
from mcp.server.context import ServerRequestContext
from mcp.shared.exceptions import MCPError

from nlactions import __version__
from nlactions.errors import NLActionsError
from nlactions.mcp import agentic, managed
from nlactions.mcp.results import error_result, problem
from nlactions.mcp.visits import Door
from nlactions.ratelimits.service import Budget

Mode = Literal["managed", "agentic"]
log = logging.getLogger(__name__)

INSTRUCTIONS: dict[Mode, str] = {
    "managed": "Each tool is an AI action stored on this nlactions server. Describe what to do in `instructions`; "
    "the other arguments are optional values. A result's execution_log_id finds the run in "
    "GET /api/v2/execute/log/.",
    "agentic": "Find an action with search_actions, read its needs with get_action_details, then run it with "
    "execute_read_action (searches) or execute_write_action (writes); preview_action shows what would be sent.",
}


def _protocol_error(exc: NLActionsError) -> MCPError:
    body = exc.body()
    return MCPError(types.INVALID_REQUEST, exc.message, {**body, "status": exc.status})


def build_server(mode: Mode, door: Door) -> Server[Any]:
    """The MCP server of ``mode``; ``door`` says who is asking."""

    async def list_tools(
        ctx: ServerRequestContext[Any, Any], params: types.PaginatedRequestParams | None
    ) -> types.ListToolsResult:
        try:
            visit = await door.visit(ctx, Budget.READ)
            if mode == "agentic":
                return agentic.list_tools()
            return await managed.list_tools(visit)
        except NLActionsError as exc:
            raise _protocol_error(exc) from None

    async def call_tool(
        ctx: ServerRequestContext[Any, Any], params: types.CallToolRequestParams
    ) -> types.CallToolResult | types.InputRequiredResult:
        budget = Budget.READ if mode == "agentic" and params.name in agentic.READ_TOOLS else Budget.EXECUTE
        try:
            visit = await door.visit(ctx, budget)
            if mode == "agentic":
                return await agentic.call_tool(ctx, visit, params)
            return await managed.call_tool(ctx, visit, params)
        except NLActionsError as exc:
            return error_result(exc)
        except MCPError:
            raise
        except Exception:
            log.exception("MCP tool %r failed unexpectedly", params.name[:64])
            return problem(
                "The server failed while running this tool.",
                "Retry; if it keeps failing, the server's log says why.",
                "internal_error",
            )

    name = "nlactions" if mode == "managed" else "nlactions-agentic"
    return Server(
        name,
        version=__version__,
        title="nlactions" if mode == "managed" else "nlactions (agentic)",
        instructions=INSTRUCTIONS[mode],
        on_list_tools=list_tools,
        on_call_tool=call_tool,
    )
