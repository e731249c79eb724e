"""Response bodies of logs that have no completed response: still running, or interrupted."""

from __future__ import annotations

from typing import Any

from nlactions.catalog import Registry
from nlactions.db.models import ExecutionLog

INTERRUPTED_ERROR = (
    "The server process stopped while this ran; it may or may not have reached the service. "
    "Retry with the same Idempotency-Key to run it again."
)


def action_used(registry: Registry | None, app_key: str, action_key: str) -> str:
    """``"<App name>: <Action name>"``, or the keys when the app is not installed (any more)."""
    app = registry.get(app_key) if registry is not None else None
    action = app.action(action_key) if app is not None else None
    if app is None or action is None:
        return f"{app_key}: {action_key}"
    return f"{app.name}: {action.name}"


def unfinished_body(log: ExecutionLog, used: str, status: str, error: str | None) -> dict[str, Any]:
    """An ExecuteResponse for a log without a result: nothing resolved, no results yet."""
    return {
        "execution_log_id": log.id,
        "action_used": used,
        "input_params": log.input_params,
        "resolved_params": None,
        "results": None,
        "full_results": None,
        "result_field_labels": None,
        "status": status,
        "error": error,
    }
