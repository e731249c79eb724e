"""Whatever reaches the OAuth endpoints, the answer is an OAuth error (or a page), never a 5xx or a trace."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from helpers.oauth import BASE

CASES: list[tuple[str, str, dict[str, Any], str]] = [
    ("POST", "/oauth/token/", {"data": {}}, "unsupported_grant_type"),
    ("POST", "/oauth/token/", {"data": {"grant_type": "authorization_code"}}, "invalid_client"),
    ("POST", "/oauth/token/", {"data": {"grant_type": "authorization_code", "client_id": "nlc_x"}}, "invalid_client"),
    ("POST", "/oauth/token/", {"data": {"grant_type": "client_credentials"}}, "unsupported_grant_type"),
    ("POST", "/oauth/token/", {"json": {"grant_type": "refresh_token"}}, "unsupported_grant_type"),
    ("POST", "/oauth/token/", {"content": b"\x00\xff" * 8, "headers": {"content-type": "text/plain"}}, "unsupported"),
    (
        "POST",
        "/oauth/token/",
        {"data": {"grant_type": "refresh_token"}, "headers": {"Authorization": "Basic !!"}},
        "cl",
    ),
    ("POST", "/oauth/revoke/", {"data": {"token": "x", "client_id": "nlc_x"}}, "invalid_client"),
    ("POST", "/oauth/register/", {"content": b"[1]"}, "invalid_client_metadata"),
    ("POST", "/oauth/register/", {"json": {}}, "invalid_redirect_uri"),
    ("POST", "/oauth/register/", {"json": {"redirect_uris": [1]}}, "invalid_redirect_uri"),
    ("POST", "/oauth/register/", {"json": {"redirect_uris": ["https://x.example/cb"], "client_uri": 5}}, "metadata"),
    ("POST", "/oauth/register/", {"json": {"redirect_uris": ["https://x.example/cb"], "contacts": "a"}}, "metadata"),
]


@pytest.mark.parametrize(("method", "path", "request_args", "error"), CASES)
async def test_bad_oauth_requests_get_oauth_errors(
    app: FastAPI, method: str, path: str, request_args: dict[str, Any], error: str
) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as plain:
        answer = await plain.request(method, path, **request_args)
    assert 400 <= answer.status_code < 500, answer.text
    body = answer.json()
    assert error in body["error"], body
    assert body["error_description"], body
    assert "Traceback" not in answer.text
    assert answer.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("path", ["/oauth/token/", "/oauth/revoke/", "/oauth/register/"])
async def test_plain_http_off_loopback_is_refused(app: FastAPI, path: str) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://nlactions.test") as plain:
        answer = await plain.post(path, json={"redirect_uris": ["https://x.example/cb"]})
    assert answer.status_code == 400
    assert answer.json()["error"] == "insecure_transport"
    assert "NLACTIONS_PUBLIC_URL" in answer.json()["error_description"]


@pytest.mark.parametrize(
    "query",
    [
        "",
        "client_id=nlc_x&response_type=token",
        "client_id=a&client_id=b&response_type=code",
        "client_id=https://[::1/x&response_type=code",
        "client_id=" + "x" * 5000 + "&response_type=code",
    ],
)
async def test_bad_authorize_requests_get_a_page(app: FastAPI, query: str) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as browser:
        answer = await browser.get(f"/oauth/authorize/?{query}")
    assert answer.status_code == 400
    assert "text/html" in answer.headers["content-type"]
    assert "default-src 'none'" in answer.headers["content-security-policy"]
