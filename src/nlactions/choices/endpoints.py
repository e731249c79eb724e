"""Thin HTTP layer of ``/api/v2/apps/{app}/choices/{prefill}/``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from nlactions.api.deps import CallerDep, RuntimeDep
from nlactions.api.responses import FastJSONResponse, error_responses
from nlactions.choices.schemas import ChoicesRequest, ChoicesResponse
from nlactions.execute.schemas import MAX_ID

router = APIRouter(prefix="/api/v2", tags=["actions"])

ERRORS = error_responses(
    400,
    401,
    403,
    404,
    412,
    422,
    502,
    texts={
        400: "Bad Request: a value the choices depend on is missing from params",
        404: "No such app, or no need with choices under that prefill (the hint lists the valid ones)",
        502: "The app's service failed while loading the choices; the message says what it answered",
    },
)

DESCRIPTION = (
    "The choices of a need (ids to send as its value), loaded from the app's service and cached per "
    "account, authentication and params for 24 hours.\n\n"
    "**Prefill names.** A need with choices answers to `<action>.<need>` (e.g. `assign.member`), and "
    "also to its own prefill name when the app declares one; `action_needs[].prefill` of Get Action "
    "Details shows the name to use.\n\n"
    "**Loading.** The first request starts a background load that pages through every choice and waits "
    "a few seconds for it. A longer load answers `is_loading: true` with what is known so far (the "
    "previous list, else the pages received); poll about once a second until `is_loading` is false. "
    "`force_refresh=true` reloads once; do not send it on every poll."
)


@router.post(
    "/apps/{app}/choices/{prefill}/",
    response_model=ChoicesResponse,
    responses=ERRORS,
    summary="Get Prefill Choices",
    description=DESCRIPTION,
    operation_id="api_actions_get_prefill_choices",
)
async def get_prefill_choices(
    app: Annotated[str, Path(max_length=100, description="The app key, e.g. SlackAPI.")],
    prefill: Annotated[str, Path(max_length=200, description="`<action>.<need>` or the need's prefill name.")],
    body: ChoicesRequest,
    rt: RuntimeDep,
    caller: CallerDep,
    authentication_id: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="The authentication to load with.")
    ] = None,
    account_id: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="Your account to act in (default: the key's).")
    ] = None,
    query: Annotated[str | None, Query(max_length=500, description="Optional query to filter results by.")] = None,
    force_refresh: Annotated[bool, Query(description="Reload from the service instead of the cache.")] = False,
) -> FastJSONResponse:
    """Return the choices of one need, loading and caching them as needed."""
    answer = await rt.choices.choices(
        account_id=caller.account(account_id),
        app_key=app,
        prefill=prefill,
        params=body.params,
        authentication_id=authentication_id,
        query=query,
        force_refresh=force_refresh,
    )
    return FastJSONResponse(answer.body())
