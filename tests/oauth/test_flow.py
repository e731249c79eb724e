"""The whole OAuth flow with authlib's client over HTTP: sign in, consent, code + PKCE, tokens on v2 and v1,
refresh with rotation, revocation, id_token; and the ways it must fail."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from urllib.parse import urlencode

import httpx
import httpx2
import pytest
from authlib.common.security import generate_token
from authlib.integrations.httpx_client import AsyncOAuth2Client
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from fastapi import FastAPI
from joserfc import jwt
from joserfc.jwk import KeySet
from sqlalchemy import update

from conftest import make_key
from helpers.apps import recorder
from helpers.oauth import BASE, EXECUTE_SCOPE, REDIRECT, accounts_of, api_client, browser, consent, query_of, register
from helpers.web import make_user, sign_in
from nlactions.api.runtime import Runtime
from nlactions.db.models import OAuthCode, OAuthToken

ECHO_RUN = {
    "instructions": "say hello",
    "app": "TestAPI",
    "action": "echo",
    "params": {"channel": {"mode": "locked", "value": "C001"}, "text": {"mode": "locked", "value": "hello"}},
}
TOKEN_URL = f"{BASE}/oauth/token/"
AUTHORIZE_URL = f"{BASE}/oauth/authorize/"


@pytest.fixture(autouse=True)
def no_recorded_calls() -> None:
    recorder.calls.clear()


@pytest.fixture
async def account_ids(runtime: Runtime) -> dict[str, int]:
    """ada belongs to acme and acme-labs (with a password); acme has an API key too."""
    await make_user(runtime)
    await make_user(runtime, account="acme-labs")
    acme = await make_key(runtime, account="acme", user="ada@acme.test")
    labs = await make_key(runtime, account="acme-labs", user="ada@acme.test")
    return {"acme": acme.account_id, "acme-labs": labs.account_id}


@pytest.fixture
async def signed_in(app: FastAPI, account_ids: dict[str, int]) -> AsyncIterator[httpx.AsyncClient]:
    """ada's browser, signed in."""
    async with browser(app) as http:
        assert (await sign_in(http)).status_code == 303
        yield http


@pytest.fixture
async def client_id(runtime: Runtime, account_ids: dict[str, int]) -> str:
    """A public client registered in acme."""
    return (await register(runtime, account_ids["acme"])).row.client_id


def oauth_client(app: FastAPI, client_id: str, scope: str, **kwargs: object) -> AsyncOAuth2Client:
    """authlib's client (on httpx2, the openai SDK's httpx fork), over ASGI to the app."""
    return AsyncOAuth2Client(
        client_id=client_id,
        redirect_uri=REDIRECT,
        scope=scope,
        code_challenge_method="S256",
        transport=httpx2.ASGITransport(app=app),
        **kwargs,
    )


async def tokens_for(
    app: FastAPI,
    http: httpx.AsyncClient,
    client_id: str,
    scope: str = EXECUTE_SCOPE,
    account: str = "acme",
    **kwargs: object,
) -> dict[str, object]:
    """Run the flow with authlib's client: authorize URL, consent, callback, token with the verifier."""
    verifier = generate_token(48)
    async with oauth_client(app, client_id, scope, **kwargs) as client:
        url, state = client.create_authorization_url(AUTHORIZE_URL, code_verifier=verifier, nonce="n-0S6_WzA2Mj")
        back = await consent(http, url, account=account)
        callback = back.headers["location"]
        assert callback.startswith(REDIRECT + "?")
        assert query_of(callback)["state"] == state
        return dict(await client.fetch_token(TOKEN_URL, authorization_response=callback, code_verifier=verifier))


