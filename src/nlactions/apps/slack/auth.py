"""Slack's OAuth 2 (v2) install: a bot token, optionally a user token; ``auth.test`` checks them.

Connect with the server's OAuth flow (``oauth.v2.access``'s answer maps onto the fields in ``tokens``), or
paste the Bot User OAuth Token (and the User OAuth Token). With token rotation on, the bot's refresh token
is kept and refreshed, and so are the user token's (``user_refresh_token``).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from nlactions.apps.slack.client import DEFAULT_API_BASE_URL, call
from nlactions.catalog import (
    ActionContext,
    AppError,
    AuthExpired,
    AuthField,
    AuthTestFailed,
    OAuth2Auth,
    SideToken,
    base_url_field,
    standard_token_fields,
)

BOT_SCOPES = (
    "chat:write",
    "chat:write.customize",
    "channels:read",
    "groups:read",
    "im:write",
    "users:read",
    "users:read.email",
    "reactions:write",
)
USER_SCOPES = ("search:read", "users.profile:write", "chat:write")


async def test(ctx: ActionContext) -> str:
    """``auth.test`` with the bot token (and the user token when given); the label is "team / user"."""
    try:
        body = await call(ctx, "auth.test", {})
        if (ctx.credentials.get("user_token") or "").strip():
            try:
                await call(ctx, "auth.test", {}, token="user")
            except AuthExpired as exc:
                raise AuthTestFailed(f"user_token: {exc.message}", hint=exc.hint) from None
    except AuthTestFailed:
        raise
    except AppError as exc:
        raise AuthTestFailed(exc.message, hint=exc.hint) from None
    team, user = body.get("team"), body.get("user")
    if not isinstance(team, str) or not isinstance(user, str):
        raise AuthTestFailed(
            "Slack's auth.test answer names no team or user, so the token's workspace is unknown.",
            hint="Check api_base_url: leave it empty for https://slack.com/api.",
        )
    return f"{team} / {user}"


USER_TOKEN = SideToken(
    "user", token_field="user_token", refresh_field="user_refresh_token", expires_field="user_token_expires_at"
)


def tokens(token: Mapping[str, Any]) -> dict[str, str]:
    """``oauth.v2.access``: the bot's token (and refresh token) at the top, the user's under ``authed_user``.

    With token rotation on, ``authed_user`` also carries the user token's ``refresh_token`` and ``expires_in``.
    """
    fields = standard_token_fields(token)
    user = token.get("authed_user")
    if not isinstance(user, Mapping) or not isinstance(user.get("access_token"), str) or not user["access_token"]:
        return fields
    expires_in = user.get("expires_in")
    seconds = expires_in if isinstance(expires_in, int) and not isinstance(expires_in, bool) else None
    side = {
        "access_token": user["access_token"],
        "refresh_token": user.get("refresh_token"),
        "expires_at": int(time.time()) + seconds if seconds is not None and seconds > 0 else None,
    }
    return {**fields, **USER_TOKEN.refreshed_fields(side)}


auth = OAuth2Auth(
    authorize_url="https://slack.com/oauth/v2/authorize",
    token_url="https://slack.com/api/oauth.v2.access",
    scopes=BOT_SCOPES,
    user_scopes=USER_SCOPES,
    scope_separator=",",
    token_fields=tokens,
    fields=(
        AuthField(
            "access_token",
            "Bot User OAuth Token",
            help_text="The Slack app's Bot User OAuth Token (xoxb-…), under OAuth & Permissions once the app is "
            "installed to the workspace.",
        ),
        AuthField(
            "user_token",
            "User OAuth Token",
            required=False,
            help_text="Optional: the User OAuth Token (xoxp-…), for searching messages, setting your status "
            "and posting as yourself.",
        ),
        AuthField(
            "refresh_token",
            "Refresh Token",
            required=False,
            help_text="Optional: with token rotation on, the bot token's refresh token (xoxe-…); the connect flow "
            "fills it in.",
        ),
        AuthField(
            "user_refresh_token",
            "User Refresh Token",
            required=False,
            help_text="Optional: with token rotation on, the user token's refresh token (xoxe-…); the connect flow "
            "fills it in.",
        ),
        AuthField(
            "user_token_expires_at",
            "User Token Expires At",
            secret=False,
            required=False,
            help_text="Optional: when the rotating user token expires (Unix seconds); the connect flow fills it in.",
        ),
        base_url_field(DEFAULT_API_BASE_URL, help_text="Slack's Web API root."),
    ),
    side_tokens=(USER_TOKEN,),
    test=test,
)
