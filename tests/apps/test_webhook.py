"""The Webhooks app against a real echo server on 127.0.0.1 (the only address the guard allows here)."""

from __future__ import annotations

import importlib
import json
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import quote

import pytest

from helpers.echo_server import EchoServer
from nlactions.apps.webhook import app
from nlactions.catalog import Action, ActionContext, AppError, InvalidInput, UpstreamError
from nlactions.catalog.testing import check_app
from nlactions.kit.http import make_client
from nlactions.kit.ssrf import SSRFGuard


@pytest.fixture(scope="module")
def echo() -> Iterator[EchoServer]:
    """One echo server on 127.0.0.1 for the module."""
    with EchoServer() as server:
        yield server


@pytest.fixture
async def ctx() -> AsyncIterator[ActionContext]:
    """An action context whose client may reach 127.0.0.1 and public addresses only."""
    async with make_client(guard=SSRFGuard(["127.0.0.1:*"]), timeout=5) as http:
        yield ActionContext(http=http)


async def run(ctx: ActionContext, key: str, **params: Any) -> list[dict[str, Any]]:
    """Validate ``params`` with the action's input model and perform it."""
    action: Action | None = app.action(key)
    assert action is not None
    result: list[dict[str, Any]] = await action.perform(ctx, action.input.model_validate(params))
    return result


def respond(echo: EchoServer, body: str, content_type: str = "application/json", status: int = 200) -> str:
    """A URL on the echo server that answers exactly ``body``."""
    return echo.url(f"/respond?status={status}&type={quote(content_type)}&body={quote(body)}")


def test_conformance() -> None:
    check_app(app)


def test_registry_target_and_shape() -> None:
    loaded = importlib.import_module("nlactions.apps.webhook").app
    assert loaded is app
    assert app.key == "WebhookAPI"
    assert not app.needs_auth
    assert {a.key: a.type for a in app.actions} == {"get": "search", "post": "write", "put": "write"}
    post = app.action("post")
    assert post is not None
    needs = post.needs_by_key
    assert needs["url"].required and needs["url"].label == "URL"
    assert [c.key for c in needs["payload_type"].choices or ()] == ["json", "form", "raw"]
    assert needs["payload_type"].default == "json"
    get = app.action("get")
    assert get is not None
    assert get.needs_by_key["query"].label == "Query String Params"


async def test_get_sends_query_and_headers(ctx: ActionContext, echo: EchoServer) -> None:
    [result] = await run(
        ctx,
        "get",
        url=echo.url("/items?existing=1"),
        query={"q": "hello world", "limit": 5, "flag": True},
        headers={"X-Trace": "abc"},
    )
    assert result["method"] == "GET"
    assert result["path"] == "/items"
    assert result["query"] == {"existing": "1", "q": "hello world", "limit": "5", "flag": "true"}
    assert result["headers"]["x-trace"] == "abc"
    assert result["body"] == ""
    assert result["status_code"] == 200
    assert result["content_type"] == "application/json"


async def test_get_json_array_gives_one_result_per_object(ctx: ActionContext, echo: EchoServer) -> None:
    url = respond(echo, json.dumps([{"id": 1, "name": "a"}, {"id": 2, "name": "b", "nested": {"x": 1}}]))
    results = await run(ctx, "get", url=url)
    assert [r["id"] for r in results] == [1, 2]
    assert results[1]["nested"] == {"x": 1}
    assert all(r["status_code"] == 200 for r in results)


async def test_get_empty_array_is_no_result(ctx: ActionContext, echo: EchoServer) -> None:
    assert await run(ctx, "get", url=respond(echo, "[]")) == []


async def test_post_empty_array_still_reports_the_write(ctx: ActionContext, echo: EchoServer) -> None:
    assert await run(ctx, "post", url=respond(echo, "[]"), data={"a": 1}) == [
        {"status_code": 200, "content_type": "application/json"}
    ]


async def test_text_body_is_returned_as_body(ctx: ActionContext, echo: EchoServer) -> None:
    [result] = await run(ctx, "get", url=respond(echo, "all good", "text/plain; charset=utf-8"))
    assert result == {"status_code": 200, "content_type": "text/plain; charset=utf-8", "body": "all good"}


async def test_empty_and_huge_text_bodies(ctx: ActionContext, echo: EchoServer) -> None:
    [empty] = await run(ctx, "post", url=echo.url("/respond?type=text/plain"), data={"x": "y"})
    assert empty["body"] == ""
    [big] = await run(ctx, "get", url=echo.url("/respond?body=word+&repeat=20000"))
    assert len(big["body"]) < 50_100
    assert big["body"].endswith("(truncated; 100000 characters in all)")


async def test_json_scalar_and_binary_bodies(ctx: ActionContext, echo: EchoServer) -> None:
    [scalar] = await run(ctx, "get", url=respond(echo, '"ok"'))
    assert scalar["body"] == '"ok"'
    [binary] = await run(ctx, "get", url=echo.url("/respond?type=image/png&body=%C3%BF%C3%BE&encoding=latin-1"))
    assert binary["body"] == "(2 bytes of image/png, not shown)"


async def test_body_keys_win_over_response_fields(ctx: ActionContext, echo: EchoServer) -> None:
    [result] = await run(ctx, "get", url=respond(echo, '{"status_code": "queued", "id": 7}'))
    assert result == {"status_code": "queued", "id": 7, "content_type": "application/json"}


