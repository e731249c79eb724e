"""Thin HTTP layer of the v1 (NLA) API; keys also accepted as the ``api_key`` query parameter."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request

from nlactions.ai_actions.endpoints import ServiceDep, errors
from nlactions.ai_actions.service import configuration_link
from nlactions.api.deps import RuntimeDep, V1CallerDep, V1ExecuteCallerDep
from nlactions.api.responses import FastJSONResponse, example_response
from nlactions.v1 import openapi
from nlactions.v1.schemas import (
    CHECK_EXAMPLE,
    CONFIGURATION_LINK_EXAMPLE,
    EXECUTE_RESPONSE_EXAMPLE,
    EXPOSED_LIST_EXAMPLE,
    CheckResponse,
    ConfigurationLink,
    ExposedList,
    V1ExecuteRequest,
    V1ExecuteResponse,
)
from nlactions.v1.service import V1Service

router = APIRouter(prefix="/api/v1", tags=["v1"])


def v1_service(svc: ServiceDep) -> V1Service:
    """The v1 adapter over the AI action service."""
    return V1Service(svc)


V1Dep = Annotated[V1Service, Depends(v1_service)]
ExposedId = Annotated[str, Path(max_length=64, description="The exposed action's id (its AI action id).")]
LogId = Annotated[str, Path(max_length=64, description="The id an execute call returned.")]


@router.get(
    "/check/",
    response_model=CheckResponse,
    responses={200: example_response(CHECK_EXAMPLE), **errors(401)},
    summary="Check API and Auth",
)
async def check(caller: V1CallerDep) -> dict[str, Any]:
    """Test that the API and auth are working."""
    return caller.check()


@router.get(
    "/configuration-link/",
    response_model=ConfigurationLink,
    responses={200: example_response(CONFIGURATION_LINK_EXAMPLE), **errors(401)},
    summary="Get Configuration Link",
)
async def get_configuration_link(request: Request, caller: V1CallerDep) -> dict[str, str]:
    """Where to configure more actions."""
    return {"configuration_link": configuration_link(str(request.base_url))}


@router.get(
    "/exposed/",
    response_model=ExposedList,
    responses={200: example_response(EXPOSED_LIST_EXAMPLE), **errors(401)},
    summary="List Exposed Actions",
    operation_id="list_exposed_actions",
)
@router.get(
    "/dynamic/exposed/",
    response_model=ExposedList,
    responses={200: example_response(EXPOSED_LIST_EXAMPLE), **errors(401)},
    summary="List Exposed Actions (dynamic)",
    operation_id="dynamic_list_exposed_actions",
)
async def list_exposed(request: Request, rt: RuntimeDep, caller: V1CallerDep, v1: V1Dep) -> FastJSONResponse:
    """Your stored AI actions, each with the hint params it accepts besides instructions."""
    async with rt.sessions() as session:
        rows = await v1.ai_actions.list_for(session, caller)
    return FastJSONResponse(
        {
            "results": [v1.exposed(row).listing() for row in rows],
            "configuration_link": configuration_link(str(request.base_url)),
        }
    )


@router.post(
    "/exposed/{exposed_app_action_id}/execute/",
    response_model=V1ExecuteResponse,
    responses={200: example_response(EXECUTE_RESPONSE_EXAMPLE), **errors(400, 401, 404, 412, 422)},
    summary="Execute Exposed Action",
    operation_id="execute_exposed_action",
)
@router.post(
    "/dynamic/exposed/{exposed_app_action_id}/execute/",
    response_model=V1ExecuteResponse,
    responses={200: example_response(EXECUTE_RESPONSE_EXAMPLE), **errors(400, 401, 404, 412, 422)},
    summary="Execute Exposed Action (dynamic)",
    operation_id="dynamic_execute_exposed_action",
)
async def execute_exposed(
    exposed_app_action_id: ExposedId,
    body: V1ExecuteRequest,
    request: Request,
    rt: RuntimeDep,
    caller: V1ExecuteCallerDep,
    v1: V1Dep,
) -> FastJSONResponse:
    """Run (or preview) a stored AI action; hint params are top-level keys named as the listing shows."""
    async with rt.sessions() as session:
        row = await v1.ai_actions.get(session, caller, exposed_app_action_id)
    return FastJSONResponse(await v1.execute(caller, row, body, str(request.base_url)))


@router.get(
    "/execution-log/{execution_log_id}/",
    response_model=V1ExecuteResponse,
    responses={200: example_response(EXECUTE_RESPONSE_EXAMPLE), **errors(401, 404, 422)},
    summary="Get Execution Log",
)
async def get_execution_log(
    execution_log_id: LogId, request: Request, caller: V1CallerDep, v1: V1Dep
) -> FastJSONResponse:
    """An execution's result in v1's shape."""
    log = await v1.log(caller, execution_log_id)
    return FastJSONResponse(v1.from_log(log, str(request.base_url)))


@router.get(
    "/dynamic/openapi.json",
    response_model=dict[str, Any],
    responses={200: example_response(openapi.EXAMPLE), **errors(401)},
    summary="Dynamic OpenAPI of Your Exposed Actions",
)
async def dynamic_openapi(request: Request, rt: RuntimeDep, caller: V1CallerDep, v1: V1Dep) -> FastJSONResponse:
    """An OpenAPI document with one operation per AI action you can run (for GPT actions and plugins)."""
    async with rt.sessions() as session:
        rows = await v1.ai_actions.list_for(session, caller)
    return FastJSONResponse(openapi.build([v1.exposed(row) for row in rows], str(request.base_url)))