async def test_the_whole_flow_executes_on_v2_and_v1_refreshes_with_rotation_and_revokes(
    app: FastAPI, signed_in: httpx.AsyncClient, client_id: str, account_ids: dict[str, int]
) -> None:
    token = await tokens_for(app, signed_in, client_id, scope=f"{EXECUTE_SCOPE} openid email")
    assert token["token_type"].lower() == "bearer"  # type: ignore[attr-defined]
    assert str(token["access_token"]).startswith("nlo_") and str(token["refresh_token"]).startswith("nlr_")
    assert set(str(token["scope"]).split()) == {EXECUTE_SCOPE, "openid", "email"}

    async with api_client(app, headers={"Authorization": f"Bearer {token['access_token']}"}) as api:
        check = (await api.get("/api/v2/auth/check/")).json()
        assert check["email"] == "ada@acme.test"
        accounts = (await api.get("/api/v2/auth/accounts/")).json()["results"]
        assert [a["id"] for a in accounts] == [account_ids["acme"]]
        ran = await api.post("/api/v2/execute/", json=ECHO_RUN)
        assert ran.status_code == 200, ran.text
        assert ran.json()["status"] == "success"
        assert [(c["channel"], c["text"]) for c in recorder.calls] == [("C001", "hello")]
        # v1: an AI action stored with the token, run through v1's execute.
        stored = await api.post("/api/v2/ai-actions/", json={"app": "TestAPI", "action": "echo", "params": {}})
        assert stored.status_code in (200, 201), stored.text
        v1 = await api.post(
            f"/api/v1/exposed/{stored.json()['id']}/execute/", json={"instructions": "post hi to C002", "text": "hi"}
        )
        assert v1.status_code == 200, v1.text
        assert (await api.get("/api/v1/check/")).json()["email"] == "ada@acme.test"

    # The id_token is signed with the published key and names ada, the client and the nonce.
    async with api_client(app) as plain:
        keys = KeySet.import_key_set((await plain.get("/oauth/jwks/")).json())
    claims = jwt.decode(str(token["id_token"]), keys).claims
    assert (claims["iss"], claims["aud"], claims["email"], claims["nonce"]) == (
        BASE,
        client_id,
        "ada@acme.test",
        "n-0S6_WzA2Mj",
    )

    # Refresh rotates: a new pair; the old refresh token then fails, and its reuse revokes the whole grant.
    async with oauth_client(app, client_id, EXECUTE_SCOPE) as client:
        fresh = dict(await client.refresh_token(TOKEN_URL, refresh_token=str(token["refresh_token"])))
    assert fresh["refresh_token"] != token["refresh_token"] and fresh["access_token"] != token["access_token"]
    async with api_client(app) as plain:
        ok = await plain.get("/api/v2/auth/check/", headers={"Authorization": f"Bearer {fresh['access_token']}"})
        assert ok.status_code == 200
        reused = await plain.post(
            "/oauth/token/",
            data={"grant_type": "refresh_token", "refresh_token": token["refresh_token"], "client_id": client_id},
        )
        assert reused.status_code == 400
        assert reused.json()["error"] == "invalid_grant"
        assert "already used" in reused.json()["error_description"]
        gone = await plain.get("/api/v2/auth/check/", headers={"Authorization": f"Bearer {fresh['access_token']}"})
        assert gone.status_code == 401
        assert "revoked" in gone.json()["error"]
        again = await plain.post(
            "/oauth/token/",
            data={"grant_type": "refresh_token", "refresh_token": fresh["refresh_token"], "client_id": client_id},
        )
        assert again.json()["error"] == "invalid_grant"

    # A new grant, revoked through RFC 7009: both of its tokens stop working.
    second = await tokens_for(app, signed_in, client_id)
    async with oauth_client(app, client_id, EXECUTE_SCOPE) as client:
        revoked = await client.revoke_token(f"{BASE}/oauth/revoke/", token=str(second["refresh_token"]))
        assert revoked.status_code == 200
    async with api_client(app) as plain:
        answer = await plain.get("/api/v2/auth/check/", headers={"Authorization": f"Bearer {second['access_token']}"})
        assert answer.status_code == 401
        assert answer.json()["error"] == "The OAuth access token was revoked."


async def test_the_chosen_account_is_the_only_one_the_token_reaches(
    app: FastAPI, signed_in: httpx.AsyncClient, client_id: str, account_ids: dict[str, int]
) -> None:
    page = await signed_in.get(
        f"{AUTHORIZE_URL}?"
        + urlencode(
            {
                "response_type": "code",
                "client_id": client_id,
                "redirect_uri": REDIRECT,
                "code_challenge": create_s256_code_challenge("v" * 50),
                "code_challenge_method": "S256",
            }
        )
    )
    assert page.status_code == 200
    assert "Agent Smith" in page.text and "client.example" in page.text and EXECUTE_SCOPE in page.text
    assert set(accounts_of(page.text)) == {"acme", "acme-labs"}
    assert "https://client.example" in page.headers["content-security-policy"]

    token = await tokens_for(app, signed_in, client_id, account="acme-labs")
    async with api_client(app, headers={"Authorization": f"Bearer {token['access_token']}"}) as api:
        accounts = (await api.get("/api/v2/auth/accounts/")).json()["results"]
        assert [a["name"] for a in accounts] == ["acme-labs"]
        other = await api.post("/api/v2/execute/", json={**ECHO_RUN, "account_id": account_ids["acme"]})
        assert other.status_code == 403
        assert recorder.calls == []


