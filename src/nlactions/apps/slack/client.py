"""Calling Slack's Web API with ``ctx.http`` (SSRF-guarded, DNS-pinned); slack_sdk checks the answers.

Slack's Python SDK sends its requests through aiohttp (or urllib), around this server's guarded httpx
client, so the app sends every call itself: a form-encoded ``POST {api_base_url}/{method}`` with
``Authorization: Bearer``. slack_sdk's ``SlackResponse`` reads each answer (``ok``, ``error``,
``response_metadata``), and its ``SlackApiError`` carries a refusal to ``errors.slack_error``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import httpx
from slack_sdk.errors import SlackApiError
from slack_sdk.web.slack_response import SlackResponse

from nlactions.catalog import AppError, AuthExpired, ServiceContext, UpstreamError, bearer_auth, read_base_url

DEFAULT_API_BASE_URL = "https://slack.com/api"
PAGE_SIZE = 200
Token = Literal["bot", "user"]


def api_base(ctx: ServiceContext) -> str:
    """The Web API root of this connection: ``api_base_url`` when set, else https://slack.com/api."""
    return read_base_url(ctx.credentials, DEFAULT_API_BASE_URL)


def user_token(ctx: ServiceContext, why: str) -> str:
    """The connection's user token (``xoxp-…``); an AppError saying ``why`` it is needed when there is none."""
    token = (ctx.credentials.get("user_token") or "").strip()
    if not token:
        raise AppError(
            f"{why} needs a Slack user token (xoxp-…), and this authentication holds only a bot token.",
            hint="Add the user scopes (search:read, users.profile:write) to the Slack app, reinstall it, and "
            "reconnect the SlackAPI authentication with the User OAuth Token in user_token.",
        )
    return token


def _form(args: Mapping[str, Any]) -> dict[str, str]:
    form: dict[str, str] = {}
    for key, value in args.items():
        if value is None:
            continue
        form[key] = ("true" if value else "false") if isinstance(value, bool) else str(value)
    return form


def _response(url: str, args: Mapping[str, Any], response: httpx.Response) -> SlackResponse:
    try:
        data = response.json()
    except ValueError:
        data = None
    if not isinstance(data, dict) and response.status_code == 429:
        data = {"ok": False, "error": "ratelimited"}
    if not isinstance(data, dict):
        raise UpstreamError(
            f"{response.url.host} answered {response.status_code} with a body that is not a JSON object, "
            "so it is not Slack's Web API.",
            hint="Check api_base_url: leave it empty for https://slack.com/api.",
            status_code=response.status_code,
        )
    return SlackResponse(
        client=None,
        http_verb="POST",
        api_url=url,
        req_args=dict(args),
        data=data,
        headers=dict(response.headers),
        status_code=response.status_code,
    )


async def send(ctx: ServiceContext, method: str, args: Mapping[str, Any], *, token: Token = "bot") -> SlackResponse:
    """POST one Web API method; raise slack_sdk's SlackApiError for ``ok: false`` (or HTTP 429)."""
    url = f"{api_base(ctx)}/{method}"
    auth = bearer_auth(user_token(ctx, f"Slack's {method}")) if token == "user" else httpx.USE_CLIENT_DEFAULT
    response = await ctx.http.post(url, data=_form(args), auth=auth)
    if response.status_code >= 500:
        raise UpstreamError(
            f"Slack answered {response.status_code} to {method}; try again later.", status_code=response.status_code
        )
    answer = _response(url, args, response)
    answer.validate()
    return answer


async def call(
    ctx: ServiceContext,
    method: str,
    args: Mapping[str, Any],
    *,
    token: Token = "bot",
    channel: str | None = None,
) -> dict[str, Any]:
    """One Web API call's JSON body; a refusal becomes the catalog error that says how to fix it."""
    from nlactions.apps.slack.errors import slack_error

    try:
        answer = await send(ctx, method, args, token=token)
    except SlackApiError as exc:
        error = await slack_error(ctx, method, exc.response, channel=channel)
        if isinstance(error, AuthExpired) and token == "user":
            error.token = "user"  # the user token was refused: refresh that one
        raise error from None
    data: dict[str, Any] = answer.data if isinstance(answer.data, dict) else {}
    return data


def next_cursor(body: Mapping[str, Any]) -> str | None:
    """``response_metadata.next_cursor``, or None on the last page (Slack sends an empty string there)."""
    meta = body.get("response_metadata")
    cursor = meta.get("next_cursor") if isinstance(meta, dict) else None
    return cursor if isinstance(cursor, str) and cursor else None


def obj(value: Any) -> dict[str, Any]:
    """``value`` when it is a JSON object, else an empty one."""
    return value if isinstance(value, dict) else {}


def items(body: Mapping[str, Any], key: str) -> list[dict[str, Any]]:
    """The dict items of the list at ``body[key]``."""
    value = body.get(key)
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []
