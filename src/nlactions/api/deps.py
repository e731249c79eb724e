"""FastAPI dependencies: the runtime and the authenticated caller."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, APIKeyQuery, HTTPAuthorizationCredentials, HTTPBearer

from nlactions.accounts.service import Caller
from nlactions.api.runtime import Runtime

api_key_header = APIKeyHeader(name="x-api-key", auto_error=False, scheme_name="AccessPointApiKeyHeader")
bearer = HTTPBearer(auto_error=False, scheme_name="AccessPointBearer")
api_key_query = APIKeyQuery(name="api_key", auto_error=False, scheme_name="AccessPointApiKeyQuery")


def runtime_of(request: Request) -> Runtime:
    """The server runtime built in the lifespan."""
    return request.app.state.runtime


async def runtime(request: Request) -> Runtime:
    """The runtime as a dependency (async, so FastAPI runs it without a thread-pool hop)."""
    return runtime_of(request)


async def caller(
    request: Request,
    key: Annotated[str | None, Security(api_key_header)],
    token: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
) -> Caller:
    """The caller behind the ``x-api-key`` header or ``Authorization: Bearer`` token."""
    value = key or (token.credentials if token else None)
    return await runtime_of(request).authenticator.authenticate(value)


async def v1_caller(
    request: Request,
    key: Annotated[str | None, Security(api_key_header)],
    token: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
    query_key: Annotated[str | None, Security(api_key_query)],
) -> Caller:
    """Like ``caller``, also accepting v1's ``api_key`` query parameter (used by ``/api/v1/`` routes only)."""
    return await caller(request, key=key or (None if token else query_key), token=token)


RuntimeDep = Annotated[Runtime, Depends(runtime)]
CallerDep = Annotated[Caller, Depends(caller)]
V1CallerDep = Annotated[Caller, Depends(v1_caller)]
