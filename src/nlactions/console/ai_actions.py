"""AI actions: create and edit a stored AI action need by need, then try it (preview, then run)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.datastructures import FormData
from starlette.responses import Response

from nlactions.ai_actions.endpoints import ai_action_service
from nlactions.ai_actions.schemas import AiActionCreate
from nlactions.authentications.endpoints import service as auth_service
from nlactions.catalog import Action, App
from nlactions.catalog_api.shapes import need_shape
from nlactions.console.common import back, charge_execute, page, parse_int, posted, rt, text
from nlactions.console.need_forms import MODES, NeedRow, fixed_values, rows_from_form, rows_from_stored, stored_params
from nlactions.console.pickers import action_needs, load_choices
from nlactions.db.models import AiAction
from nlactions.errors import NLActionsError
from nlactions.execute.service import ExecuteFlags
from nlactions.signin.deps import UserDep
from nlactions.signin.service import SignedIn

router = APIRouter()


@dataclass(frozen=True, slots=True)
class Saved:
    """What the form shows besides the needs: the stored row (when editing), its connection, its description."""

    stored: AiAction | None = None
    authentication_id: int | None = None
    description: str = ""

    @classmethod
    def of(cls, row: AiAction) -> Saved:
        """The state of a stored row."""
        return cls(row, row.authentication_id, row.description)


def _message(exc: NLActionsError) -> str:
    return exc.message + (f" {exc.hint}" if exc.hint else "")


def _catalog_entry(request: Request, app_key: str, action_key: str) -> tuple[App, Action] | None:
    app = rt(request).registry.get(app_key[:100])
    action = app.action(action_key[:100]) if app is not None else None
    return (app, action) if app is not None and action is not None else None


@router.get("/ai-actions/")
async def ai_actions(request: Request, user: UserDep) -> Response:
    """The current account's AI actions."""
    runtime = rt(request)
    svc = ai_action_service(runtime)
    async with runtime.sessions() as session:
        rows = await svc.list_for(session, user.caller(), user.account_id)
    return page(request, user, "console/ai_actions.html", "ai-actions", {"rows": rows})


async def _form(
    request: Request,
    user: SignedIn,
    app: App,
    action: Action,
    rows: list[NeedRow] | None,
    state: Saved,
    *,
    error: str = "",
    status: int = 200,
    outcome: dict[str, Any] | None = None,
    instructions: str = "",
) -> Response:
    """The AI action form: one fieldset per need with its modes, pickers, the connection, and Try it."""
    runtime = rt(request)
    stored, authentication_id = state.stored, state.authentication_id
    connections: list[Any] = []
    if app.needs_auth:
        async with runtime.sessions() as session:
            connections, _ = await auth_service(runtime).for_app(session, user.account_id, app.key)
    params = ai_action_service(runtime).response(stored)["params"] if stored else {}
    # The values fixed so far decide which needs exist (a table's columns) and dependent needs' choices.
    values = fixed_values(rows if rows is not None else rows_from_stored(_declared(action), params))
    needs, note = await action_needs(
        runtime,
        account_id=user.account_id,
        authentication_id=authentication_id,
        app_key=app.key,
        action_key=action.key,
        values=values,
    )
    if rows is None:
        rows = rows_from_stored(needs, params)
    else:
        by_key = {row.key: row for row in rows}
        rows = [_reshaped(by_key.get(need["key"]), need) for need in needs]
    await load_choices(
        runtime, rows, account_id=user.account_id, authentication_id=authentication_id, app_key=app.key, values=values
    )
    return page(
        request,
        user,
        "console/ai_action.html",
        "ai-actions",
        {
            "app": app,
            "action": action,
            "rows": rows,
            "modes": MODES,
            "stored": stored,
            "connections": connections,
            "authentication_id": authentication_id,
            "description": state.description,
            "needs_note": note,
            "outcome": outcome,
            "instructions": instructions,
        },
        error=error,
        status_code=status,
    )


def _reshaped(row: NeedRow | None, need: dict[str, Any]) -> NeedRow:
    if row is None:
        return NeedRow(need)
    row.need = need
    return row


@router.get("/ai-actions/new/")
async def new_ai_action(
    request: Request,
    user: UserDep,
    app: Annotated[str, Query(max_length=100)] = "",
    action: Annotated[str, Query(max_length=100)] = "",
    action_ref: Annotated[str, Query(max_length=201)] = "",
) -> Response:
    """Pick the app and action (``action_ref`` = ``App.action`` from the picker), then the per-need form."""
    if action_ref:
        app, _, action = action_ref.partition(".")
    entry = _catalog_entry(request, app, action)
    if entry is None:
        apps = sorted(rt(request).registry, key=lambda a: a.name.lower())
        return page(request, user, "console/ai_action_pick.html", "ai-actions", {"apps": apps, "picked_app": app})
    return await _form(request, user, entry[0], entry[1], None, Saved())


def _auth_id(form: FormData) -> int | None:
    return parse_int(text(form, "authentication_id", 20))


