"""Slack: messages to channels and people, message search, reactions and status through Slack's Web API.

The connection holds the Slack app's bot token (and optionally a user token); every call goes through the
server's guarded HTTP client (see ``client``). The optional ``api_base_url`` points the app at a peer.
"""

from __future__ import annotations

from nlactions.apps.slack import (
    add_reaction,
    channel_message,
    direct_message,
    find_message,
    find_user_by_email,
    set_status,
)
from nlactions.apps.slack.auth import auth
from nlactions.catalog import App

__all__ = ["app"]

app = App(
    key="SlackAPI",
    name="Slack",
    description="Send Slack messages to channels, threads and people, find users and messages, add reactions "
    "and set your status.",
    actions=(
        channel_message.action,
        direct_message.action,
        find_user_by_email.action,
        find_message.action,
        add_reaction.action,
        set_status.action,
    ),
    auth=auth,
    keywords=("slack", "message", "channel", "chat", "dm", "notify"),
)
