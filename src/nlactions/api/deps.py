"""FastAPI dependencies: the runtime and the authenticated caller, its request counted against its budget."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, APIKeyQuery, HTTPAuthorizationCredentials, HTTPBearer
from fastapi.security.utils import get_authorization_scheme_param

from nlactions.accounts.service import Caller
from nlactions.api.runtime import Runtime
from nlactions.ratelimits.headers import client_address, meter_of
from nlactions.ratelimits.service import Budget, RateLimits

api_key_header = APIKeyHeader(name="x-api-key", auto_error=False, scheme_name="AccessPointApiKeyHeader")
bearer = HTTPBearer(auto_error=False, scheme_name="AccessPointBearer")
api_key_query = APIKeyQuery(name="api_key", auto_error=False, scheme_name="AccessPointApiKeyQuery")


def runtime_of(request: Request) -> Runtime:
    """The server runtime built in the lifespan."""
    return request.app.state.runtime


def public_base_url(request: Request) -> str:
    """This server's address for links and OAuth metadata: ``NLACTIONS_PUBLIC_URL``, else the request's."""
    configured = runtime_of(request).settings.public_url
    return (configured or str(request.base_url)).rstrip("/")


async def runtime(request: Request) -> Runtime:
    """The runtime as a dependency (async, so FastAPI runs it without a thread-pool hop)."""
    return runtime_of(request)


def limits_of(request: Request) -> RateLimits:
    """The rate limits built in the lifespan (built from the runtime's settings if the lifespan did not)."""
    state = request.app.state
    limits = getattr(state, "rate_limits", None)
    if limits is None:
        limits = state.rate_limits = RateLimits.from_settings(runtime_of(request).settings)
    return limits


async def _admit(request: Request, key: str | None, budget: Budget) -> Caller:
    """Authenticate ``key`` and spend one request of ``budget`` (once per request; FastAPI caches it)."""
    scope = request.scope
    return await limits_of(request).admit(
        runtime_of(request).authenticator, key, client_address(scope), budget, meter_of(scope)
    )


def _key(key: str | None, token: HTTPAuthorizationCredentials | None) -> str | None:
    return key or (token.credentials if token else None)


def key_of(api_key: str | None, authorization: str | None) -> str | None:
    """The key of an ``x-api-key`` and an ``Authorization`` header value, read as the two security schemes do."""
    if api_key:
        return api_key
    scheme, token = get_authorization_scheme_param(authorization)
    return token if authorization and token and scheme.lower() == "bearer" else None


async def admit(request: Request, key: str | None, budget: Budget) -> Caller:
    """Authenticate ``key`` and spend one request of ``budget`` (for a front door that is not a FastAPI route)."""
    return await _admit(request, key, budget)


async def admit_execute(request: Request, key: str | None) -> Caller:
    """``execute_caller`` without FastAPI (for a fast path that read ``key`` with ``key_of``)."""
    return await _admit(request, key, Budget.EXECUTE)


async def caller(
    request: Request,
    key: Annotated[str | None, Security(api_key_header)],
    token: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
) -> Caller:
    """The caller behind the ``x-api-key`` header or ``Authorization: Bearer`` token (a read)."""
    return await _admit(request, _key(key, token), Budget.READ)


async def execute_caller(
    request: Request,
    key: Annotated[str | None, Security(api_key_header)],
    token: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
) -> Caller:
    """Like ``caller``, for a route that runs or previews an action: it spends the execute budget."""
    return await _admit(request, _key(key, token), Budget.EXECUTE)


async def v1_caller(
    request: Request,
    key: Annotated[str | None, Security(api_key_header)],
    token: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
    query_key: Annotated[str | None, Security(api_key_query)],
) -> Caller:
    """Like ``caller``, also accepting v1's ``api_key`` query parameter (used by ``/api/v1/`` routes only)."""
    return await _admit(request, _key(key or (None if token else query_key), token), Budget.READ)


async def v1_execute_caller(
    request: Request,
    key: Annotated[str | None, Security(api_key_header)],
    token: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
    query_key: Annotated[str | None, Security(api_key_query)],
) -> Caller:
    """``v1_caller`` for v1's execute routes: it spends the execute budget."""
    return await _admit(request, _key(key or (None if token else query_key), token), Budget.EXECUTE)


RuntimeDep = Annotated[Runtime, Depends(runtime)]
CallerDep = Annotated[Caller, Depends(caller)]
ExecuteCallerDep = Annotated[Caller, Depends(execute_caller)]
V1CallerDep = Annotated[Caller, Depends(v1_caller)]
V1ExecuteCallerDep = Annotated[Caller, Depends(v1_execute_caller)]
