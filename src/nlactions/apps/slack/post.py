"""Posting with ``chat.postMessage``: the options the message actions share."""

from __future__ import annotations

from typing import Any

from nlactions.apps.slack import shapes
from nlactions.apps.slack.client import Token, call
from nlactions.catalog import ActionContext, InvalidInput


def icon_args(icon: str | None) -> dict[str, str]:
    """``icon_url`` for a link, else ``icon_emoji`` (``:pizza:``, colons added when missing)."""
    if not icon or not icon.strip():
        return {}
    value = icon.strip()
    if value.startswith(("http://", "https://")):
        return {"icon_url": value}
    if " " in value:
        raise InvalidInput("icon", f"{icon!r} is neither an emoji name (:pizza:) nor an image URL.")
    return {"icon_emoji": f":{value.strip(':')}:"}


async def post(
    ctx: ActionContext,
    channel: str,
    text: str,
    *,
    token: Token = "bot",
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """``chat.postMessage`` to ``channel``; the posted message."""
    if not text.strip():
        raise InvalidInput("text", "The message text is empty.", hint="Give the text to post.")
    args = {"channel": channel, "text": text, **(extra or {})}
    body = await call(ctx, "chat.postMessage", args, token=token, channel=channel)
    return shapes.message(body)
