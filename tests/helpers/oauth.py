"""Driving the OAuth flow as a browser would: the consent page's form, the redirect back with a code."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import httpx
from fastapi import FastAPI

from nlactions.accounts.service import EXECUTE_SCOPE
from nlactions.api.runtime import Runtime
from nlactions.oauth import service as oauth

BASE = "https://nlactions.test"
REDIRECT = "https://client.example/callback"
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')
OPTION = re.compile(r'<option value="(\d+)"[^>]*>([^<]+)</option>')


def browser(app: FastAPI) -> httpx.AsyncClient:
    """A cookie-keeping client on https (OAuth refuses plain http off loopback) that does not follow redirects."""
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=("127.0.0.1", 50000)), base_url=BASE, follow_redirects=False
    )


def api_client(app: FastAPI, **kwargs: object) -> httpx.AsyncClient:
    """A plain client through ASGI on https."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE, **kwargs)  # type: ignore[arg-type]


async def register(
    runtime: Runtime,
    account_id: int,
    *,
    public: bool = True,
    redirect_uris: list[str] | None = None,
    scope: str | None = None,
    name: str = "Agent Smith",
) -> oauth.CreatedClient:
    """A client registered in ``account_id`` as the CLI does."""
    async with runtime.sessions() as session, session.begin():
        return await oauth.create_client(
            session,
            account_id=account_id,
            name=name,
            redirect_uris=redirect_uris or [REDIRECT],
            public=public,
            scope=scope,
        )


def form_of(page: str) -> dict[str, str]:
    """The consent form's hidden fields."""
    return {name: html.unescape(value) for name, value in HIDDEN.findall(page)}


def accounts_of(page: str) -> dict[str, int]:
    """The consent page's accounts: name -> id."""
    return {html.unescape(name): int(ident) for ident, name in OPTION.findall(page)}


def query_of(location: str) -> dict[str, str]:
    """The query of a redirect's Location, one value a name."""
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


async def consent(
    http: httpx.AsyncClient, authorize_url: str, *, decision: str = "approve", account: str | None = None
) -> httpx.Response:
    """Open the consent page for ``authorize_url`` and send its form; the redirect back to the client."""
    page = await http.get(authorize_url)
    assert page.status_code == 200, (page.status_code, page.headers.get("location"), page.text[:500])
    fields = form_of(page.text)
    accounts = accounts_of(page.text)
    fields["account_id"] = str(accounts[account]) if account else str(next(iter(accounts.values())))
    fields["decision"] = decision
    answer = await http.post("/oauth/authorize/", data=fields)
    assert answer.status_code == 303, (answer.status_code, answer.text[:500])
    return answer


__all__ = ["BASE", "EXECUTE_SCOPE", "REDIRECT", "accounts_of", "api_client", "browser", "consent", "register"]


async def mint_token(runtime: Runtime, user_id: int, account_id: int, scope: str = EXECUTE_SCOPE) -> str:
    """An access token stored as the token endpoint stores it (for sweeps needing many requests, not the flow)."""
    import datetime as dt

    from nlactions.db.models import OAuthToken
    from nlactions.kit.crypto import hash_token
    from nlactions.kit.ids import new_ulid
    from nlactions.oauth.tokens import new_access_token, token_prefix

    token = new_access_token()
    async with runtime.sessions() as session, session.begin():
        session.add(
            OAuthToken(
                grant_id=new_ulid(),
                client_id="nlc_sweep",
                user_id=user_id,
                account_id=account_id,
                scope=scope,
                prefix=token_prefix(token),
                access_hash=hash_token(token),
                expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(hours=1),
            )
        )
    return token
