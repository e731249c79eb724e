"""FastAPI dependencies: the runtime and the authenticated caller."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from nlactions.accounts.service import Caller
from nlactions.api.runtime import Runtime

api_key_header = APIKeyHeader(name="x-api-key", auto_error=False, scheme_name="AccessPointApiKeyHeader")
bearer = HTTPBearer(auto_error=False, scheme_name="AccessPointBearer")


def runtime(request: Request) -> Runtime:
    """The server runtime built in the lifespan."""
    return request.app.state.runtime


async def caller(
    request: Request,
    key: Annotated[str | None, Security(api_key_header)],
    token: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
) -> Caller:
    """The caller behind the ``x-api-key`` header or ``Authorization: Bearer`` token."""
    value = key or (token.credentials if token else None)
    return await runtime(request).authenticator.authenticate(value)


RuntimeDep = Annotated[Runtime, Depends(runtime)]
CallerDep = Annotated[Caller, Depends(caller)]
