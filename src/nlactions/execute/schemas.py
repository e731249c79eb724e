"""Request and response models of the execute endpoints (Zapier's v2 shapes)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

MAX_ID = 2**63 - 1
ConstraintMode = Literal["locked", "guess", "choose_from", "ignored"]
ActionType = Literal["read", "write", "search", "read_bulk", "search_or_write", "search_and_write"]
ExecutionStatus = Literal["success", "error", "empty", "preview", "halted"]
ParamValue = str | int | float | bool | list[Any] | dict[str, Any] | None


class ParamConstraint(BaseModel):
    """A hint for one need: ``mode`` and ``value``."""

    model_config = ConfigDict(strict=True, extra="allow")

    mode: ConstraintMode
    value: ParamValue = None


class ExecuteRequest(BaseModel):
    """Body of an execute call: instructions plus per-need params."""

    model_config = ConfigDict(
        strict=True,
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "instructions": "Uppercase the text 'hello world'",
                    "app": "FormatterAPI",
                    "action": "text",
                    "params": {"transform": {"mode": "locked", "value": "uppercase"}},
                }
            ]
        },
    )

    instructions: str = Field(
        description="Plain English instructions about how to run the action. When params are guessed, at most "
        "the server's NLACTIONS_MAX_INSTRUCTION_CHARS (20,000 by default) characters; longer is a 422."
    )
    params: dict[str, ParamConstraint] = Field(
        default_factory=dict,
        description="Per need key: a mode (locked, guess, choose_from, ignored) and a value.",
    )

    @model_validator(mode="before")
    @classmethod
    def _accept_params_constraints(cls, data: Any) -> Any:
        if isinstance(data, dict) and "params" not in data and isinstance(data.get("params_constraints"), dict):
            data = {**data, "params": data["params_constraints"]}
        return data


class StatelessExecuteRequest(ExecuteRequest):
    """Body of ``POST /api/v2/execute/``: the action to run is named in the body."""

    app: str = Field(description="The app to use, e.g. FormatterAPI.")
    action: str = Field(description="The action to run, e.g. text.")
    action_type: ActionType = "write"
    authentication_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    account_id: int | None = Field(default=None, ge=1, le=MAX_ID)


EXECUTE_RESPONSE_EXAMPLE: dict[str, Any] = {
    "execution_log_id": "01JBRX4Z8K6Q4W3F0M9T2V7YHC",
    "action_used": "Formatter by nlactions: Text",
    "input_params": {
        "transform": {"mode": "locked", "value": "uppercase"},
        "input": {"mode": "guess", "value": "hello world"},
    },
    "resolved_params": {"transform": "uppercase", "input": "hello world", "replace_with": "", "segment_index": 0},
    "results": [{"output": "HELLO WORLD"}],
    "full_results": [{"output": "HELLO WORLD"}],
    "result_field_labels": {"output": "Output"},
    "status": "success",
    "error": None,
}
RATED_EXAMPLE: dict[str, Any] = {**EXECUTE_RESPONSE_EXAMPLE, "rating": 1, "feedback": "Exactly what I asked for."}


class ExecuteResponse(BaseModel):
    """Zapier's ExecuteResponse, plus ``halted``."""

    execution_log_id: str
    action_used: str
    input_params: dict[str, Any]
    resolved_params: dict[str, Any] | None = None
    results: list[dict[str, Any]] | None = None
    full_results: list[dict[str, Any]] | None = None
    result_field_labels: dict[str, str] | None = None
    status: ExecutionStatus = "success"
    error: str | None = None


class ErrorResponse(BaseModel):
    """Every error body."""

    model_config = ConfigDict(extra="allow")

    error: str
    code: str | None = None
    hint: str | None = None
