"""The MCP front door: managed and agentic tools over streamable HTTP and stdio, through the execute service."""
