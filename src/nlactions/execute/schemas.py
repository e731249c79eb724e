"""Request and response models of the execute endpoints (Zapier's v2 shapes)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator

MAX_ID = 2**63 - 1
ConstraintMode = Literal["locked", "guess", "choose_from", "ignored"]
ActionType = Literal["read", "write", "search", "read_bulk", "search_or_write", "search_and_write"]
ExecutionStatus = Literal["success", "error", "empty", "preview", "halted"]
LogStatus = Literal["success", "error", "empty", "preview", "halted", "running", "interrupted"]
"""A stored log's status: an execute answer's, or ``running`` (in progress) or ``interrupted`` (its process died)."""
LOG_STATUSES: tuple[str, ...] = get_args(LogStatus)
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
LOG_EXAMPLE: dict[str, Any] = {
    **RATED_EXAMPLE,
    "ai_action_id": None,
    "created_at": "2026-12-01T20:16:28.120000+00:00",
    "completed_at": "2026-12-01T20:16:28.164000+00:00",
    "retried_by": None,
    "resolved_by": {"channel": "instructions", "text": "llm"},
    "resolver_notes": [],
}
INTERRUPTED_LOG_EXAMPLE: dict[str, Any] = {
    "execution_log_id": "01JBRX3M2R7S5V9A1C4E6G8J0K",
    "action_used": "Webhooks by nlactions: GET",
    "input_params": {"url": {"mode": "locked", "value": "https://example.com/slow"}},
    "resolved_params": None,
    "results": None,
    "full_results": None,
    "result_field_labels": None,
    "status": "interrupted",
    "error": "The server process stopped while this ran; it may or may not have reached the service. "
    "Retry with the same Idempotency-Key to run it again.",
    "rating": None,
    "feedback": None,
    "ai_action_id": None,
    "created_at": "2026-12-01T20:15:02.004000+00:00",
    "completed_at": None,
    "retried_by": "01JBRX4Z8K6Q4W3F0M9T2V7YHC",
    "resolved_by": None,
    "resolver_notes": [],
}
LOG_PAGE_EXAMPLE: dict[str, Any] = {
    "results": [LOG_EXAMPLE, INTERRUPTED_LOG_EXAMPLE],
    "next": "eyJiZWZvcmUiOiIwMUpCUlgzTTJSN1M1VjlBMUM0RTZHOEowSyJ9",
}


class _ExecuteBody(BaseModel):
    execution_log_id: str
    action_used: str
    input_params: dict[str, Any]
    resolved_params: dict[str, Any] | None = None
    results: list[dict[str, Any]] | None = None
    full_results: list[dict[str, Any]] | None = None
    result_field_labels: dict[str, str] | None = None


class ExecuteResponse(_ExecuteBody):
    """Zapier's ExecuteResponse, plus ``halted``."""

    status: ExecutionStatus = "success"
    error: str | None = None


class ExecutionLogResponse(_ExecuteBody):
    """A stored execution as Zapier's ExecuteResponse, its status also ``running`` or ``interrupted``."""

    status: LogStatus = Field(
        default="success",
        description="As for execute, plus `running` (still in progress: read it again later) and `interrupted` "
        "(the server process stopped while it ran; it may or may not have reached the service).",
    )
    error: str | None = None
    rating: int | None = None
    feedback: str | None = None


class ExecutionLogItem(ExecutionLogResponse):
    """One execution log of ``GET /api/v2/execute/log/``."""

    ai_action_id: str | None = Field(default=None, description="The stored AI action it ran, if any.")
    created_at: dt.datetime
    completed_at: dt.datetime | None = Field(default=None, description="Null while running and when interrupted.")
    retried_by: str | None = Field(
        default=None, description="For an interrupted run: the log of its retry with the same Idempotency-Key."
    )
    resolved_by: dict[str, str] | None = Field(
        default=None,
        description="Which resolver decided each resolved param: `locked`, `choose_from`, `hint` (a guess param), "
        "`instructions` (the offline reader), `llm`, `local_model` or `default`. Null before resolution.",
    )
    resolver_notes: list[str] = Field(
        default_factory=list,
        description="What went wrong while resolving without stopping it, e.g. an LLM call that failed "
        "(the offline values were kept).",
    )


class ExecutionLogPage(BaseModel):
    """A page of the account's execution logs, newest first."""

    results: list[ExecutionLogItem]
    next: str | None = Field(description="Pass as `cursor` for the next (older) page; null on the last page.")


class ErrorResponse(BaseModel):
    """Every error body."""

    model_config = ConfigDict(extra="allow")

    error: str
    code: str | None = None
    hint: str | None = None
