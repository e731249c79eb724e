"""Choices for the AI action form's pickers, through the same choice service as Get Prefill Choices."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from nlactions.api.runtime import Runtime
from nlactions.catalog_api.endpoints import catalog
from nlactions.catalog_api.shapes import need_shape
from nlactions.console.need_forms import NeedRow
from nlactions.errors import NLActionsError

MAX_SHOWN = 500


async def action_needs(
    runtime: Runtime,
    *,
    account_id: int,
    authentication_id: int | None,
    app_key: str,
    action_key: str,
    values: dict[str, Any],
) -> tuple[list[dict[str, Any]], str]:
    """The action's needs for these fixed values (custom ones too, dependent choices loaded) and a note."""
    service = catalog(runtime)
    try:
        details = await service.action_details(
            app_key=app_key,
            action_key=action_key,
            account_id=account_id,
            authentication_id=authentication_id,
            params=values,
            extras=["action_needs"],
        )
        return list(details[0]["action_needs"]), ""
    except NLActionsError as exc:
        app = service.app(app_key)
        action = service.action(app, action_key)
        return [need_shape(action, need) for need in action.needs], f"Some needs could not be listed: {exc.message}"


async def load_choices(
    runtime: Runtime,
    rows: Sequence[NeedRow],
    *,
    account_id: int,
    authentication_id: int | None,
    app_key: str,
    values: dict[str, Any],
) -> None:
    """Fill each row's ``choices`` (static, loaded with the account's connection, or a note why not)."""
    for row in rows:
        need = row.need
        if need.get("choices") is not None:
            row.choices = list(need["choices"])
        elif need.get("prefill"):
            waiting = [key for key in need.get("depends_on") or [] if values.get(key) in (None, "", [])]
            if waiting:
                row.note = f"Its choices depend on {', '.join(waiting)}: fix those values, then refresh the choices."
                continue
            try:
                answer = await runtime.choices.choices(
                    account_id=account_id,
                    app_key=app_key,
                    prefill=str(need["prefill"]),
                    params=values,
                    authentication_id=authentication_id,
                )
            except NLActionsError as exc:
                row.note = f"Choices could not be loaded: {exc.message}"
                continue
            row.choices = [choice.as_dict() for choice in answer.results]
            if answer.is_loading:
                row.note = "Still loading more choices; refresh the choices in a moment."
        if row.choices is not None and len(row.choices) > MAX_SHOWN:
            row.note = f"{len(row.choices)} choices; the first {MAX_SHOWN} are listed. Type the id of another one."
            row.choices = row.choices[:MAX_SHOWN]
