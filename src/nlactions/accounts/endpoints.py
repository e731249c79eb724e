"""Thin HTTP layer of ``/api/v2/auth/…`` and health."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from nlactions.accounts import repository as repo
from nlactions.api.deps import CallerDep, RuntimeDep
from nlactions.api.responses import FastJSONResponse, error_responses, example_response

router = APIRouter(prefix="/api/v2")

UNAUTHORIZED = error_responses(401)
OWNER = {"name": "alice", "email": "alice@example.com"}
CHECK_EXAMPLE = {"success": True, "email": OWNER["email"], "name": OWNER["name"], "user_id": 1, "is_staff": False}
ACCOUNTS_EXAMPLE = {"results": [{"id": 1, "name": "default", "logo_url": None, "owner": OWNER}]}


@router.get("/health/", tags=["system"], summary="App Health Check", responses={200: example_response("OK")})
async def health() -> str:
    """Answers "OK" while the server is up."""
    return "OK"


@router.get(
    "/auth/check/",
    tags=["auth"],
    summary="Check User Auth",
    responses={200: example_response(CHECK_EXAMPLE), **UNAUTHORIZED},
)
async def check(caller: CallerDep) -> dict[str, Any]:
    """Test that the API and auth are working."""
    return caller.check()


@router.get(
    "/auth/accounts/",
    tags=["auth"],
    summary="Get Account List",
    responses={200: example_response(ACCOUNTS_EXAMPLE), **UNAUTHORIZED},
)
async def accounts(caller: CallerDep, rt: RuntimeDep) -> FastJSONResponse:
    """The accounts the caller's key reaches (its own, or all of its user's for an all-accounts key)."""
    async with rt.sessions() as session:
        rows = await repo.accounts_by_ids(session, caller.account_ids)
    return FastJSONResponse(
        {
            "results": [
                {
                    "id": a.id,
                    "name": a.name,
                    "logo_url": None,
                    "owner": {"name": caller.name, "email": caller.email},
                }
                for a in rows
            ]
        }
    )
