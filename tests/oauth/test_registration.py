"""Discovery documents, Dynamic Client Registration (RFC 7591) and Client ID Metadata Documents."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from urllib.parse import urlencode

import httpx
import pytest
from authlib.common.security import generate_token
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from authlib.oauth2.rfc8414 import AuthorizationServerMetadata
from fastapi import FastAPI

from helpers.client_documents import DocumentServer
from helpers.oauth import BASE, EXECUTE_SCOPE, api_client, browser, consent, query_of
from helpers.web import make_user, sign_in
from nlactions.api.runtime import Runtime
from nlactions.settings import Settings

NATIVE = "http://127.0.0.1:33418/callback"


@pytest.fixture(scope="module")
def documents() -> Iterator[DocumentServer]:
    """The client's site on a free loopback port."""
    with DocumentServer() as server:
        yield server


@pytest.fixture
def settings(settings: Settings, documents: DocumentServer) -> Settings:
    """The document server's port allow-listed for outbound requests, fetched documents cached for a minute."""
    return settings.model_copy(
        update={"ssrf_allow": [f"127.0.0.1:{documents.port}"], "oauth_client_metadata_cache_seconds": 60.0}
    )


@pytest.fixture
async def signed_in(app: FastAPI, runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    """ada of acme, signed in."""
    await make_user(runtime)
    async with browser(app) as http:
        assert (await sign_in(http)).status_code == 303
        yield http


async def _code_and_token(http: httpx.AsyncClient, app: FastAPI, client_id: str, redirect_uri: str) -> httpx.Response:
    verifier = generate_token(48)
    query = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "scope": EXECUTE_SCOPE,
        "code_challenge": create_s256_code_challenge(verifier),
        "code_challenge_method": "S256",
    }
    back = await consent(http, f"/oauth/authorize/?{urlencode(query)}")
    code = query_of(back.headers["location"])["code"]
    async with api_client(app) as plain:
        return await plain.post(
            "/oauth/token/",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "client_id": client_id,
                "redirect_uri": redirect_uri,
                "code_verifier": verifier,
            },
        )


async def test_discovery_documents_name_every_endpoint(app: FastAPI) -> None:
    async with api_client(app) as plain:
        oauth = (await plain.get("/.well-known/oauth-authorization-server")).json()
        openid = (await plain.get("/.well-known/openid-configuration")).json()
        jwks = (await plain.get("/oauth/jwks/")).json()
    AuthorizationServerMetadata(oauth).validate()
    assert oauth["issuer"] == BASE
    assert oauth["token_endpoint"] == f"{BASE}/oauth/token/"
    assert oauth["registration_endpoint"] == f"{BASE}/oauth/register/"
    assert oauth["code_challenge_methods_supported"] == ["S256"]
    assert EXECUTE_SCOPE in oauth["scopes_supported"] and "openid" in oauth["scopes_supported"]
    assert openid["jwks_uri"] == f"{BASE}/oauth/jwks/"
    assert openid["id_token_signing_alg_values_supported"] == ["RS256"]
    assert [k["kty"] for k in jwks["keys"]] == ["RSA"] and "d" not in jwks["keys"][0]


