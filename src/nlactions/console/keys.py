"""Keys and MCP: create (shown once) and revoke API keys; the MCP URLs and a client config to paste."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from starlette.responses import Response

from nlactions.accounts import repository as accounts_repo
from nlactions.accounts import service as accounts
from nlactions.console.common import back, page, parse_int, posted, rt, text
from nlactions.errors import NLActionsError
from nlactions.signin.deps import UserDep
from nlactions.signin.service import SignedIn

router = APIRouter()
KEY_PLACEHOLDER = "<your API key>"


def mcp_config(base_url: str, key: str) -> dict[str, str]:
    """The MCP URLs and ready-to-paste configs for a desktop client (JSON) and a command-line agent."""
    base = base_url.rstrip("/")
    managed, agentic = f"{base}/mcp/", f"{base}/mcp/agentic/"
    headers = {"x-api-key": key}
    desktop = {
        "mcpServers": {
            "nlactions": {"url": managed, "headers": headers},
            "nlactions-agentic": {"url": agentic, "headers": headers},
        }
    }
    return {
        "managed": managed,
        "agentic": agentic,
        "desktop": json.dumps(desktop, indent=2),
        "cli": f'claude mcp add --transport http nlactions {managed} --header "x-api-key: {key}"',
    }


async def _keys_page(
    request: Request, user: SignedIn, *, created: accounts.CreatedKey | None = None, error: str = "", status: int = 200
) -> Response:
    runtime = rt(request)
    async with runtime.sessions() as session:
        keys = await accounts_repo.list_keys(session, user.account_id)
    config = mcp_config(str(request.base_url), created.key if created else KEY_PLACEHOLDER)
    return page(
        request,
        user,
        "console/keys.html",
        "keys",
        {"keys": keys, "created": created, "mcp": config},
        error=error,
        status_code=status,
    )


@router.get("/keys/")
async def keys(request: Request, user: UserDep) -> Response:
    """This account's API keys (prefixes only) and the MCP set-up."""
    return await _keys_page(request, user)


@router.post("/keys/")
async def create_key(request: Request, user: UserDep) -> Response:
    """Create a key for the current account (or all of the user's) and show it this once."""
    form = await posted(request)
    name = text(form, "name", 200).strip()
    try:
        async with rt(request).sessions() as session, session.begin():
            created = await accounts.create_key(
                session,
                account_name=user.account_name,
                user_email=user.email,
                key_name=name,
                all_accounts=text(form, "all_accounts", 5) == "yes",
            )
    except NLActionsError as exc:
        return await _keys_page(request, user, error=exc.message, status=exc.status)
    return await _keys_page(request, user, created=created)


@router.post("/keys/{key_id}/revoke/")
async def revoke_key(request: Request, user: UserDep, key_id: str) -> Response:
    """Revoke one of this account's keys."""
    await posted(request)
    ident = parse_int(key_id)
    try:
        if ident is None:
            raise NLActionsError("no such API key in this account")
        async with rt(request).sessions() as session, session.begin():
            await accounts.revoke_key_in(session, user.account_id, ident)
    except NLActionsError:
        return await _keys_page(request, user, error="This account has no API key with that id.", status=404)
    return back("/console/keys/", "key-revoked")
