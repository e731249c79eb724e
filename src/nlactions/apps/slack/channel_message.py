"""``channel_message``: post a message to a channel (or a thread in it), as the bot or as the user."""

from __future__ import annotations

from typing import Any

from nlactions.apps.slack import shapes
from nlactions.apps.slack.client import user_token
from nlactions.apps.slack.needs import channel_need, text_need
from nlactions.apps.slack.post import icon_args, post
from nlactions.catalog import Action, ActionContext, Needs, need


class Input(Needs):
    """What a channel message needs: the channel and the text; the rest is optional."""

    channel: str = channel_need()
    text: str = text_need()
    as_bot: bool = need(
        True,
        label="Send as a Bot?",
        help_text="Yes: the bot posts (bot name and icon apply). No: the message is posted as the person who "
        "connected Slack (needs the user token).",
    )
    username: str | None = need(None, label="Bot Name", help_text="The name the bot posts under for this message.")
    icon: str | None = need(
        None, label="Bot Icon", help_text="An emoji (e.g. :pizza:) or an image URL shown as the bot's picture."
    )
    thread_ts: str | None = need(
        None,
        label="Thread",
        help_text="The timestamp (ts) of the message to reply to, e.g. 1712345678.000100; the reply goes in its "
        "thread.",
    )
    unfurl_links: bool | None = need(
        None, label="Unfurl Links?", help_text="Show previews of the links in the message (Slack's default if empty)."
    )


async def perform(ctx: ActionContext, params: Input) -> dict[str, Any]:
    """``chat.postMessage`` with the bot token, or with the user token when not sent as the bot."""
    extra: dict[str, Any] = {"thread_ts": params.thread_ts, "unfurl_links": params.unfurl_links}
    if params.as_bot:
        extra.update({"username": params.username, **icon_args(params.icon)})
        return await post(ctx, params.channel, params.text, extra=extra)
    user_token(ctx, "Posting as yourself (as_bot: false)")
    return await post(ctx, params.channel, params.text, token="user", extra=extra)


action = Action(
    key="channel_message",
    type="write",
    noun="Message",
    name="Send Channel Message",
    description="Post a message to a public or private Slack channel, or reply in a thread, as the bot (with an "
    "optional name and icon) or as yourself.",
    input=Input,
    perform=perform,
    output=shapes.Message,
    sample=shapes.MESSAGE_SAMPLE,
)
