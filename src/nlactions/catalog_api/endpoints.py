"""Thin HTTP layer of discovery: search apps and actions, app and action details, guess actions."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Query

from nlactions.api.deps import CallerDep, RuntimeDep
from nlactions.api.responses import FastJSONResponse, error_responses, example_response
from nlactions.catalog_api.schemas import (
    ACTION_LIST_EXAMPLE,
    APP_DETAILS_EXAMPLE,
    APP_LIST_EXAMPLE,
    ActionDetails,
    ActionDetailsRequest,
    ActionExtra,
    ActionList,
    AppDetails,
    AppList,
    Guess,
    GuessRequest,
)
from nlactions.catalog_api.service import CatalogService
from nlactions.execute.schemas import MAX_ID, ActionType

router = APIRouter(prefix="/api/v2")

_TEXTS: dict[int, str] = {
    400: "Bad Request: the message names the field and how to fix it",
    401: "No or bad API key",
    403: "The account is not yours",
    404: "No such app or action (the hint lists the valid ones)",
    412: "The app needs an authentication to load choices and none usable exists",
    422: "The request fails schema validation",
    502: "The app's service failed while loading choices for the given params",
}


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for these error statuses, in the catalog's wording."""
    return error_responses(*codes, texts=_TEXTS)


def catalog(rt: RuntimeDep) -> CatalogService:
    """The runtime's catalog service (built on first use, with its search index)."""
    service = rt.extras.get("catalog")
    if not isinstance(service, CatalogService):
        service = CatalogService(rt.registry, rt.choices)
        rt.extras["catalog"] = service
    return service


CatalogDep = Annotated[CatalogService, Depends(catalog)]
AppKey = Annotated[str, Path(max_length=100, description="The app key, e.g. SlackAPI or FormatterAPI.")]
SearchQuery = Annotated[str | None, Query(max_length=1000, description="What to look for, in plain English.")]


@router.get(
    "/apps/search/",
    response_model=AppList,
    responses={200: example_response(APP_LIST_EXAMPLE), **errors(401, 422)},
    summary="Search Apps",
    operation_id="api_search_search_apps",
    tags=["apps"],
)
async def search_apps(service: CatalogDep, _caller: CallerDep, query: SearchQuery = None) -> FastJSONResponse:
    """Apps matching the query by name, keywords, description or actions, best first; all apps without one."""
    return FastJSONResponse({"results": service.search_apps(query)})


@router.get(
    "/apps/{app}/",
    response_model=AppDetails,
    responses={200: example_response(APP_DETAILS_EXAMPLE), **errors(401, 404, 422)},
    summary="Get App Details",
    tags=["apps"],
)
async def get_app_details(app: AppKey, service: CatalogDep, _caller: CallerDep) -> FastJSONResponse:
    """The app, its authentication fields and every action with its needs."""
    return FastJSONResponse({"results": service.app_details(app)})


@router.get(
    "/apps/{app}/actions/",
    response_model=ActionList,
    responses={200: example_response(ACTION_LIST_EXAMPLE), **errors(401, 404, 422)},
    summary="Search Actions",
    operation_id="api_search_search_actions",
    tags=["actions"],
)
async def search_actions(
    app: AppKey,
    service: CatalogDep,
    _caller: CallerDep,
    query: Annotated[
        str | None,
        Query(max_length=1000, description="If this is not provided, all actions for the app are returned."),
    ] = None,
    filter_action_type: Annotated[
        list[ActionType] | None,
        Query(description="Action types to include (repeatable); write and search when omitted."),
    ] = None,
) -> FastJSONResponse:
    """The app's actions ordered by relevancy to the query, with a ``search_relevancy_score`` (0..1)."""
    types = filter_action_type or ["write", "search"]
    return FastJSONResponse({"results": service.search_actions(app, query, types)})


@router.post(
    "/apps/{app}/actions/{action}/",
    response_model=ActionDetails,
    responses=errors(400, 401, 403, 404, 412, 422, 502),
    summary="Get Action Details",
    description=(
        "The action with its needs (`action_needs`), gives (`action_gives`) and a sample result "
        "(`action_sample`); `action_extra` picks which (all when omitted). Needs with a loader carry "
        "`prefill`: call Get Prefill Choices with it. A need whose choices depend on other needs "
        "(`depends_on`) comes back with its `choices` loaded when those needs' values are in `params`; "
        "call again when such a value changes."
    ),
    tags=["actions"],
)
async def get_action_details(
    app: AppKey,
    action: Annotated[str, Path(max_length=100, description="The action key, e.g. text.")],
    service: CatalogDep,
    caller: CallerDep,
    body: Annotated[ActionDetailsRequest | None, Body()] = None,
    action_type: Annotated[ActionType, Query(description="Accepted for compatibility.")] = "write",
    account_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="Your account to act in.")] = None,
    authentication_id: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="The authentication to load choices with.")
    ] = None,
    action_extra: Annotated[
        list[ActionExtra] | None, Query(description="Which of action_needs, action_gives, action_sample.")
    ] = None,
) -> FastJSONResponse:
    """Describe one action; dependent needs get their choices for the params given."""
    results = await service.action_details(
        app_key=app,
        action_key=action,
        account_id=caller.account(account_id),
        authentication_id=authentication_id,
        params=body.params if body is not None else {},
        extras=action_extra or [],
    )
    return FastJSONResponse({"results": results})


@router.post(
    "/guess-actions/",
    response_model=list[Guess],
    responses=errors(400, 401, 422),  # 400: a body that is not valid JSON
    summary="Guess Actions",
    operation_id="api_guess_guess_actions",
    tags=["utilities"],
)
async def guess_actions(
    service: CatalogDep, _caller: CallerDep, body: Annotated[GuessRequest | None, Body()] = None
) -> FastJSONResponse:
    """The actions of any app that best do what the query says, as a bare array, best first."""
    request = body or GuessRequest(query="")
    return FastJSONResponse(service.guess_actions(request.query, request.action_types, request.count))
