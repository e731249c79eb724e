"""What the webhook actions share: the output model, sending a request and shaping its response."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Literal

import httpx

from nlactions.catalog import (
    ActionContext,
    AppError,
    Gives,
    InvalidInput,
    UpstreamError,
    give,
    need,
    retry_after_seconds,
)
from nlactions.kit.http import ResponseTooLarge
from nlactions.kit.ssrf import BlockedDestination

PayloadType = Literal["json", "form", "raw"]

BODY_TEXT_LIMIT = 50_000
ERROR_EXCERPT_CHARS = 200
RESERVED_HEADERS = frozenset({"content-length", "transfer-encoding", "connection"})
_TEXTUAL = ("text/", "json", "xml", "javascript", "x-www-form-urlencoded")


class Response(Gives):
    """The response: the JSON body's own keys, or the text as ``body``, plus status and content type."""

    status_code: int = give(label="Status Code", important=True)
    content_type: str = give("", label="Content Type")
    body: str | None = give(label="Body")


SAMPLE: Mapping[str, Any] = {
    "status_code": 200,
    "content_type": "application/json",
    "id": "42",
    "status": "received",
}


def url_need() -> Any:
    """The URL need every webhook action has."""
    return need(
        label="URL",
        help_text="The full http:// or https:// URL to call; it may carry its own token.",
        examples=["https://hooks.example.com/catch/123/abc"],
    )


def headers_need() -> Any:
    """The optional request headers need."""
    return need(None, label="Headers", help_text="Extra request headers, as name: value pairs.")


def payload_type_need() -> Any:
    """How ``data`` is encoded: JSON, a form or raw text."""
    return need(
        "json",
        label="Payload Type",
        help_text="json sends Data as a JSON object; form as a urlencoded form; raw sends it unchanged "
        "(set Content-Type in Headers).",
        choices=[("json", "JSON"), ("form", "Form"), ("raw", "Raw")],
    )


def data_need() -> Any:
    """The request body: key/value pairs (a JSON object) or text."""
    return need(
        None,
        label="Data",
        help_text="Key/value pairs to send (a JSON object), or text for the raw payload type.",
    )


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)


def request_headers(headers: Mapping[str, Any] | None) -> dict[str, str]:
    """The caller's headers as strings; headers nlactions computes itself are refused."""
    out = {str(name).strip(): _text(value) for name, value in (headers or {}).items()}
    for name, value in out.items():
        if not name or not (name + value).isascii() or "\n" in name + value or "\r" in name + value:
            raise InvalidInput(
                "headers",
                f"Header {name!r} is not valid: names and values must be single-line ASCII text.",
            )
    reserved = sorted(name for name in out if name.lower() in RESERVED_HEADERS)
    if reserved:
        raise InvalidInput(
            "headers",
            f"Headers may not set {', '.join(reserved)}; nlactions computes them.",
            hint="Remove them from Headers.",
        )
    return out


def body_arguments(payload_type: PayloadType, data: dict[str, Any] | str | None) -> dict[str, Any]:
    """The ``httpx`` keyword arguments that send ``data`` encoded as ``payload_type``."""
    if data is None:
        return {}
    if payload_type == "raw":
        return {"content": data if isinstance(data, str) else json.dumps(data)}
    if payload_type == "form":
        if isinstance(data, str):
            return {"content": data, "headers": {"Content-Type": "application/x-www-form-urlencoded"}}
        return {"data": {key: _text(value) for key, value in data.items()}}
    if isinstance(data, str):
        try:
            json.loads(data)
        except ValueError:
            raise InvalidInput(
                "data",
                "Data is not valid JSON.",
                hint="Give key/value pairs, valid JSON text, or use the raw payload type to send text.",
            ) from None
        return {"content": data, "headers": {"Content-Type": "application/json"}}
    return {"json": data}


def check_url(url: str) -> httpx.URL:
    """Parse the URL need; it must be absolute http(s)."""
    try:
        parsed = httpx.URL(url.strip())
    except httpx.InvalidURL as exc:
        raise InvalidInput("url", f"URL is not valid: {exc}.") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise InvalidInput(
            "url",
            f"URL {url!r} is not an absolute http:// or https:// URL.",
            hint="Give the full URL, starting with https://.",
        )
    return parsed


