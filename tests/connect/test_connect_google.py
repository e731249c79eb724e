"""GoogleSheetsV2API connected through the OAuth flow (client from NLACTIONS_CONNECT_CLIENTS, PKCE S256), its
tokens working against the Sheets/Drive peer and refreshed after Google's 401."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from helpers.google_server import GoogleServer
from helpers.oauth_provider import OAuthProvider
from nlactions.settings import ConnectClientSetting, Settings

PUBLIC = "http://nlactions.test"
CALLBACK = f"{PUBLIC}/connect/GoogleSheetsV2API/callback/"
AUTHS = "/api/v2/apps/GoogleSheetsV2API/auths/"
ANA = "ana@acme.test"


@pytest.fixture(scope="module")
def google() -> Iterator[GoogleServer]:
    with GoogleServer() as server:
        yield server


@pytest.fixture
def provider(google: GoogleServer) -> Iterator[OAuthProvider]:
    google.reset()
    google.add_spreadsheet("Budget", {"Expenses": [["name", "amount", "note"]]}, shared={ANA})
    with OAuthProvider(pkce=True, scope="https://www.googleapis.com/auth/spreadsheets") as server:
        server.redirect_uris.append(CALLBACK)
        server.on_issue = lambda token: google.add_token(token["access_token"], ANA)
        yield server


@pytest.fixture
def settings(settings: Settings, google: GoogleServer, provider: OAuthProvider) -> Settings:
    client = ConnectClientSetting(
        client_id=provider.client_id,
        client_secret=SecretStr(provider.client_secret),
        authorize_url=provider.authorize_url,
        token_url=provider.token_url,
    )
    return settings.model_copy(
        update={
            "ssrf_allow": [f"127.0.0.1:{google.port}", f"127.0.0.1:{provider.port}"],
            "public_url": PUBLIC,
            "connect_clients": {"GoogleSheetsV2API": client},
        }
    )


@pytest.fixture
async def browser(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(mounts={PUBLIC: httpx.ASGITransport(app=app)}, follow_redirects=True) as http:
        yield http


def add_row(name: str) -> dict[str, Any]:
    return {
        "app": "GoogleSheetsV2API",
        "action": "add_row",
        "instructions": "add a row",
        "params": {
            "spreadsheet": {"mode": "guess", "value": "budget"},
            "worksheet": {"mode": "guess", "value": "expenses"},
            "name": {"mode": "locked", "value": name},
            "amount": {"mode": "locked", "value": "42"},
        },
    }


async def test_google_sheets_connects_with_pkce_and_refreshes_after_a_401(
    client: httpx.AsyncClient, browser: httpx.AsyncClient, google: GoogleServer, provider: OAuthProvider
) -> None:
    fields = {"api_base_url": google.base_url, "drive_base_url": google.base_url}
    link = await client.post(AUTHS + "connect/", json={"fields": fields})
    assert link.status_code == 201, link.text
    page = await browser.get(link.json()["connect_url"])
    assert page.status_code == 200 and "Google Sheets connected" in page.text and ANA in page.text, page.text
    asked = provider.authorize_requests[-1]
    assert asked["code_challenge_method"] == "S256" and asked["access_type"] == "offline"
    assert provider.token_requests[0]["code_verifier"]
    auth = (await client.get(AUTHS)).json()["results"][0]
    assert auth["title"] == ANA and auth["token_expires_at"]

    ran = (await client.post("/api/v2/execute/", json=add_row("Ana"))).json()
    assert ran["status"] == "success", ran
    sid = next(iter(google.spreadsheets))
    assert google.rows(sid, "Expenses")[-1][:2] == ["Ana", "42"]

    google.tokens.pop(provider.access_tokens[0])  # Google forgets the token: 401 UNAUTHENTICATED
    again = (await client.post("/api/v2/execute/", json=add_row("Bo"))).json()
    assert again["status"] == "success", again
    assert provider.refreshes == 1 and google.rows(sid, "Expenses")[-1][:2] == ["Bo", "42"]
