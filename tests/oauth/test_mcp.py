"""An MCP client's whole way in, against a live server on 127.0.0.1: a 401 names the resource metadata, which
names this authorization server; the client registers itself, the user signs in and consents, and the
token calls tools over MCP (and one without the execute scope lists them but cannot call them)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from urllib.parse import urlencode

import httpx2
import pytest
from authlib.common.security import generate_token
from authlib.oauth2.rfc7636 import create_s256_code_challenge

from helpers.live_server import Live, serve_live
from helpers.oauth import EXECUTE_SCOPE, accounts_of, form_of, query_of
from helpers.web import PASSWORD, csrf_of
from nlactions.db.engine import make_engine, make_sessionmaker
from nlactions.settings import Settings
from nlactions.signin import service as signin

CALLBACK = "http://127.0.0.1:33418/callback"
ECHO_LOCKED = {"app": "TestAPI", "action": "echo", "params": {"channel": {"mode": "locked", "value": "C001"}}}
RESOURCE_METADATA = re.compile(r'resource_metadata="([^"]+)"')


@pytest.fixture
async def live(settings: Settings) -> AsyncIterator[Live]:
    """A live server; ada (acme's owner's colleague) has a password."""
    async with serve_live(settings) as server:
        engine = make_engine(settings.effective_database_url)
        try:
            async with make_sessionmaker(engine)() as session, session.begin():
                await signin.create_user(session, email="ada@acme.test", account_name="acme")
                await signin.set_password(session, email="ada@acme.test", password=PASSWORD)
        finally:
            await engine.dispose()
        yield server


async def _token(live: Live, scope: str) -> str:
    """Discover, register, sign in, consent, exchange: the access token."""
    ping = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
    async with httpx2.AsyncClient(base_url=live.url, follow_redirects=False) as http:
        refused = await http.post("/mcp/", json=ping)
        assert refused.status_code == 401
        found = RESOURCE_METADATA.search(refused.headers["www-authenticate"])
        assert found
        resource = (await http.get(found.group(1))).json()
        issuer = resource["authorization_servers"][0]
        meta = (await http.get(f"{issuer}/.well-known/oauth-authorization-server")).json()
        assert meta["issuer"] == issuer == live.url
        registered = await http.post(
            meta["registration_endpoint"],
            json={
                "client_name": "Loopback MCP client",
                "redirect_uris": [CALLBACK],
                "token_endpoint_auth_method": "none",
            },
        )
        assert registered.status_code == 201, registered.text
        client_id = registered.json()["client_id"]

        verifier = generate_token(48)
        query = urlencode(
            {
                "response_type": "code",
                "client_id": client_id,
                "redirect_uri": CALLBACK,
                "scope": scope,
                "state": "s1",
                "code_challenge": create_s256_code_challenge(verifier),
                "code_challenge_method": "S256",
            }
        )
        authorize = f"{meta['authorization_endpoint']}?{query}"
        to_signin = await http.get(authorize)
        assert to_signin.status_code == 303 and to_signin.headers["location"].startswith("/signin/?next=")
        page = await http.get("/signin/")
        signed = await http.post(
            "/signin/",
            data={"csrf_token": csrf_of(page.text), "email": "ada@acme.test", "password": PASSWORD, "next": ""},
        )
        assert signed.status_code == 303
        consent = await http.get(authorize)
        assert consent.status_code == 200 and "Loopback MCP client" in consent.text
        fields = form_of(consent.text) | {"decision": "approve", "account_id": str(accounts_of(consent.text)["acme"])}
        back = await http.post("/oauth/authorize/", data=fields)
        assert back.status_code == 303
        answer = query_of(back.headers["location"])
        assert answer["state"] == "s1"
        token = await http.post(
            meta["token_endpoint"],
            data={
                "grant_type": "authorization_code",
                "code": answer["code"],
                "client_id": client_id,
                "redirect_uri": CALLBACK,
                "code_verifier": verifier,
            },
        )
        assert token.status_code == 200, token.text
        return str(token.json()["access_token"])


async def test_an_mcp_client_signs_in_with_oauth_and_calls_a_tool(live: Live) -> None:
    await live.store(ECHO_LOCKED)
    access = await _token(live, f"{EXECUTE_SCOPE} openid")
    async with live.client(headers={"Authorization": f"Bearer {access}"}) as client:
        tools = (await client.list_tools()).tools
        assert [t.name for t in tools] == ["test_send_message"]
        result = await client.call_tool("test_send_message", {"instructions": "say hi", "text": "hi"})
        assert not result.is_error, result.content
    logs = (await live.get("/api/v2/execute/log/")).json()["results"]
    assert logs and logs[0]["status"] == "success"


async def test_an_mcp_token_without_the_execute_scope_lists_but_cannot_call(live: Live) -> None:
    await live.store(ECHO_LOCKED)
    access = await _token(live, "openid")
    headers = {"Authorization": f"Bearer {access}"}
    async with live.client(headers=headers) as client:
        assert [t.name for t in (await client.list_tools()).tools] == ["test_send_message"]
    call = {
        "jsonrpc": "2.0",
        "id": 2,
        "method": "tools/call",
        "params": {"name": "test_send_message", "arguments": {"instructions": "say hi"}},
    }
    async with httpx2.AsyncClient(base_url=live.url, headers=headers) as http:
        refused = await http.post(
            "/mcp/",
            json=call,
            headers={"accept": "application/json, text/event-stream", "mcp-protocol-version": "2025-11-25"},
        )
    assert refused.status_code == 403, refused.text
    assert EXECUTE_SCOPE in refused.text
    assert (await live.get("/api/v2/execute/log/")).json()["results"] == []