async def test_a_token_without_the_execute_scope_reads_but_cannot_execute(
    app: FastAPI, signed_in: httpx.AsyncClient, client_id: str
) -> None:
    token = await tokens_for(app, signed_in, client_id, scope="openid")
    assert EXECUTE_SCOPE not in str(token["scope"])
    async with api_client(app, headers={"Authorization": f"Bearer {token['access_token']}"}) as api:
        assert (await api.get("/api/v2/ai-actions/")).status_code == 200
        assert (await api.get("/api/v2/execute/log/")).status_code == 200
        for path, body in (
            ("/api/v2/execute/", ECHO_RUN),
            ("/api/v2/execute/?preview_only=true", ECHO_RUN),
        ):
            refused = await api.post(path, json=body)
            assert refused.status_code == 403, refused.text
            assert refused.json()["code"] == "insufficient_scope"
            assert EXECUTE_SCOPE in refused.json()["error"]
        stored = (await api.post("/api/v2/ai-actions/", json={"app": "TestAPI", "action": "echo", "params": {}})).json()
        v1 = await api.post(f"/api/v1/exposed/{stored['id']}/execute/", json={"instructions": "hi"})
        assert v1.status_code == 403
    assert recorder.calls == []


async def test_a_wrong_verifier_a_reused_code_and_a_wrong_redirect_uri_get_no_token(
    app: FastAPI, signed_in: httpx.AsyncClient, client_id: str
) -> None:
    verifier = generate_token(48)

    async def fresh_code() -> str:
        query = urlencode(
            {
                "response_type": "code",
                "client_id": client_id,
                "redirect_uri": REDIRECT,
                "scope": EXECUTE_SCOPE,
                "code_challenge": create_s256_code_challenge(verifier),
                "code_challenge_method": "S256",
            }
        )
        back = await consent(signed_in, f"{AUTHORIZE_URL}?{query}")
        return query_of(back.headers["location"])["code"]

    def exchange(code: str, **extra: str) -> dict[str, str]:
        form = {"grant_type": "authorization_code", "code": code, "client_id": client_id}
        form.update({"redirect_uri": REDIRECT, "code_verifier": verifier})
        form.update(extra)
        return form

    async with api_client(app) as plain:
        wrong = await plain.post("/oauth/token/", data=exchange(await fresh_code(), code_verifier=generate_token(48)))
        assert wrong.status_code == 400
        assert wrong.json()["error"] == "invalid_grant"
        assert "code_verifier" in wrong.json()["error_description"]

        elsewhere = await plain.post(
            "/oauth/token/", data=exchange(await fresh_code(), redirect_uri="https://client.example/other")
        )
        assert elsewhere.json()["error"] == "invalid_grant"
        assert "redirect_uri" in elsewhere.json()["error_description"]

        code = await fresh_code()
        first = await plain.post("/oauth/token/", data=exchange(code))
        assert first.status_code == 200, first.text
        access = first.json()["access_token"]
        assert (await plain.get("/api/v2/auth/check/", headers={"Authorization": f"Bearer {access}"})).is_success
        reused = await plain.post("/oauth/token/", data=exchange(code))
        assert reused.status_code == 400
        assert reused.json()["error"] == "invalid_grant"
        assert "already used" in reused.json()["error_description"]
        # The reuse revoked what the code had given.
        after = await plain.get("/api/v2/auth/check/", headers={"Authorization": f"Bearer {access}"})
        assert after.status_code == 401


async def test_authorize_requests_refused_before_any_code(
    app: FastAPI, signed_in: httpx.AsyncClient, client_id: str
) -> None:
    base = {"response_type": "code", "client_id": client_id, "redirect_uri": REDIRECT, "state": "xyz"}
    challenge = {"code_challenge": create_s256_code_challenge("v" * 50), "code_challenge_method": "S256"}

    # No PKCE challenge: back to the client with invalid_request (authlib alone would have issued a code).
    missing = await signed_in.get(f"{AUTHORIZE_URL}?{urlencode(base)}")
    assert missing.status_code == 303
    back = query_of(missing.headers["location"])
    assert back["error"] == "invalid_request" and back["state"] == "xyz"
    assert "code_challenge" in back["error_description"] and "code" not in back

    plain = await signed_in.get(
        f"{AUTHORIZE_URL}?{urlencode({**base, 'code_challenge': 'x' * 43, 'code_challenge_method': 'plain'})}"
    )
    assert query_of(plain.headers["location"])["error"] == "invalid_request"

    # A redirect URI not registered exactly: a page, never a redirect there.
    for uri in ("https://client.example/callback/", "https://evil.example/callback", REDIRECT + "?x=1"):
        page = await signed_in.get(f"{AUTHORIZE_URL}?{urlencode({**base, **challenge, 'redirect_uri': uri})}")
        assert page.status_code == 400, uri
        assert "location" not in page.headers
        assert "not supported by client" in page.text

    unknown = await signed_in.get(f"{AUTHORIZE_URL}?{urlencode({**base, **challenge, 'client_id': 'nlc_nobody'})}")
    assert unknown.status_code == 400 and "does not exist" in unknown.text

    # Denied: back with access_denied and no code.
    denied = await consent(signed_in, f"{AUTHORIZE_URL}?{urlencode({**base, **challenge})}", decision="deny")
    assert query_of(denied.headers["location"])["error"] == "access_denied"


