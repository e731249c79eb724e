"""``add_reaction``: put an emoji reaction on a message."""

from __future__ import annotations

from typing import Any

from nlactions.apps.slack import shapes
from nlactions.apps.slack.client import call
from nlactions.apps.slack.needs import channel_need
from nlactions.catalog import Action, ActionContext, InvalidInput, Needs, need


class Input(Needs):
    """What a reaction needs: the channel, the message's timestamp and the emoji."""

    channel: str = channel_need("The channel of the message, by id; a name such as #general is matched.")
    timestamp: str = need(
        label="Message Timestamp", help_text="The message's ts, e.g. 1712345678.000100.", examples=["1712345678.000100"]
    )
    name: str = need(label="Emoji", help_text="The emoji's name, e.g. thumbsup or :tada:.", examples=["thumbsup"])


async def perform(ctx: ActionContext, params: Input) -> dict[str, Any]:
    """``reactions.add``."""
    emoji = params.name.strip().strip(":")
    if not emoji or " " in emoji:
        raise InvalidInput("name", f"{params.name!r} is not an emoji name such as thumbsup.")
    args = {"channel": params.channel, "timestamp": params.timestamp.strip(), "name": emoji}
    await call(ctx, "reactions.add", args, channel=params.channel)
    return {"channel": params.channel, "timestamp": args["timestamp"], "name": emoji}


action = Action(
    key="add_reaction",
    type="write",
    noun="Reaction",
    name="Add Reaction",
    description="Add an emoji reaction to a message in a Slack channel.",
    input=Input,
    perform=perform,
    output=shapes.Reaction,
    sample=shapes.REACTION_SAMPLE,
)
