"""Request and response models of the v1 (NLA) API."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

V1Status = Literal["success", "error", "empty", "preview", "running"]
"""v1's statuses, plus ``running`` for a log read while its action still runs."""


class V1ExecuteRequest(BaseModel):
    """Body of ``POST /api/v1/exposed/{id}/execute/``: instructions plus hint params as top-level keys."""

    model_config = ConfigDict(
        strict=True,
        extra="allow",
        json_schema_extra={
            "examples": [{"instructions": "Shout the greeting", "Input": "hello world", "preview_only": False}]
        },
    )

    instructions: str = Field(description="Plain English instructions about how to run the action.")
    preview_only: bool = Field(default=False, description="Resolve the params but do not run the action.")


class ExposedAction(BaseModel):
    """One stored AI action as v1 lists it."""

    id: str
    operation_id: str
    description: str
    params: dict[str, str] = Field(description='Available hint fields, e.g. {"instructions": "str", "Channel": "str"}.')


class ExposedList(BaseModel):
    """``GET /api/v1/exposed/``."""

    results: list[ExposedAction]
    configuration_link: str


class V1ExecuteResponse(BaseModel):
    """v1's ExecuteResponse; app failures come back with HTTP 200 and status "error"."""

    id: str = Field(description="The execution log id.")
    action_used: str
    input_params: dict[str, Any] = Field(description="The params used (or, in a preview, that would be used).")
    review_url: str
    result: dict[str, Any] | None = Field(default=None, description="The first result, trimmed.")
    additional_results: list[dict[str, Any]] = Field(default_factory=list)
    result_field_labels: dict[str, str] | None = None
    status: V1Status = Field(
        default="success",
        description="`running`: the action is still in progress (read the log again later); a run whose server "
        "stopped while it ran is `error` saying so.",
    )
    error: str | None = None
    assistant_hint: str | None = Field(default=None, description="A hint for the assistant on what to do next.")


class CheckResponse(BaseModel):
    """``GET /api/v1/check/``: the API and the credential work."""

    success: bool
    email: str
    name: str
    user_id: int | None
    is_staff: bool | None


class ConfigurationLink(BaseModel):
    """``GET /api/v1/configuration-link/``."""

    configuration_link: str


EXAMPLE_ID = "01JBRX2D5N8W0Q7E4H6T9Y3MKC"
CONFIGURATION_LINK_EXAMPLE = {"configuration_link": "http://localhost:8000/docs#/ai-actions"}
CHECK_EXAMPLE = {"success": True, "email": "alice@example.com", "name": "alice", "user_id": 1, "is_staff": False}
EXPOSED_LIST_EXAMPLE: dict[str, Any] = {
    "results": [
        {
            "id": EXAMPLE_ID,
            "operation_id": f"exposed_{EXAMPLE_ID}_execute",
            "description": "Formatter by nlactions: Text",
            "params": {"instructions": "str", "Input": "str"},
        }
    ],
    **CONFIGURATION_LINK_EXAMPLE,
}
EXECUTE_RESPONSE_EXAMPLE: dict[str, Any] = {
    "id": "01JBRX4Z8K6Q4W3F0M9T2V7YHC",
    "action_used": "Formatter by nlactions: Text",
    "input_params": {"Transform": "uppercase", "Input": "hello world"},
    "review_url": "http://localhost:8000/api/v1/execution-log/01JBRX4Z8K6Q4W3F0M9T2V7YHC/",
    "result": {"output": "HELLO WORLD"},
    "additional_results": [],
    "result_field_labels": {"output": "Output"},
    "status": "success",
    "error": None,
    "assistant_hint": None,
}
