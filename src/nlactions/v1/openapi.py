"""The per-account OpenAPI document of v1's dynamic API: one path per exposed AI action."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from nlactions import __version__
from nlactions.execute.schemas import ErrorResponse
from nlactions.v1.schemas import ExposedList, V1ExecuteResponse
from nlactions.v1.service import Exposed, operation_id

SECURITY_SCHEMES = {
    "AccessPointApiKeyHeader": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
    "AccessPointApiKeyQuery": {"type": "apiKey", "in": "query", "name": "api_key"},
    "AccessPointBearer": {"type": "http", "scheme": "bearer"},
}


EXAMPLE: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "nlactions — your exposed AI actions", "version": __version__},
    "servers": [{"url": "http://localhost:8000"}],
    "paths": {
        "/api/v1/dynamic/exposed/01JBRX2D5N8W0Q7E4H6T9Y3MKC/execute/": {
            "post": {
                "operationId": "exposed_01JBRX2D5N8W0Q7E4H6T9Y3MKC_execute",
                "summary": "Formatter by nlactions: Text (execute)",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {"instructions": {"type": "string"}, "Input": {"type": "string"}},
                                "required": ["instructions"],
                            }
                        }
                    },
                },
                "responses": {"200": {"description": "The result; app failures have status 'error'."}},
            }
        }
    },
}
"""An abbreviated document, for the API docs (the real one also lists the actions and has components)."""


def _json(ref: str, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}},
    }


def request_schema(item: Exposed) -> dict[str, Any]:
    """``PreviewExecuteRequest_<ID>``: instructions, preview_only and the action's hint params."""
    properties: dict[str, Any] = {
        "instructions": {
            "type": "string",
            "title": "Instructions",
            "description": "Plain English instructions about how to run the action.",
        }
    }
    for name, need in item.hints.items():
        hint = need.help_text or f"A hint for {need.label}."
        properties[name] = {"type": "string", "title": need.label, "description": hint}
    properties["preview_only"] = {
        "type": "boolean",
        "title": "Preview Only",
        "default": False,
        "description": "Resolve the params but do not run the action.",
    }
    return {
        "title": f"PreviewExecuteRequest_{item.id}",
        "type": "object",
        "properties": properties,
        "required": ["instructions"],
    }


def _operation(item: Exposed) -> dict[str, Any]:
    return {
        "operationId": operation_id(item.id),
        "summary": f"{item.description} (execute)",
        "description": item.action_description or item.description,
        "requestBody": {"required": True, **_json(f"PreviewExecuteRequest_{item.id}", "Hints")},
        "responses": {
            "200": _json("ExecuteResponse", "The result; app failures have status 'error'."),
            "400": _json("ErrorResponse", "Bad Request: the message names the field and how to fix it"),
            "401": _json("ErrorResponse", "No or bad API key"),
            "404": _json("ErrorResponse", "Not found in your accounts"),
        },
    }


def build(items: Sequence[Exposed], server_url: str) -> dict[str, Any]:
    """The OpenAPI 3.1 document for these exposed actions, served from ``server_url``."""
    paths: dict[str, Any] = {
        "/api/v1/dynamic/exposed/": {
            "get": {
                "operationId": "list_exposed_actions",
                "summary": "List Exposed Actions",
                "description": "The AI actions you can run, with the hint params each accepts.",
                "responses": {
                    "200": _json("ExposedList", "The exposed actions"),
                    "401": _json("ErrorResponse", "No or bad API key"),
                },
            }
        }
    }
    schemas: dict[str, Any] = {
        "ExecuteResponse": V1ExecuteResponse.model_json_schema(),
        "ErrorResponse": ErrorResponse.model_json_schema(),
    }
    listing = ExposedList.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(listing.pop("$defs", {}))
    schemas["ExposedList"] = listing
    for item in items:
        paths[f"/api/v1/dynamic/exposed/{item.id}/execute/"] = {"post": _operation(item)}
        schemas[f"PreviewExecuteRequest_{item.id}"] = request_schema(item)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "nlactions — your exposed AI actions",
            "version": __version__,
            "description": "Run the AI actions stored in your accounts. Each action takes plain English "
            "instructions and optional hint params.",
        },
        "servers": [{"url": server_url.rstrip("/")}],
        "paths": paths,
        "components": {"schemas": schemas, "securitySchemes": SECURITY_SCHEMES},
        "security": [{name: []} for name in SECURITY_SCHEMES],
    }
