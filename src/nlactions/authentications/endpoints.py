"""Thin HTTP layer of ``/api/v2/apps/{app}/auths/``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query

from nlactions.api.deps import CallerDep, RuntimeDep
from nlactions.api.responses import FastJSONResponse, error_responses, example_response
from nlactions.authentications.repository import MAX_ID
from nlactions.authentications.schemas import (
    LIST_EXAMPLE,
    AuthenticationCreate,
    AuthenticationList,
    AuthenticationOut,
    AuthenticationUpdate,
)
from nlactions.authentications.service import AuthenticationService, present

router = APIRouter(prefix="/api/v2/apps/{app}/auths", tags=["apps"])


_TEXTS = {
    400: "Bad Request: unknown app, an app that needs no authentication, an unknown or missing "
    "field (named, with the valid ones), or credentials the service refused (with its answer)",
    403: "account_id is not one of your accounts",
    404: "No authentication with that id for this app in your account",
    422: "The body, a path or a query parameter fails schema validation",
}


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    return error_responses(*codes, texts=_TEXTS)


def service(rt: RuntimeDep) -> AuthenticationService:
    """The authentications service over the runtime's registry, secret box and outbound HTTP."""
    return AuthenticationService(
        rt.registry, rt.box, rt.http_client, timeout_seconds=rt.settings.action_timeout_seconds
    )


ServiceDep = Annotated[AuthenticationService, Depends(service)]
AppKey = Annotated[str, Path(max_length=100, description="The app key, e.g. SlackAPI.")]
AuthId = Annotated[int, Path(ge=1, le=MAX_ID, description="The authentication's id.")]
AccountId = Annotated[int | None, Query(description="The account to act in; defaults to the API key's account.")]


def _one(row: Any) -> dict[str, Any]:
    return present(row).model_dump(mode="json")


@router.get(
    "/",
    response_model=AuthenticationList,
    responses={200: example_response(LIST_EXAMPLE), **_errors(400, 401, 403, 422)},
    summary="List Authentications For App",
)
async def list_authentications(
    app: AppKey,
    rt: RuntimeDep,
    caller: CallerDep,
    svc: ServiceDep,
    account_id: AccountId = None,
    only_owned: Annotated[
        bool, Query(description="true: only those you created; false: every one of the account's.")
    ] = False,
) -> FastJSONResponse:
    """The account's authentications for the app; credential values are never included."""
    account = caller.account(account_id)
    async with rt.sessions() as session:
        rows, message = await svc.for_app(session, account, app, owner_id=caller.user_id if only_owned else None)
    return FastJSONResponse({"last_refresh_seconds_ago": None, "results": [_one(r) for r in rows], "message": message})


@router.post(
    "/",
    status_code=201,
    response_model=AuthenticationOut,
    responses=_errors(400, 401, 403, 422),
    summary="Create Authentication",
)
async def create_authentication(
    app: AppKey,
    body: AuthenticationCreate,
    rt: RuntimeDep,
    caller: CallerDep,
    svc: ServiceDep,
    account_id: AccountId = None,
) -> FastJSONResponse:
    """Verify the credentials with the service (its test), then store them encrypted."""
    account = caller.account(account_id)
    async with rt.sessions() as session, session.begin():
        row = await svc.create(
            session,
            account_id=account,
            user_id=caller.user_id,
            app_key=app,
            title=body.title,
            fields=body.fields,
        )
    return FastJSONResponse(_one(row), status_code=201)


@router.put(
    "/{auth_id}/",
    response_model=AuthenticationOut,
    responses=_errors(400, 401, 403, 404, 422),
    summary="Update Authentication",
)
async def update_authentication(
    app: AppKey,
    auth_id: AuthId,
    body: AuthenticationUpdate,
    rt: RuntimeDep,
    caller: CallerDep,
    svc: ServiceDep,
    account_id: AccountId = None,
) -> FastJSONResponse:
    """Change the title and/or replace the credentials whole (re-verified; clears is_stale)."""
    account = caller.account(account_id)
    async with rt.sessions() as session, session.begin():
        row = await svc.update(
            session, account_id=account, app_key=app, auth_id=auth_id, title=body.title, fields=body.fields
        )
    return FastJSONResponse(_one(row))


@router.delete(
    "/{auth_id}/",
    response_model=bool,
    responses={200: example_response(True), **_errors(400, 401, 403, 404, 422)},
    summary="Delete Authentication",
    response_description="`true`: the authentication was deleted. An id not in your account is a 404.",
)
async def delete_authentication(
    app: AppKey,
    auth_id: AuthId,
    rt: RuntimeDep,
    caller: CallerDep,
    svc: ServiceDep,
    account_id: AccountId = None,
) -> FastJSONResponse:
    """Delete an authentication; AI actions that used it are kept, without an authentication."""
    account = caller.account(account_id)
    async with rt.sessions() as session, session.begin():
        await svc.delete(session, account_id=account, app_key=app, auth_id=auth_id)
    return FastJSONResponse(True)