async def test_post_json(ctx: ActionContext, echo: EchoServer) -> None:
    data = {"name": "Ada", "tags": ["x", "y"], "meta": {"n": 1}}
    [result] = await run(ctx, "post", url=echo.url("/hook"), data=data)
    assert result["method"] == "POST"
    assert result["json"] == data
    assert result["headers"]["content-type"] == "application/json"


async def test_post_json_text_is_sent_unchanged(ctx: ActionContext, echo: EchoServer) -> None:
    [result] = await run(ctx, "post", url=echo.url("/hook"), data='{"a": [1, 2]}')
    assert result["body"] == '{"a": [1, 2]}'
    assert result["headers"]["content-type"] == "application/json"


async def test_post_invalid_json_text_names_the_need(ctx: ActionContext, echo: EchoServer) -> None:
    with pytest.raises(InvalidInput) as caught:
        await run(ctx, "post", url=echo.url("/hook"), data="not json")
    assert caught.value.need == "data"
    assert "raw" in (caught.value.hint or "")


async def test_post_form(ctx: ActionContext, echo: EchoServer) -> None:
    [result] = await run(
        ctx, "post", url=echo.url("/form"), payload_type="form", data={"a": 1, "b": "two words", "c": False}
    )
    assert result["body"] == "a=1&b=two+words&c=false"
    assert result["headers"]["content-type"] == "application/x-www-form-urlencoded"


async def test_put_raw_with_custom_content_type(ctx: ActionContext, echo: EchoServer) -> None:
    [result] = await run(
        ctx,
        "put",
        url=echo.url("/raw"),
        payload_type="raw",
        data="id,name\n1,Ada\n",
        headers={"Content-Type": "text/csv", "X-Api-Key": "k1"},
    )
    assert result["method"] == "PUT"
    assert result["body"] == "id,name\n1,Ada\n"
    assert result["headers"]["content-type"] == "text/csv"
    assert result["headers"]["x-api-key"] == "k1"


async def test_put_json_with_header_overriding_content_type(ctx: ActionContext, echo: EchoServer) -> None:
    [result] = await run(
        ctx, "put", url=echo.url("/j"), data={"a": 1}, headers={"content-type": "application/vnd.api+json"}
    )
    assert result["json"] == {"a": 1}
    assert result["headers"]["content-type"] == "application/vnd.api+json"


async def test_error_status_raises_upstream_error(ctx: ActionContext, echo: EchoServer) -> None:
    with pytest.raises(UpstreamError) as caught:
        await run(ctx, "post", url=echo.url("/status/500"), data={"a": 1})
    error = caught.value
    assert error.status_code == 500
    assert "500" in error.message
    assert "status 500 from the echo server" in error.message
    assert error.hint and "try again later" in error.hint


async def test_a_429_with_retry_after_is_a_retryable_upstream_error(ctx: ActionContext, echo: EchoServer) -> None:
    with pytest.raises(UpstreamError) as caught:
        await run(ctx, "get", url=echo.url("/respond?status=429&body=slow&retry_after=30"))
    error = caught.value
    assert (error.status_code, error.retry_after, error.retryable) == (429, 30.0, True)
    with pytest.raises(UpstreamError) as not_found:
        await run(ctx, "get", url=echo.url("/status/404"))
    assert (not_found.value.retry_after, not_found.value.retryable) == (None, False)


async def test_not_found_hint(ctx: ActionContext, echo: EchoServer) -> None:
    with pytest.raises(UpstreamError) as caught:
        await run(ctx, "get", url=echo.url("/status/404"))
    assert caught.value.status_code == 404
    assert "check it" in (caught.value.hint or "")


async def test_redirect_to_a_blocked_address_is_refused(ctx: ActionContext, echo: EchoServer) -> None:
    url = echo.url("/redirect?to=" + quote("http://169.254.169.254/latest/meta-data/"))
    with pytest.raises(AppError) as caught:
        await run(ctx, "get", url=url)
    assert caught.value.message == (
        "Refused to connect to 169.254.169.254 (link-local address). Add it to NLACTIONS_SSRF_ALLOW to allow it."
    )
    assert not isinstance(caught.value, UpstreamError)


async def test_private_url_is_refused(ctx: ActionContext) -> None:
    with pytest.raises(AppError, match=r"Refused to connect to 10\.0\.0\.5 \(private address\)"):
        await run(ctx, "post", url="http://10.0.0.5/hook", data={"a": 1})


@pytest.mark.parametrize("url", ["not a url", "ftp://example.com/x", "/relative/path", "http://"])
async def test_bad_url_names_the_need(ctx: ActionContext, url: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        await run(ctx, "get", url=url)
    assert caught.value.need == "url"


@pytest.mark.parametrize("headers", [{"Content-Length": "5"}, {"X-Bad": "line\r\nInjected: 1"}, {"X-Accent": "café"}])
async def test_bad_headers_name_the_need(ctx: ActionContext, echo: EchoServer, headers: dict[str, str]) -> None:
    with pytest.raises(InvalidInput) as caught:
        await run(ctx, "post", url=echo.url("/h"), data={"a": 1}, headers=headers)
    assert caught.value.need == "headers"


async def test_connection_failure_is_an_upstream_error(ctx: ActionContext, echo: EchoServer) -> None:
    with pytest.raises(UpstreamError, match=r"Request to 127\.0\.0\.1 failed"):
        await run(ctx, "get", url="http://127.0.0.1:1/")
