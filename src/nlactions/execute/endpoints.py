"""Thin HTTP layer of ``/api/v2/execute/``."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from urllib.parse import parse_qsl

from fastapi import APIRouter, Header, Path, Query
from starlette.requests import Request

from nlactions.accounts.service import Caller
from nlactions.api.deps import CallerDep, ExecuteCallerDep, RuntimeDep, admit_execute, key_of, runtime_of
from nlactions.api.fastpath import fast_route
from nlactions.api.responses import FastJSONResponse, error_responses, example_response
from nlactions.api.runtime import Runtime
from nlactions.execute.repository import LogFilters
from nlactions.execute.schemas import (
    EXECUTE_RESPONSE_EXAMPLE,
    INTERRUPTED_LOG_EXAMPLE,
    LOG_PAGE_EXAMPLE,
    RATED_EXAMPLE,
    ExecuteResponse,
    ExecutionLogItem,
    ExecutionLogPage,
    ExecutionLogResponse,
    LogStatus,
    StatelessExecuteRequest,
)
from nlactions.execute.service import ExecuteFlags, ExecutionInput, fingerprint

router = APIRouter(prefix="/api/v2", tags=["execution"])

ERRORS = error_responses(400, 401, 403, 404, 412, 422)
LIST_ERRORS = error_responses(
    400, 401, 403, 422, texts={400: "`cursor` is not a cursor this API issued", 422: "A filter has a bad value"}
)
LogId = Annotated[str, Path(max_length=64, description="The id an execute call returned.")]
AccountId = Annotated[int | None, Query(description="Another of your accounts (default: the key's own).")]

PreviewOnly = Annotated[bool, Query(description="Resolve params but do not run the action.")]
SkipGuessing = Annotated[
    bool, Query(description="Run with locked/ignored params only; mutually exclusive with preview_only.")
]
TokenBudget = Annotated[
    int,
    Query(ge=1, le=1_000_000, description="Truncate each string value of results to about this many tokens."),
]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        description="Retrying with the same key returns the first execution's response.",
    ),
]


async def _execute(
    rt: Runtime, caller: Caller, body: StatelessExecuteRequest, flags: ExecuteFlags, idempotency_key: str | None
) -> FastJSONResponse:
    account_id = caller.account(body.account_id)
    request = ExecutionInput(
        app=body.app,
        action=body.action,
        instructions=body.instructions,
        params=body.params,
        flags=flags,
        account_id=account_id,
        authentication_id=body.authentication_id,
        idempotency_key=idempotency_key,
        request_fingerprint=fingerprint(["v2/execute", body.model_dump(), flags]) if idempotency_key else None,
    )
    return FastJSONResponse(await rt.execute.execute(caller, request))


_BOOLS = {"true": True, "false": False}
_JSON_TYPES = frozenset({b"application/json", b"application/json; charset=utf-8"})
_HEADERS = frozenset({b"idempotency-key", b"content-type", b"x-api-key", b"authorization"})


def _plain_flags(request: Request) -> ExecuteFlags | None:
    """The query flags when each is absent or written plainly (``true``/``false``, a budget in range), else None."""
    raw = request.scope["query_string"]
    if not raw:
        return ExecuteFlags()
    query = dict(parse_qsl(raw.decode("latin-1"), keep_blank_values=True))  # as Starlette's: the last one counts
    flags = ExecuteFlags()
    if "preview_only" in query or "skip_param_guessing" in query:
        preview = _BOOLS.get(query.get("preview_only", "false"))
        skip = _BOOLS.get(query.get("skip_param_guessing", "false"))
        if preview is None or skip is None:
            return None
        flags = ExecuteFlags(preview, skip, flags.token_budget)
    budget = query.get("token_budget")
    if budget is not None:
        if not (budget.isascii() and budget.isdigit() and budget[0] != "0" and len(budget) <= 7):
            return None
        if int(budget) > 1_000_000:
            return None
        flags = ExecuteFlags(flags.preview_only, flags.skip_param_guessing, int(budget))
    return flags


async def _fast_execute(request: Request) -> FastJSONResponse | None:
    """``execute_stateless`` for a request FastAPI would accept as is, without its dependency solving.

    None (and nothing spent) for anything else, which FastAPI's handler then answers: flags not written
    plainly, an Idempotency-Key out of bounds, a body that is not JSON or not a valid request. A valid
    request runs as through FastAPI: authentication and the execute budget first, then the execution.
    """
    flags = _plain_flags(request)
    if flags is None:
        return None
    headers: dict[bytes, bytes] = {}
    for name, value in request.scope["headers"]:  # one pass; the first of a repeated header counts, as in Starlette
        if name in _HEADERS and name not in headers:
            headers[name] = value
    idempotency = headers.get(b"idempotency-key")
    idempotency_key = idempotency.decode("latin-1") if idempotency is not None else None
    if idempotency_key is not None and not 1 <= len(idempotency_key) <= 255:
        return None
    if headers.get(b"content-type", b"").lower() not in _JSON_TYPES or not await request.body():
        return None
    try:
        body = StatelessExecuteRequest.model_validate(await request.json(), from_attributes=True)
    except (ValueError, RecursionError):  # ValidationError and JSONDecodeError are ValueErrors
        return None
    api_key, authorization = headers.get(b"x-api-key"), headers.get(b"authorization")
    key = key_of(
        api_key.decode("latin-1") if api_key is not None else None,
        authorization.decode("latin-1") if authorization is not None else None,
    )
    caller = await admit_execute(request, key)
    return await _execute(runtime_of(request), caller, body, flags, idempotency_key)


async def execute_stateless(
    body: StatelessExecuteRequest,
    rt: RuntimeDep,
    caller: ExecuteCallerDep,
    provider_id: Annotated[str | None, Query(description="Accepted for compatibility; unused.")] = None,
    token_budget: TokenBudget = 1000,
    preview_only: PreviewOnly = False,
    skip_param_guessing: SkipGuessing = False,
    idempotency_key: IdempotencyKey = None,
) -> FastJSONResponse:
    """Resolve the action's needs from instructions and params, run it, and return the result."""
    # Plain requests are answered by ``_fast_execute``; this declaration is what OpenAPI documents and
    # what answers every other request (its 422s and the like).
    flags = ExecuteFlags(preview_only, skip_param_guessing, token_budget)
    return await _execute(rt, caller, body, flags, idempotency_key)


