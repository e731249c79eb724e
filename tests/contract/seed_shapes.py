"""The shapes of the seed contract (Zapier's stateless execute operation) that the suite tests against.

Facts only: the operation's path, id, query flags, the request, response and error schemas with
their field names, JSON types, enums, defaults and required fields, the documented statuses and
the security schemes. Written down here so the contract tests run on any checkout; the upstream
document's prose is not carried. ``seed_spec()`` assembles them into an OpenAPI 3.1 document
(JSON Schema 2020-12 dialect) that schemathesis and jsonschema read.

When the seed changes, change the facts here; the tests then say what nlactions must follow.
"""

from __future__ import annotations

import copy
from typing import Any

EXECUTE_PATH = "/api/v2/execute/"
OPERATION_ID = "api_execute_execute_stateless_action"

# The seed's ExecuteResponse.status values; nlactions adds HALTED (Zapier's current v2 returns it).
STATUSES = ["success", "error", "empty", "preview"]
HALTED = "halted"
MODES = ["locked", "guess", "choose_from", "ignored"]
ACTION_TYPES = ["read", "write", "search", "read_bulk"]

# Query flags of the execute operation: name -> (JSON type, default or None). None of them is required.
QUERY_FLAGS: dict[str, tuple[str, Any]] = {
    "provider_id": ("string", None),
    "token_budget": ("integer", 1000),
    "preview_only": ("boolean", False),
    "skip_param_guessing": ("boolean", False),
}

# Documented response codes of the execute operation -> the component their JSON body is.
RESPONSES = {"200": "ExecuteResponse", "400": "ErrorResponse", "412": "ErrorResponse", "422": "ErrorResponse"}

API_KEY_HEADER = "x-api-key"
OAUTH_SCOPES = ["nla:exposed_actions:execute", "openid"]


def _ref(component: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{component}"}


def _nullable(*alternatives: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [*alternatives, {"type": "null"}]}


def _object(properties: dict[str, Any], required: list[str], **extra: Any) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": required, **extra}


def _schemas(statuses: list[str]) -> dict[str, Any]:
    return {
        "StatelessExecuteRequest": _object(
            {
                "instructions": {"type": "string"},
                "params": {"type": "object", "additionalProperties": _ref("ParamConstraint")},
                "app": {"type": "string"},
                "action": {"type": "string"},
                "action_type": {"allOf": [_ref("ActionType")], "default": "write"},
                "authentication_id": _nullable({"type": "integer"}),
                "account_id": _nullable({"type": "integer"}),
            },
            ["instructions", "app", "action"],
            additionalProperties=True,
        ),
        "ExecuteResponse": _object(
            {
                "execution_log_id": {"type": "string"},
                "action_used": {"type": "string"},
                "input_params": {"type": "object"},
                "resolved_params": _nullable({"type": "object"}),
                "results": _nullable({"type": "array", "items": {"type": "object"}}),
                "full_results": _nullable({"type": "array", "items": {"type": "object"}}),
                "result_field_labels": _nullable({"type": "object"}),
                "status": {"type": "string", "enum": list(statuses), "default": "success"},
                "error": _nullable({"type": "string"}),
            },
            ["execution_log_id", "action_used", "input_params"],
        ),
        "ErrorResponse": _object({"error": {"type": "string"}}, ["error"], additionalProperties=True),
        "ParamConstraint": _object(
            {
                "mode": _ref("ConstraintMode"),
                "value": _nullable(
                    {"type": "string"},
                    {"type": "array", "items": {"type": "string"}},
                    {"type": "object", "additionalProperties": {"type": "string"}},
                ),
            },
            ["mode"],
        ),
        "ActionType": {"type": "string", "enum": list(ACTION_TYPES)},
        "ConstraintMode": {"type": "string", "enum": list(MODES)},
    }


def _parameters() -> list[dict[str, Any]]:
    out = []
    for name, (kind, default) in QUERY_FLAGS.items():
        schema: dict[str, Any] = {"type": kind}
        if default is not None:
            schema["default"] = default
        out.append({"in": "query", "name": name, "required": False, "schema": schema})
    return out


def _responses() -> dict[str, Any]:
    return {
        code: {"description": code, "content": {"application/json": {"schema": _ref(component)}}}
        for code, component in RESPONSES.items()
    }


def seed_spec(*, halted: bool = False) -> dict[str, Any]:
    """The seed contract as a fresh OpenAPI 3.1 document; ``halted=True`` also allows status ``halted``."""
    statuses = [*STATUSES, HALTED] if halted else STATUSES
    operation = {
        "operationId": OPERATION_ID,
        "parameters": _parameters(),
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": _ref("StatelessExecuteRequest")}},
        },
        "responses": _responses(),
        "security": [{"AccessPointApiKeyHeader": []}, {"AccessPointOAuth": []}],
    }
    spec = {
        "openapi": "3.1.0",
        "info": {"title": "nlactions seed contract (shapes)", "version": "1"},
        "paths": {EXECUTE_PATH: {"post": operation}},
        "components": {
            "schemas": _schemas(statuses),
            "securitySchemes": {
                "AccessPointApiKeyHeader": {"type": "apiKey", "in": "header", "name": API_KEY_HEADER},
                "AccessPointOAuth": {
                    "type": "oauth2",
                    "flows": {
                        "authorizationCode": {
                            "authorizationUrl": "/oauth/authorize/",
                            "tokenUrl": "/oauth/token/",
                            "scopes": {scope: scope for scope in OAUTH_SCOPES},
                        }
                    },
                },
            },
        },
    }
    return copy.deepcopy(spec)
