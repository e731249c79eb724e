"""``nlactions mcp``: the MCP server over stdin/stdout for one API key, admitted on every request like HTTP's."""

from __future__ import annotations

from mcp.server.stdio import stdio_server

from nlactions.api.runtime import Runtime
from nlactions.mcp.server import Mode, build_server
from nlactions.mcp.visits import StdioDoor
from nlactions.ratelimits.service import RateLimits


async def serve_stdio(runtime: Runtime, key: str, mode: Mode, base_url: str) -> None:
    """Check the key (a bad one fails before the client connects), then serve until stdin closes."""
    await runtime.authenticator.authenticate(key)
    limits = RateLimits.from_settings(runtime.settings)
    try:
        server = build_server(mode, StdioDoor(runtime, limits, key, base_url))
        async with stdio_server() as (read_stream, write_stream):
            await server.run(read_stream, write_stream, server.create_initialization_options())
    finally:
        await limits.close()
