"""Thin HTTP layer of ``/api/v2/ai-actions/``: stored AI actions, their execute and preview."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Query, Request

from nlactions.accounts.service import Caller
from nlactions.ai_actions.schemas import (
    LIST_EXAMPLE,
    RESPONSE_EXAMPLE,
    AiActionCreate,
    AiActionList,
    AiActionReplace,
    AiActionResponse,
)
from nlactions.ai_actions.service import AiActionService, configuration_link
from nlactions.api.deps import CallerDep, ExecuteCallerDep, RuntimeDep
from nlactions.api.responses import FastJSONResponse, error_responses, example_response
from nlactions.api.runtime import Runtime
from nlactions.execute.endpoints import IdempotencyKey, PreviewOnly
from nlactions.execute.schemas import EXECUTE_RESPONSE_EXAMPLE, ExecuteRequest, ExecuteResponse
from nlactions.execute.service import ExecuteFlags, fingerprint

router = APIRouter(prefix="/api/v2/ai-actions", tags=["ai-actions"])


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The documented error responses with these status codes."""
    return error_responses(*codes)


def ai_action_service(rt: RuntimeDep) -> AiActionService:
    """The AI action service over the runtime's registry, secret box and execute service."""
    return AiActionService(registry=rt.registry, box=rt.box, executions=rt.execute)


ServiceDep = Annotated[AiActionService, Depends(ai_action_service)]
AiActionId = Annotated[
    str, Path(max_length=64, description="The AI action's id: a ULID (its UUID form is accepted too).")
]
MAX_ID = 2**63 - 1
AccountId = Annotated[
    int | None,
    Query(ge=1, le=MAX_ID, description="One of your accounts; defaults to the account of your API key."),
]
AuthenticationId = Annotated[
    int | None,
    Query(
        ge=1,
        le=MAX_ID,
        description="The authentication the action runs with; omitted: the account's only one for the app.",
    ),
]
EXECUTE_EXAMPLE = {
    "instructions": "Shout 'hello world'",
    "params": {"input": {"mode": "guess", "value": "hello world"}},
}
ExecuteBody = Annotated[ExecuteRequest, Body(openapi_examples={"guess": {"value": EXECUTE_EXAMPLE}})]


@router.get(
    "/",
    response_model=AiActionList,
    responses={200: example_response(LIST_EXAMPLE), **errors(401, 403, 422)},
    summary="List AI Actions",
    operation_id="api_ai_actions_list_ai_actions",
)
async def list_ai_actions(
    request: Request, rt: RuntimeDep, caller: CallerDep, svc: ServiceDep, account_id: AccountId = None
) -> FastJSONResponse:
    """The AI actions stored in your accounts, oldest first."""
    async with rt.sessions() as session:
        rows = await svc.list_for(session, caller, account_id)
    return FastJSONResponse(
        {
            "results": [svc.response(row) for row in rows],
            "configuration_link": configuration_link(str(request.base_url)),
        }
    )


@router.post(
    "/",
    response_model=AiActionResponse,
    responses=errors(400, 401, 403, 422),
    summary="Create AI Action",
    operation_id="api_ai_actions_create_ai_action",
)
async def create_ai_action(
    body: AiActionCreate,
    rt: RuntimeDep,
    caller: CallerDep,
    svc: ServiceDep,
    account_id: AccountId = None,
    authentication_id: AuthenticationId = None,
) -> FastJSONResponse:
    """Store a pre-configured action; params say which needs are locked, hinted or left to guess."""
    async with rt.sessions() as session, session.begin():
        row = await svc.create(session, caller, body, account_id=account_id, authentication_id=authentication_id)
    return FastJSONResponse(svc.response(row))


@router.get(
    "/{ai_action_id}/",
    response_model=AiActionResponse,
    responses={200: example_response(RESPONSE_EXAMPLE), **errors(401, 404, 422)},
    summary="Get AI Action",
    operation_id="api_ai_actions_get_ai_action",
)
async def get_ai_action(
    ai_action_id: AiActionId, rt: RuntimeDep, caller: CallerDep, svc: ServiceDep
) -> FastJSONResponse:
    """One stored AI action with its needs."""
    async with rt.sessions() as session:
        row = await svc.get(session, caller, ai_action_id)
    return FastJSONResponse(svc.response(row))


