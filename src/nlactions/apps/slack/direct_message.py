"""``direct_message``: send a person a direct message from the bot."""

from __future__ import annotations

from typing import Any

from nlactions.apps.slack import shapes
from nlactions.apps.slack.client import call
from nlactions.apps.slack.needs import text_need, user_need
from nlactions.apps.slack.post import icon_args, post
from nlactions.catalog import Action, ActionContext, Needs, UpstreamError, need


class Input(Needs):
    """What a direct message needs: the person and the text."""

    user: str = user_need()
    text: str = text_need("direct message")
    username: str | None = need(None, label="Bot Name", help_text="The name the bot posts under for this message.")
    icon: str | None = need(
        None, label="Bot Icon", help_text="An emoji (e.g. :pizza:) or an image URL shown as the bot's picture."
    )


async def perform(ctx: ActionContext, params: Input) -> dict[str, Any]:
    """``conversations.open`` with the user, then ``chat.postMessage`` in that conversation."""
    opened = await call(ctx, "conversations.open", {"users": params.user})
    channel = opened.get("channel")
    cid = channel.get("id") if isinstance(channel, dict) else None
    if not isinstance(cid, str):
        raise UpstreamError("Slack's conversations.open answer names no conversation id.")
    return await post(ctx, cid, params.text, extra={"username": params.username, **icon_args(params.icon)})


action = Action(
    key="direct_message",
    type="write",
    noun="Direct Message",
    name="Send Direct Message",
    description="Send a direct message from the bot to a person in the Slack workspace.",
    input=Input,
    perform=perform,
    output=shapes.Message,
    sample=shapes.MESSAGE_SAMPLE,
)