async def send(
    ctx: ActionContext,
    method: str,
    url: str,
    *,
    headers: Mapping[str, Any] | None = None,
    params: Mapping[str, Any] | None = None,
    body: Mapping[str, Any] | None = None,
) -> httpx.Response:
    """Send one request with ``ctx.http``; map refusals and network failures to app errors.

    ``body`` is what ``body_arguments`` returned; the caller's ``headers`` win over its defaults.
    """
    target = check_url(url)
    body = dict(body or {})
    merged = httpx.Headers(body.pop("headers", None))
    merged.update(request_headers(headers))
    if params:
        target = target.copy_merge_params({str(key): _text(value) for key, value in params.items()})
    try:
        response = await ctx.http.request(method, target, headers=merged, **body)
    except BlockedDestination as exc:
        raise AppError(
            exc.message,
            hint="Use a public URL; the server's administrator can allow a private host or address "
            "with NLACTIONS_SSRF_ALLOW.",
        ) from None
    except ResponseTooLarge as exc:
        raise UpstreamError(str(exc), hint="Ask the server for a smaller response.") from None
    except httpx.TooManyRedirects:
        raise UpstreamError(f"{target.host} redirected too many times.", hint="Check the URL.") from None
    except httpx.TimeoutException:
        raise UpstreamError(
            f"{target.host} did not answer in time.", hint="Try again later, or check the URL."
        ) from None
    except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
        raise InvalidInput("url", f"Cannot send a request to this URL: {exc}.") from None
    except httpx.LocalProtocolError as exc:
        raise InvalidInput("headers", f"Cannot send this request: {exc}.") from None
    except httpx.RequestError as exc:
        raise UpstreamError(f"Request to {target.host} failed: {exc}", hint="Check the URL.") from None
    if not response.is_success:
        raise _status_error(response)
    return response


def _hint(status: int) -> str:
    if status in (401, 403):
        return "The server refused the request; check the token in the URL or the Authorization header."
    if status == 404:
        return "Nothing is at that URL; check it."
    if status in (405, 501):
        return "The server does not accept this method at that URL; try another one (GET, POST, PUT)."
    if status == 429:
        return "The server is rate limiting; wait and try again."
    if status >= 500:
        return "The server failed; try again later."
    return "Check the URL, Data and Headers."


def _status_error(response: httpx.Response) -> UpstreamError:
    excerpt = " ".join(_body_text(response).split())
    if len(excerpt) > ERROR_EXCERPT_CHARS:
        excerpt = excerpt[:ERROR_EXCERPT_CHARS] + "…"
    phrase = f" {response.reason_phrase}" if response.reason_phrase else ""
    message = f"{response.url.host} answered {response.status_code}{phrase}"
    return UpstreamError(
        message + (f": {excerpt}" if excerpt else "."),
        hint=_hint(response.status_code),
        status_code=response.status_code,
        retry_after=retry_after_seconds(response.headers.get("retry-after")),
    )


def _content_type(response: httpx.Response) -> str:
    return response.headers.get("content-type", "")


def _body_text(response: httpx.Response) -> str:
    """The body as text, cut to ``BODY_TEXT_LIMIT`` characters; binary bodies are only described."""
    ctype = _content_type(response).lower()
    if ctype and not any(marker in ctype for marker in _TEXTUAL):
        try:
            text = response.content.decode("utf-8")
        except UnicodeDecodeError:
            return f"({len(response.content)} bytes of {ctype.split(';')[0]}, not shown)"
    else:
        text = response.text
    if len(text) > BODY_TEXT_LIMIT:
        return text[:BODY_TEXT_LIMIT] + f"… (truncated; {len(text)} characters in all)"
    return text


def _parse_json(response: httpx.Response) -> tuple[bool, Any]:
    """(True, value) when the body is JSON, else (False, None)."""
    text = response.text.strip()
    if not text or ("json" not in _content_type(response).lower() and text[0] not in "[{"):
        return False, None
    try:
        return True, json.loads(text)
    except ValueError:
        return False, None


def results(response: httpx.Response, *, empty_is_none: bool) -> list[dict[str, Any]]:
    """The response as results: a JSON object's keys, one result per object of a JSON array, or text."""
    meta = {"status_code": response.status_code, "content_type": _content_type(response)}
    is_json, value = _parse_json(response)
    if is_json and isinstance(value, dict):
        return [{**value, **{k: v for k, v in meta.items() if k not in value}}]
    if is_json and isinstance(value, list) and all(isinstance(item, dict) for item in value):
        if not value:
            return [] if empty_is_none else [meta]
        return [{**item, **{k: v for k, v in meta.items() if k not in item}} for item in value]
    return [{**meta, "body": _body_text(response)}]