async def _save(
    request: Request, user: SignedIn, form: FormData, app: App, action: Action, stored: AiAction | None
) -> Response:
    """Refresh the choices (``intent=refresh``) or save through the API's AI action service."""
    runtime = rt(request)
    needs, _ = await action_needs(
        runtime,
        account_id=user.account_id,
        authentication_id=_auth_id(form),
        app_key=app.key,
        action_key=action.key,
        values=fixed_values(rows_from_form(_declared(action), form)),
    )
    rows = rows_from_form(needs, form)
    description = text(form, "description", 1000).strip()
    keep = Saved(stored, _auth_id(form), description)
    if text(form, "intent", 20) == "refresh":
        return await _form(request, user, app, action, rows, keep)
    try:
        body = AiActionCreate.model_validate(
            {"app": app.key, "action": action.key, "params": stored_params(rows), "description": description or None},
            strict=False,
        )
        svc = ai_action_service(runtime)
        async with runtime.sessions() as session, session.begin():
            if stored is None:
                row = await svc.create(
                    session, user.caller(), body, account_id=user.account_id, authentication_id=keep.authentication_id
                )
            else:
                row = await svc.replace(
                    session,
                    user.caller(),
                    stored.id,
                    body,
                    account_id=user.account_id,
                    authentication_id=_auth_id(form),
                )
    except NLActionsError as exc:
        return await _form(request, user, app, action, rows, keep, error=_message(exc), status=exc.status)
    return back(f"/console/ai-actions/{row.id}/", "ai-action-saved")


def _declared(action: Action) -> list[dict[str, Any]]:
    return [need_shape(action, need) for need in action.needs]


@router.post("/ai-actions/new/")
async def create_ai_action(request: Request, user: UserDep) -> Response:
    """Save a new AI action (or show the form again with refreshed choices)."""
    form = await posted(request)
    entry = _catalog_entry(request, text(form, "app", 100), text(form, "action", 100))
    if entry is None:
        apps = sorted(rt(request).registry, key=lambda a: a.name.lower())
        return page(
            request,
            user,
            "console/ai_action_pick.html",
            "ai-actions",
            {"apps": apps, "picked_app": ""},
            error="app and action: choose one of the actions listed.",
            status_code=400,
        )
    return await _save(request, user, form, entry[0], entry[1], None)


async def _stored(request: Request, user: SignedIn, ai_action_id: str) -> AiAction | None:
    runtime = rt(request)
    async with runtime.sessions() as session:
        return await ai_action_service(runtime).find(session, user.caller(), ai_action_id[:64])


def _missing(request: Request, user: SignedIn) -> Response:
    return page(
        request,
        user,
        "console/error.html",
        "ai-actions",
        {
            "title": "No such AI action",
            "message": "This account has no AI action with that id.",
            "back_url": "/console/ai-actions/",
        },
        status_code=404,
    )


def _uninstalled(request: Request, user: SignedIn, row: AiAction) -> Response:
    return page(
        request,
        user,
        "console/error.html",
        "ai-actions",
        {
            "title": "Action not installed",
            "message": f"This AI action uses {row.app}.{row.action}, which this server no longer has.",
            "back_url": "/console/ai-actions/",
        },
        status_code=404,
    )


async def _stored_entry(
    request: Request, user: SignedIn, ai_action_id: str
) -> tuple[AiAction, tuple[App, Action]] | Response:
    """The account's stored AI action and its app and action, or the page saying why there is none."""
    row = await _stored(request, user, ai_action_id)
    if row is None:
        return _missing(request, user)
    entry = _catalog_entry(request, row.app, row.action)
    if entry is None:
        return _uninstalled(request, user, row)
    return row, entry


@router.get("/ai-actions/{ai_action_id}/")
async def ai_action(request: Request, user: UserDep, ai_action_id: str) -> Response:
    """Edit a stored AI action and try it."""
    found = await _stored_entry(request, user, ai_action_id)
    if isinstance(found, Response):
        return found
    row, entry = found
    return await _form(request, user, *entry, None, Saved.of(row))


@router.post("/ai-actions/{ai_action_id}/")
async def update_ai_action(request: Request, user: UserDep, ai_action_id: str) -> Response:
    """Replace a stored AI action with the form's values (or refresh the choices)."""
    form = await posted(request)
    found = await _stored_entry(request, user, ai_action_id)
    if isinstance(found, Response):
        return found
    row, entry = found
    return await _save(request, user, form, *entry, row)


@router.post("/ai-actions/{ai_action_id}/delete/")
async def delete_ai_action(request: Request, user: UserDep, ai_action_id: str) -> Response:
    """Delete a stored AI action."""
    await posted(request)
    runtime = rt(request)
    async with runtime.sessions() as session, session.begin():
        deleted = await ai_action_service(runtime).delete(session, user.caller(), ai_action_id[:64])
    return back("/console/ai-actions/", "ai-action-deleted") if deleted else _missing(request, user)


@router.post("/ai-actions/{ai_action_id}/try/")
async def try_ai_action(request: Request, user: UserDep, ai_action_id: str) -> Response:
    """Preview (``intent=preview``) or run the stored AI action with these instructions; show the outcome."""
    form = await posted(request)
    found = await _stored_entry(request, user, ai_action_id)
    if isinstance(found, Response):
        return found
    row, entry = found
    instructions = text(form, "instructions")
    preview = text(form, "intent", 20) != "run"
    runtime = rt(request)
    keep = Saved.of(row)
    try:
        await charge_execute(request, user)
        response = await ai_action_service(runtime).execute(
            user.caller(), row, instructions=instructions, params={}, flags=ExecuteFlags(preview_only=preview)
        )
        detail = await runtime.execute.log_detail(user.account_id, response["execution_log_id"])
    except NLActionsError as exc:
        return await _form(
            request, user, *entry, None, keep, instructions=instructions, error=_message(exc), status=exc.status
        )
    outcome = {
        "preview": preview,
        "response": response,
        "resolved_by": detail.get("resolved_by") or {},
        "notes": detail.get("resolver_notes") or [],
        "labels": {need.key: need.label for need in entry[1].needs},
    }
    return await _form(request, user, *entry, None, keep, instructions=instructions, outcome=outcome)
