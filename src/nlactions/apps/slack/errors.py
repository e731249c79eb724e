"""Slack's ``ok: false`` answers as messages an agent can act on (auth, scopes, channels, rate limits)."""

from __future__ import annotations

from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.slack_response import SlackResponse

from nlactions.apps.slack.client import PAGE_SIZE, items, next_cursor, send
from nlactions.catalog import (
    AppError,
    AuthExpired,
    Choice,
    ServiceContext,
    UpstreamError,
    closest_choices,
    named_choices,
    retry_after_seconds,
)
from nlactions.catalog.http_errors import when_to_retry

SERVICE = "Slack"
DEFAULT_RATE_LIMIT_WAIT = 60.0
SUGGEST_PAGES = 5
EXPIRED = {"invalid_auth", "token_revoked", "account_inactive", "not_authed", "token_expired", "no_permission"}
RECONNECT = (
    "Reconnect the SlackAPI authentication with a current token: the Bot User OAuth Token (xoxb-…) under "
    "OAuth & Permissions of the Slack app (reinstall the app to the workspace if it was removed)."
)
_SAID = {
    "invalid_auth": "the token is not valid",
    "token_revoked": "the token was revoked",
    "account_inactive": "the token's user or app was deactivated",
    "not_authed": "no token was sent",
    "token_expired": "the token expired",
    "no_permission": "the token may not use this workspace",
}


def _data(response: SlackResponse) -> dict[str, Any]:
    return response.data if isinstance(response.data, dict) else {}


async def _channels(ctx: ServiceContext) -> list[Choice]:
    """The first pages of the channels the bot can see, for "did you mean" (empty when listing fails)."""
    found: list[Choice] = []
    cursor: str | None = None
    for _ in range(SUGGEST_PAGES):
        args = {"types": "public_channel,private_channel", "exclude_archived": True, "limit": PAGE_SIZE}
        try:
            body = _data(await send(ctx, "conversations.list", {**args, "cursor": cursor}))
        except (SlackApiError, AppError):
            return found
        found.extend(Choice(str(c["id"]), f"#{c.get('name', '')}") for c in items(body, "channels") if "id" in c)
        cursor = next_cursor(body)
        if cursor is None:
            break
    return found


async def _bot_name(ctx: ServiceContext) -> str:
    try:
        body = _data(await send(ctx, "auth.test", {}))
    except (SlackApiError, AppError):
        return "your-bot"
    return str(body.get("user") or "your-bot")


def rate_limited(method: str, response: SlackResponse) -> UpstreamError:
    """HTTP 429 / ``ratelimited``: an UpstreamError with Slack's ``Retry-After``, saying when to retry."""
    headers = {str(k).lower(): v for k, v in (response.headers or {}).items()}
    raw = headers.get("retry-after")
    delay = retry_after_seconds(raw if isinstance(raw, str) else None)
    return UpstreamError(
        f"Slack is rate limiting {method} (HTTP {response.status_code}, ratelimited); {when_to_retry(delay)}.",
        hint="Do not retry before then: Slack limits each method per workspace and app.",
        status_code=response.status_code,
        retry_after=delay if delay is not None else DEFAULT_RATE_LIMIT_WAIT,
        retryable=True,
    )


async def slack_error(
    ctx: ServiceContext, method: str, response: SlackResponse, *, channel: str | None = None
) -> AppError:
    """The catalog error for one of Slack's refusals of ``method``."""
    body = _data(response)
    code = str(body.get("error") or f"HTTP {response.status_code}")
    if response.status_code == 429 or code == "ratelimited":
        return rate_limited(method, response)
    if code in EXPIRED:
        return AuthExpired(f"Slack refused {method}: {code} ({_SAID[code]}).", hint=RECONNECT)
    if code == "missing_scope":
        needed = str(body.get("needed") or "a scope")
        provided = str(body.get("provided") or "none")
        return UpstreamError(
            f"Slack refused {method}: missing_scope — the token lacks the `{needed}` scope (it has: {provided}).",
            hint=f"Add `{needed}` under OAuth & Permissions of the Slack app (a user scope for user-token methods), "
            "reinstall the app to the workspace and reconnect the authentication with the new token.",
        )
    if code == "not_allowed_token_type":
        return AppError(
            f"Slack refused {method}: not_allowed_token_type — it takes a user token (xoxp-…), not a bot token.",
            hint="Reconnect the SlackAPI authentication with the User OAuth Token in user_token.",
        )
    if code == "channel_not_found":
        near = closest_choices(channel or "", await _channels(ctx)) if channel else []
        also = f" Closest channels the bot can see: {named_choices(near)}." if near else ""
        return AppError(
            f"Slack refused {method}: channel_not_found — no channel {channel!r} that this token can see.{also}",
            hint="Give a channel id from the channel choices; for a private channel, invite the bot to it first.",
        )
    if code == "not_in_channel":
        name = await _bot_name(ctx)
        return AppError(
            f"Slack refused {method}: not_in_channel — the bot is not a member of channel {channel!r}.",
            hint=f"Invite the bot: type `/invite @{name}` in the channel, then try again.",
        )
    if code == "is_archived":
        return AppError(f"Slack refused {method}: is_archived — channel {channel!r} is archived.")
    if code in ("users_not_found", "user_not_found"):
        return AppError(f"Slack refused {method}: {code} — no such user in the workspace.")
    if code == "already_reacted":
        return AppError(f"Slack refused {method}: already_reacted — that reaction is already on the message.")
    if code == "message_not_found":
        return AppError(
            f"Slack refused {method}: message_not_found — no message with that timestamp in the channel.",
            hint="Give the message's ts (e.g. 1712345678.000100) and the channel it was posted in.",
        )
    return UpstreamError(f"Slack refused {method}: {code}.", hint="See Slack's documentation of the method's errors.")
