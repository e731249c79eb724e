"""The v1 adapter: stored AI actions listed and run in v1's shapes, through the same services as v2."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nlactions.accounts.service import Caller
from nlactions.ai_actions.service import AiActionService
from nlactions.catalog import Action, NeedSpec
from nlactions.db.models import AiAction, ExecutionLog
from nlactions.errors import NLActionsError, NotFound
from nlactions.execute.service import ExecuteFlags, response_of
from nlactions.v1.hints import exposed_hints, hint_names, read_hints
from nlactions.v1.schemas import V1ExecuteRequest

TOKEN_BUDGET = 350
"""v1 results were trimmed to about 350 tokens; each string field of a result is cut to this budget."""

HINTS = {
    "preview": "This was a preview: nothing ran. Check input_params, then run again without preview_only "
    "to execute it.",
    "halted": "Nothing ran: the error names the values that are missing. Say them in the instructions or "
    "pass them as hint params, then run again.",
    "error": "The action failed: read error, change the instructions or hint params if that would help, and run again.",
    "empty": "The search ran and found nothing; try other terms in the instructions.",
    "running": "The action is still running: read this execution log again in a moment for its result.",
    "interrupted": "The server stopped while this ran, so it may or may not have happened: check the service "
    "before running it again.",
}
AS_ERROR = frozenset({"halted", "interrupted"})
"""Statuses v1 does not have, answered as ``error`` with a hint saying which it was."""


def operation_id(ai_action_id: str) -> str:
    """The v1 operation id of an exposed action (a valid function name)."""
    return f"exposed_{ai_action_id}_execute"


@dataclass(frozen=True, slots=True)
class Exposed:
    """A stored AI action as v1 exposes it: its description and the hint params it accepts."""

    id: str
    description: str
    action_description: str
    hints: dict[str, NeedSpec]

    def listing(self) -> dict[str, Any]:
        """The ``{id, operation_id, description, params}`` item of ``GET /api/v1/exposed/``."""
        return {
            "id": self.id,
            "operation_id": operation_id(self.id),
            "description": self.description,
            "params": {"instructions": "str"} | {name: "str" for name in self.hints},
        }


def to_v1(response: dict[str, Any], action: Action | None, base_url: str) -> dict[str, Any]:
    """A v2 ExecuteResponse in v1's shape: first result, the rest, review URL, assistant hint."""
    status = response.get("status", "error")
    results = response.get("results") or []
    if response.get("resolved_params") is not None:
        used = dict(response["resolved_params"])
    else:
        given = response.get("input_params") or {}
        used = {k: v.get("value") if isinstance(v, dict) else v for k, v in given.items()}
    names = hint_names(action) if action is not None else {}
    log_id = response["execution_log_id"]
    review_url = f"{base_url.rstrip('/')}/api/v1/execution-log/{log_id}/"
    return {
        "id": log_id,
        "action_used": response.get("action_used", ""),
        "input_params": {names.get(key, key): value for key, value in used.items()},
        "review_url": review_url + ("?needs_confirmation=true" if status == "preview" else ""),
        "result": results[0] if results else None,
        "additional_results": results[1:],
        "result_field_labels": response.get("result_field_labels"),
        "status": "error" if status in AS_ERROR else status,
        "error": response.get("error"),
        "assistant_hint": HINTS.get(status),
    }


class V1Service:
    """Lists, runs and reads back stored AI actions for v1 clients."""

    def __init__(self, ai_actions: AiActionService):
        self.ai_actions = ai_actions

    def exposed(self, row: AiAction) -> Exposed:
        """How v1 shows a stored AI action; an action that cannot run exposes instructions only."""
        entry = self.ai_actions.catalog_entry(row)
        hints: dict[str, NeedSpec] = {}
        if entry is not None:
            try:
                hints = exposed_hints(entry[1], self.ai_actions.stored_params(row))
            except NLActionsError:
                hints = {}
        return Exposed(row.id, row.description, entry[1].description if entry else "", hints)

    async def execute(self, caller: Caller, row: AiAction, body: V1ExecuteRequest, base_url: str) -> dict[str, Any]:
        """Run (or preview) a stored AI action from a v1 body; returns v1's ExecuteResponse."""
        _, action = self.ai_actions.executions.find_action(row.app, row.action)
        response = await self.ai_actions.execute(
            caller,
            row,
            instructions=body.instructions,
            params=read_hints(action, body.model_extra or {}),
            flags=ExecuteFlags(preview_only=body.preview_only, token_budget=TOKEN_BUDGET),
        )
        return to_v1(response, action, base_url)

    async def log(self, caller: Caller, log_id: str) -> ExecutionLog:
        """An execution log of one of the caller's accounts (the key's own account first), else 404."""
        accounts = [caller.default_account_id, *sorted(caller.account_ids - {caller.default_account_id})]
        for account_id in accounts:
            try:
                return await self.ai_actions.executions.get_log(account_id, log_id)
            except NotFound:
                continue
        raise NotFound(
            f"execution log '{log_id}' was not found in your accounts.",
            hint="Use the id returned by an execute call.",
        )

    def from_log(self, log: ExecutionLog, base_url: str) -> dict[str, Any]:
        """A stored execution log in v1's ExecuteResponse shape."""
        app = self.ai_actions.registry.get(log.app)
        action = app.action(log.action) if app is not None else None
        return to_v1(response_of(log, self.ai_actions.registry), action, base_url)