router.add_api_route(
    "/execute/",
    execute_stateless,
    methods=["POST"],
    response_model=ExecuteResponse,
    responses={200: example_response(EXECUTE_RESPONSE_EXAMPLE), **ERRORS},
    summary="Execute Stateless AI Action",
    operation_id="api_execute_execute_stateless_action",
    route_class_override=fast_route(_fast_execute),
)


@router.get(
    "/execute/log/",
    response_model=ExecutionLogPage,
    responses={200: example_response(LOG_PAGE_EXAMPLE), **LIST_ERRORS},
    summary="List Execution Logs",
)
async def list_execution_logs(
    rt: RuntimeDep,
    caller: CallerDep,
    status: Annotated[LogStatus | None, Query(description="Only logs with this status.")] = None,
    app: Annotated[str | None, Query(max_length=100, description="Only runs of this app.")] = None,
    action: Annotated[str | None, Query(max_length=100, description="Only runs of this action.")] = None,
    ai_action_id: Annotated[str | None, Query(max_length=64, description="Only runs of this AI action.")] = None,
    since: Annotated[
        dt.datetime | None, Query(description="Only logs created at or after this ISO 8601 time (UTC if no offset).")
    ] = None,
    cursor: Annotated[str | None, Query(max_length=200, description="The `next` value of the previous page.")] = None,
    limit: Annotated[int, Query(ge=1, le=100, description="Logs per page.")] = 20,
    account_id: AccountId = None,
) -> FastJSONResponse:
    """Your account's execution logs, newest first, so a client that lost its connection can find its run."""
    account = caller.account(account_id)
    filters = LogFilters(status=status, app=app, action=action, ai_action_id=ai_action_id, since=since)
    return FastJSONResponse(await rt.execute.list_logs(account, filters, cursor, limit))


@router.get(
    "/execute/log/{execution_log_id}/",
    response_model=ExecutionLogItem,
    responses={200: example_response(INTERRUPTED_LOG_EXAMPLE), **error_responses(401, 403, 404, 422)},
    summary="Get Execution Log",
)
async def get_execution_log(
    execution_log_id: LogId, rt: RuntimeDep, caller: CallerDep, account_id: AccountId = None
) -> FastJSONResponse:
    """One execution log: `running` while it runs, `interrupted` if its server process stopped, else its result."""
    account = caller.account(account_id)
    return FastJSONResponse(await rt.execute.log_detail(account, execution_log_id))


@router.post(
    "/execute/log/{execution_log_id}/rate/",
    response_model=ExecutionLogResponse,
    responses={200: example_response(RATED_EXAMPLE), **ERRORS},
    summary="Rate Execution Log",
)
async def rate_execution_log(
    execution_log_id: LogId,
    rt: RuntimeDep,
    caller: CallerDep,
    rating: Annotated[int | None, Query(ge=-1, le=1, description="-1 bad, 0 neutral, 1 good")] = None,
    feedback: Annotated[str | None, Query(max_length=10_000)] = None,
    account_id: Annotated[int | None, Query()] = None,
) -> FastJSONResponse:
    """Patch a rating and feedback onto an execution log; returns the updated log."""
    account = caller.account(account_id)
    return FastJSONResponse(await rt.execute.rate(caller, account, execution_log_id, rating, feedback))
