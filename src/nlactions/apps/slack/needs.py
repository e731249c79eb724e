"""The needs several Slack actions share, declared once so their labels and help read the same."""

from __future__ import annotations

from typing import Any

from nlactions.apps.slack import choices
from nlactions.catalog import need


def channel_need(help_text: str = "") -> Any:
    """A channel, chosen among the public and private channels the bot can see."""
    return need(
        label="Channel",
        help_text=help_text
        or "The Slack channel, by id (e.g. C0123456789); a name such as #general is matched against the "
        "channels the bot can see. The bot must be a member of a private channel.",
        choices=choices.channels,
        prefill="channel.id.name",
        examples=["#general"],
    )


def user_need() -> Any:
    """A person of the workspace."""
    return need(
        label="User",
        help_text="The person, by Slack user id (e.g. U0123456789); a name such as @ana is matched against "
        "the workspace's people.",
        choices=choices.users,
        prefill="user.id.name",
        examples=["@ana"],
    )


def text_need(what: str = "message") -> Any:
    """The message's text, in Slack's mrkdwn."""
    return need(
        label="Message Text",
        help_text=f"The {what}'s text, in Slack mrkdwn (*bold*, _italic_, <https://example.com|links>, "
        "<@U0123456789> mentions).",
    )