@router.put(
    "/{ai_action_id}/",
    response_model=AiActionResponse,
    responses=errors(400, 401, 403, 404, 422),
    summary="Update AI Action",
    operation_id="api_ai_actions_update_ai_action",
    description="Replaces the whole AI action: app, action, action_type, params and meta are required, and "
    "an omitted authentication_id clears it. Partial updates are not supported: GET the action first.",
)
async def update_ai_action(
    ai_action_id: AiActionId,
    body: AiActionReplace,
    rt: RuntimeDep,
    caller: CallerDep,
    svc: ServiceDep,
    account_id: AccountId = None,
    authentication_id: AuthenticationId = None,
) -> FastJSONResponse:
    """Replace a stored AI action."""
    async with rt.sessions() as session, session.begin():
        row = await svc.replace(
            session, caller, ai_action_id, body, account_id=account_id, authentication_id=authentication_id
        )
    return FastJSONResponse(svc.response(row))


@router.delete(
    "/{ai_action_id}/",
    response_model=bool,
    responses={200: example_response(True), **errors(401, 422)},
    summary="Delete AI Action",
    operation_id="api_ai_actions_delete_ai_action",
    description="Returns `true` if the action was deleted, `false` if it was not found in your accounts.",
)
async def delete_ai_action(
    ai_action_id: AiActionId, rt: RuntimeDep, caller: CallerDep, svc: ServiceDep
) -> FastJSONResponse:
    """Delete a stored AI action."""
    async with rt.sessions() as session, session.begin():
        deleted = await svc.delete(session, caller, ai_action_id)
    return FastJSONResponse(deleted)


async def _run(
    rt: Runtime,
    caller: Caller,
    svc: AiActionService,
    ai_action_id: str,
    body: ExecuteRequest,
    preview_only: bool,
    idempotency_key: str | None,
) -> FastJSONResponse:
    async with rt.sessions() as session:
        row = await svc.get(session, caller, ai_action_id)
    flags = ExecuteFlags(preview_only=preview_only)
    result = await svc.execute(
        caller,
        row,
        instructions=body.instructions,
        params=body.params,
        flags=flags,
        idempotency_key=idempotency_key,
        request_fingerprint=fingerprint(["v2/ai-actions", row.id, body.model_dump(), flags])
        if idempotency_key
        else None,
    )
    return FastJSONResponse(result)


@router.post(
    "/{ai_action_id}/execute/",
    response_model=ExecuteResponse,
    responses={200: example_response(EXECUTE_RESPONSE_EXAMPLE), **errors(400, 401, 404, 412, 422)},
    summary="Execute Stored AI Action",
    operation_id="api_ai_actions_execute_ai_action",
)
async def execute_ai_action(
    ai_action_id: AiActionId,
    body: ExecuteBody,
    rt: RuntimeDep,
    caller: ExecuteCallerDep,
    svc: ServiceDep,
    preview_only: PreviewOnly = False,
    idempotency_key: IdempotencyKey = None,
) -> FastJSONResponse:
    """Run a stored AI action: its locked params win, then the request's params, its hints, instructions."""
    return await _run(rt, caller, svc, ai_action_id, body, preview_only, idempotency_key)


@router.post(
    "/{ai_action_id}/preview/",
    response_model=ExecuteResponse,
    responses=errors(400, 401, 404, 412, 422),
    summary="Preview Stored AI Action",
    operation_id="api_ai_actions_preview_ai_action",
)
async def preview_ai_action(
    ai_action_id: AiActionId, body: ExecuteBody, rt: RuntimeDep, caller: ExecuteCallerDep, svc: ServiceDep
) -> FastJSONResponse:
    """Resolve a stored AI action's params without running it (status "preview")."""
    return await _run(rt, caller, svc, ai_action_id, body, True, None)
