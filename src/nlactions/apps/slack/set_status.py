"""``set_status``: set the connected person's status (text, emoji, expiry); needs the user token."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from nlactions.apps.slack import shapes
from nlactions.apps.slack.client import call, obj, user_token
from nlactions.catalog import Action, ActionContext, InvalidInput, Needs, need


class Input(Needs):
    """What a status needs: its text; optionally an emoji and when it ends."""

    status_text: str = need(label="Status Text", help_text="Up to 100 characters; empty clears the status.")
    status_emoji: str | None = need(None, label="Status Emoji", help_text="An emoji such as :calendar:.")
    expiration: dt.datetime | None = need(
        None, label="Expires At", help_text="When the status clears itself (empty: it stays until changed)."
    )


async def perform(ctx: ActionContext, params: Input) -> dict[str, Any]:
    """``users.profile.set`` with the user token."""
    if len(params.status_text) > 100:
        raise InvalidInput("status_text", f"The status text has {len(params.status_text)} characters; Slack takes 100.")
    user_token(ctx, "Setting a status (Slack's users.profile.set)")
    emoji = params.status_emoji.strip() if params.status_emoji else ""
    if emoji:
        emoji = f":{emoji.strip(':')}:"
    expires = 0
    if params.expiration is not None:
        when = params.expiration if params.expiration.tzinfo else params.expiration.replace(tzinfo=dt.UTC)
        expires = int(when.timestamp())
    profile = {"status_text": params.status_text, "status_emoji": emoji, "status_expiration": expires}
    body = await call(ctx, "users.profile.set", {"profile": json.dumps(profile)}, token="user")
    saved: dict[str, Any] = obj(body.get("profile")) or profile
    return {
        "status_text": str(saved.get("status_text", "")),
        "status_emoji": str(saved.get("status_emoji", "")),
        "status_expiration": int(saved.get("status_expiration") or 0),
    }


action = Action(
    key="set_status",
    type="write",
    noun="Status",
    name="Set Status",
    description="Set your Slack status text and emoji, optionally until a time; needs the user token.",
    input=Input,
    perform=perform,
    output=shapes.Status,
    sample=shapes.STATUS_SAMPLE,
)
