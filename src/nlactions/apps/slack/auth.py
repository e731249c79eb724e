"""Slack's OAuth 2 (v2) install: a bot token, optionally a user token; ``auth.test`` checks them.

Connect with the server's OAuth flow (``oauth.v2.access``'s answer maps onto the fields in ``tokens``), or
paste the Bot User OAuth Token (and the User OAuth Token). With token rotation on, the bot's refresh token
is kept and refreshed.
"""

from __future__ import annotations

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


def tokens(token: Mapping[str, Any]) -> dict[str, str]:
    """``oauth.v2.access``: the bot's token (and refresh token) at the top, the user's under ``authed_user``."""
    fields = standard_token_fields(token)
    user = token.get("authed_user")
    if isinstance(user, Mapping) and isinstance(user.get("access_token"), str) and user["access_token"]:
        fields["user_token"] = user["access_token"]
    return fields


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
        base_url_field(DEFAULT_API_BASE_URL, help_text="Slack's Web API root."),
    ),
    test=test,
)