async def test_the_public_url_setting_is_the_issuer(app: FastAPI, runtime: Runtime) -> None:
    runtime.settings = runtime.settings.model_copy(update={"public_url": "https://actions.example.org/"})
    async with api_client(app) as plain:
        meta = (await plain.get("/.well-known/oauth-authorization-server")).json()
    assert meta["issuer"] == "https://actions.example.org"
    assert meta["authorization_endpoint"] == "https://actions.example.org/oauth/authorize/"
    async with api_client(app) as plain:
        resource = (await plain.get("/.well-known/oauth-protected-resource")).json()
        refused = await plain.post("/mcp/", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
    # an MCP client finds this issuer from the resource metadata the 401 points at
    assert resource["authorization_servers"] == ["https://actions.example.org"]
    assert resource["resource"] == "https://actions.example.org"
    assert refused.status_code == 401
    assert "https://actions.example.org/.well-known/oauth-protected-resource" in refused.headers["www-authenticate"]


async def test_a_dynamically_registered_public_client_completes_the_flow(
    app: FastAPI, signed_in: httpx.AsyncClient
) -> None:
    async with api_client(app) as plain:
        answer = await plain.post(
            "/oauth/register/",
            json={"client_name": "Desktop Agent", "redirect_uris": [NATIVE], "token_endpoint_auth_method": "none"},
        )
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["client_id"].startswith("nlc_") and "client_secret" not in body
    assert body["token_endpoint_auth_method"] == "none" and body["redirect_uris"] == [NATIVE]
    page = await signed_in.get(
        "/oauth/authorize/?"
        + urlencode(
            {
                "response_type": "code",
                "client_id": body["client_id"],
                "redirect_uri": NATIVE,
                "code_challenge": create_s256_code_challenge("v" * 50),
                "code_challenge_method": "S256",
            }
        )
    )
    assert "Desktop Agent" in page.text and "registered itself" in page.text
    token = await _code_and_token(signed_in, app, body["client_id"], NATIVE)
    assert token.status_code == 200, token.text
    assert token.json()["access_token"].startswith("nlo_")


@pytest.mark.parametrize(
    ("metadata", "error", "words"),
    [
        (
            {"redirect_uris": [NATIVE], "token_endpoint_auth_method": "client_secret_basic"},
            "invalid_client_metadata",
            "token_endpoint_auth_method",
        ),
        ({"redirect_uris": ["http://client.example/cb"]}, "invalid_redirect_uri", "redirect_uris"),
        ({"redirect_uris": []}, "invalid_redirect_uri", "redirect_uris"),
        ({"redirect_uris": [NATIVE], "scope": "admin"}, "invalid_client_metadata", "scope"),
        ({"redirect_uris": [NATIVE], "grant_types": ["client_credentials"]}, "invalid_client_metadata", "grant_types"),
    ],
)
async def test_dynamic_registration_refuses_what_it_cannot_serve(
    app: FastAPI, metadata: dict[str, object], error: str, words: str
) -> None:
    async with api_client(app) as plain:
        answer = await plain.post("/oauth/register/", json=metadata)
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"] == error
    assert words in answer.json().get("error_description", ""), answer.json()


async def test_dynamic_registration_can_be_switched_off(app: FastAPI, runtime: Runtime) -> None:
    runtime.settings = runtime.settings.model_copy(update={"oauth_dynamic_registration": False})
    async with api_client(app) as plain:
        answer = await plain.post("/oauth/register/", json={"redirect_uris": [NATIVE]})
        meta = (await plain.get("/.well-known/oauth-authorization-server")).json()
        garbage = await plain.post("/oauth/token/", content=b"\xff\xfe", headers={"content-type": "text/plain"})
    assert answer.status_code == 403 and "NLACTIONS_OAUTH_DYNAMIC_REGISTRATION" in answer.json()["error_description"]
    assert "registration_endpoint" not in meta
    assert garbage.status_code == 400 and garbage.json()["error"] == "unsupported_grant_type"


async def test_a_client_id_metadata_document_client_completes_the_flow(
    app: FastAPI, signed_in: httpx.AsyncClient, documents: DocumentServer
) -> None:
    client_id = documents.url("agent")
    documents.documents["agent"] = {
        "client_id": client_id,
        "client_name": "Loopback MCP Agent",
        "redirect_uris": [NATIVE],
        "token_endpoint_auth_method": "none",
    }
    documents.fetches.clear()
    page = await signed_in.get(
        "/oauth/authorize/?"
        + urlencode(
            {
                "response_type": "code",
                "client_id": client_id,
                "redirect_uri": NATIVE,
                "code_challenge": create_s256_code_challenge("v" * 50),
                "code_challenge_method": "S256",
            }
        )
    )
    assert page.status_code == 200, page.text
    assert "Loopback MCP Agent" in page.text and f"127.0.0.1:{documents.port}" in page.text
    token = await _code_and_token(signed_in, app, client_id, NATIVE)
    assert token.status_code == 200, token.text
    async with api_client(app, headers={"Authorization": f"Bearer {token.json()['access_token']}"}) as api:
        assert (await api.get("/api/v2/auth/check/")).json()["email"] == "ada@acme.test"
    assert documents.fetches["agent"] == 1, "the document is cached between the authorize and token requests"


@pytest.mark.parametrize(
    ("name", "document", "words"),
    [
        ("missing", None, "answered HTTP 404"),
        ("impostor", {"client_id": "https://other.example/client.json", "redirect_uris": [NATIVE]}, "not its own URL"),
        ("noredirect", {"redirect_uris": []}, "redirect_uris"),
        ("secret", {"redirect_uris": [NATIVE], "token_endpoint_auth_method": "client_secret_basic"}, "public"),
    ],
)
async def test_a_bad_metadata_document_is_refused_on_a_page(
    signed_in: httpx.AsyncClient, documents: DocumentServer, name: str, document: dict[str, object] | None, words: str
) -> None:
    client_id = documents.url(name)
    if document is not None:
        documents.documents[name] = {"client_id": client_id, **document}
    challenge = create_s256_code_challenge("v" * 50)
    query = {"response_type": "code", "client_id": client_id, "redirect_uri": NATIVE, "code_challenge": challenge}
    page = await signed_in.get(f"/oauth/authorize/?{urlencode({**query, 'code_challenge_method': 'S256'})}")
    assert page.status_code == 400
    assert words in page.text and client_id in page.text
    assert "location" not in page.headers


async def test_a_metadata_document_on_a_host_not_allow_listed_is_not_fetched(
    signed_in: httpx.AsyncClient, documents: DocumentServer
) -> None:
    client_id = f"http://localhost:{documents.port + 1}/agent.json"
    query = {"response_type": "code", "client_id": client_id, "redirect_uri": NATIVE, "code_challenge_method": "S256"}
    page = await signed_in.get(f"/oauth/authorize/?{urlencode({**query, 'code_challenge': 'c' * 43})}")
    assert page.status_code == 400
    assert "could not be fetched" in page.text


async def test_dynamic_registrations_are_limited_per_address(app: FastAPI) -> None:
    app.state.rate_limits = type(app.state.rate_limits).from_settings(
        app.state.runtime.settings.model_copy(update={"rate_limit_oauth_register": "2/hour"})
    )
    async with api_client(app) as plain:
        answers = [await plain.post("/oauth/register/", json={"redirect_uris": [NATIVE]}) for _ in range(3)]
    assert [a.status_code for a in answers] == [201, 201, 429]
    assert answers[-1].json()["error"] == "temporarily_unavailable"
    assert "(2 per hour allowed)" in answers[-1].json()["error_description"]
    assert int(answers[-1].headers["retry-after"]) > 0