async def test_signed_out_users_sign_in_first_and_come_back_to_consent(
    app: FastAPI, account_ids: dict[str, int], client_id: str
) -> None:
    query = urlencode(
        {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": REDIRECT,
            "code_challenge": create_s256_code_challenge("v" * 50),
            "code_challenge_method": "S256",
        }
    )
    async with browser(app) as http:
        first = await http.get(f"/oauth/authorize/?{query}")
        assert first.status_code == 303
        assert first.headers["location"].startswith("/signin/?next=/oauth/authorize/")
        signed = await sign_in(http, next_path=f"/oauth/authorize/?{query}")
        assert signed.headers["location"] == f"/oauth/authorize/?{query}"
        assert (await http.get(signed.headers["location"])).status_code == 200
        # The consent form needs the session's CSRF token.
        forged = await http.post("/oauth/authorize/", data={"decision": "approve", "client_id": client_id})
        assert forged.status_code == 403


async def test_expired_codes_and_tokens_are_refused_with_a_clear_message(
    app: FastAPI, runtime: Runtime, signed_in: httpx.AsyncClient, client_id: str
) -> None:
    token = await tokens_for(app, signed_in, client_id)
    past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    async with runtime.sessions() as session, session.begin():
        await session.execute(update(OAuthToken).values(expires_at=past))
    async with api_client(app, headers={"Authorization": f"Bearer {token['access_token']}"}) as api:
        expired = await api.get("/api/v2/auth/check/")
        assert expired.status_code == 401
        assert "expired" in expired.json()["error"]
        assert "refresh_token" in expired.json()["hint"]
        unknown = await api.get("/api/v2/auth/check/", headers={"Authorization": "Bearer nlo_forged"})
        assert unknown.status_code == 401 and "not one this server issued" in unknown.json()["error"]
    # The refresh token still works and gives a live access token.
    async with oauth_client(app, client_id, EXECUTE_SCOPE) as client:
        fresh = dict(await client.refresh_token(TOKEN_URL, refresh_token=str(token["refresh_token"])))
    async with api_client(app, headers={"Authorization": f"Bearer {fresh['access_token']}"}) as api:
        assert (await api.get("/api/v2/auth/check/")).status_code == 200

    verifier = generate_token(48)
    async with oauth_client(app, client_id, EXECUTE_SCOPE) as client:
        url, _ = client.create_authorization_url(AUTHORIZE_URL, code_verifier=verifier)
        back = await consent(signed_in, url)
        async with runtime.sessions() as session, session.begin():
            await session.execute(update(OAuthCode).values(expires_at=past))
        code = query_of(back.headers["location"])["code"]
    async with api_client(app) as plain:
        late = await plain.post(
            "/oauth/token/",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "client_id": client_id,
                "redirect_uri": REDIRECT,
                "code_verifier": verifier,
            },
        )
    assert late.status_code == 400
    assert late.json()["error"] == "invalid_grant" and "expired" in late.json()["error_description"]


async def test_a_confidential_client_authenticates_with_its_secret(
    app: FastAPI, runtime: Runtime, signed_in: httpx.AsyncClient, account_ids: dict[str, int]
) -> None:
    created = await register(runtime, account_ids["acme"], public=False)
    assert created.client_secret
    token = await tokens_for(app, signed_in, created.row.client_id, client_secret=created.client_secret)
    assert str(token["access_token"]).startswith("nlo_")
    refresh = {"grant_type": "refresh_token", "refresh_token": str(token["refresh_token"])}
    async with api_client(app) as plain:
        refused = await plain.post("/oauth/token/", data=refresh, auth=(created.row.client_id, "nlcs_wrong"))
        assert refused.status_code == 401
        assert refused.json()["error"] == "invalid_client"
        # Without its secret, as if it were public: refused too.
        bare = await plain.post("/oauth/token/", data={**refresh, "client_id": created.row.client_id})
        assert bare.json()["error"] == "invalid_client"
        good = await plain.post("/oauth/token/", data=refresh, auth=(created.row.client_id, created.client_secret))
        assert good.status_code == 200, good.text
