"""The catalog's HTTP helpers apps share: the api_base_url field, error mapping, Link pagination."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest

from nlactions.catalog import (
    ApiKeyAuth,
    AppError,
    AuthExpired,
    AuthField,
    UpstreamError,
    base_url_field,
    cursor_params,
    error_message,
    is_rate_limited,
    link_cursor,
    read_base_url,
    retry_delay,
    status_error,
)

NOW = dt.datetime(2026, 3, 1, 12, 0, 0, tzinfo=dt.UTC)
DEFAULT = "https://api.example.com"


def answer(status: int, headers: dict[str, str] | None = None, json: object = None, text: str = "") -> httpx.Response:
    request = httpx.Request("GET", "https://api.example.com/things")
    if json is not None:
        return httpx.Response(status, headers=headers, json=json, request=request)
    return httpx.Response(status, headers=headers, text=text, request=request)


def test_base_url_field_is_optional_and_not_secret() -> None:
    field = base_url_field(DEFAULT, help_text="For a self-hosted server, https://HOST/api.")
    assert (field.key, field.secret, field.required) == ("api_base_url", False, False)
    assert field.help_text == f"For a self-hosted server, https://HOST/api. Leave empty for {DEFAULT}."
    assert field.as_dict()["type"] == "string"


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        ({}, DEFAULT),
        ({"api_base_url": ""}, DEFAULT),
        ({"api_base_url": "  https://ghe.corp.test/api/v3/ "}, "https://ghe.corp.test/api/v3"),
        ({"api_base_url": "http://127.0.0.1:8080"}, "http://127.0.0.1:8080"),
    ],
)
def test_read_base_url(stored: dict[str, str], expected: str) -> None:
    assert read_base_url(stored, DEFAULT + "/") == expected


@pytest.mark.parametrize(
    "bad", ["ftp://x.test", "x.test/api", "https://x.test/api?a=1", "https://x.test/#f", "http://"]
)
def test_a_bad_base_url_is_refused_naming_the_field(bad: str) -> None:
    with pytest.raises(AppError) as caught:
        read_base_url({"api_base_url": bad}, DEFAULT)
    assert caught.value.message.startswith("api_base_url: ")
    assert DEFAULT in (caught.value.hint or "")


def test_a_non_secret_field_leaves_the_header_template_alone() -> None:
    auth = ApiKeyAuth(fields=(AuthField("token", "Token"), base_url_field(DEFAULT)), template="token {token}")
    flow = auth.httpx_auth({"token": "t{0}k", "api_base_url": "https://{x}.test"})
    assert flow is not None
    sent = next(flow.auth_flow(httpx.Request("GET", DEFAULT)))
    assert sent.headers["authorization"] == "token t{0}k"


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after": "30"}, 30.0),
        ({"retry-after": "Sun, 01 Mar 2026 12:02:00 GMT"}, 120.0),
        ({"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(NOW.timestamp()) + 600)}, 600.0),
        ({"ratelimit-remaining": "0", "ratelimit-reset": "45"}, 45.0),
        ({"x-ratelimit-remaining": "12", "x-ratelimit-reset": str(int(NOW.timestamp()) + 600)}, None),
        ({}, None),
    ],
)
def test_retry_delay(headers: dict[str, str], expected: float | None) -> None:
    assert retry_delay(answer(429, headers), NOW) == expected


def test_status_error_maps_401_rate_limits_and_failures() -> None:
    expired = status_error(answer(401, json={"message": "Bad credentials"}), service="Acme")
    assert isinstance(expired, AuthExpired)
    assert expired.message == "Acme answered 401 Unauthorized: Bad credentials."
    limited = status_error(answer(429, {"retry-after": "90"}, json={"message": "slow down"}), service="Acme", now=NOW)
    assert isinstance(limited, UpstreamError) and limited.status_code == 429
    assert limited.message == (
        "Acme is rate limiting these requests (429: slow down); retry after 2026-03-01 12:01:30 UTC (in 90 s)."
    )
    spent = status_error(answer(403, {"x-ratelimit-remaining": "0"}, text="limit"), service="Acme", now=NOW)
    assert "wait at least a minute" in spent.message
    forbidden = status_error(answer(403, json={"error": "no access"}), service="Acme", hint="Check the scopes.")
    assert forbidden.message == "Acme answered 403 Forbidden: no access." and forbidden.hint == "Check the scopes."
    failed = status_error(answer(502, text="<html>bad gateway</html>"), service="Acme")
    assert failed.hint == "The service failed; try again later."


def test_link_cursor_follows_rel_next_and_keeps_only_the_query() -> None:
    link = (
        '<https://elsewhere.test/user/repos?per_page=100&page=2>; rel="next", '
        '<https://elsewhere.test/user/repos?per_page=100&page=3>; rel="last"'
    )
    cursor = link_cursor(answer(200, {"link": link}, json=[]))
    assert cursor == "per_page=100&page=2"
    assert dict(cursor_params(cursor)) == {"per_page": "100", "page": "2"}
    assert link_cursor(answer(200, {"link": '<https://x.test/r?page=1>; rel="first"'}, json=[])) is None
    assert link_cursor(answer(200, json=[])) is None
    assert dict(cursor_params(None)) == {}


def test_a_next_link_without_a_query_is_not_dropped_silently() -> None:
    with pytest.raises(UpstreamError, match="carries no query parameters"):
        link_cursor(answer(200, {"link": '<https://x.test/page/2>; rel="next"'}, json=[]))


def test_is_rate_limited_and_error_message() -> None:
    assert is_rate_limited(answer(429))
    assert is_rate_limited(answer(403, {"retry-after": "5"}))
    assert is_rate_limited(answer(403, {"x-ratelimit-remaining": "0"}))
    assert not is_rate_limited(answer(403, {"x-ratelimit-remaining": "10"}))
    assert error_message(answer(400, json={"message": "  Bad\n  thing "})) == "Bad thing"
    assert error_message(answer(400, text="x" * 300)).endswith("…")
