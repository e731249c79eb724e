"""What the Slack actions give: a posted message, a user, a found message, a reaction, a status."""

from __future__ import annotations

from typing import Any

from nlactions.apps.slack.client import obj
from nlactions.catalog import Gives, give


class Message(Gives):
    """A message Slack accepted."""

    ts: str = give(label="Message Timestamp", important=True)
    channel: str = give(label="Channel ID", important=True)
    text: str = give(label="Text", important=True)
    thread_ts: str | None = give(label="Thread Timestamp")
    user: str | None = give(label="Posted By (User ID)")


class User(Gives):
    """A person of the workspace."""

    id: str = give(label="User ID", important=True)
    name: str = give(label="Username", important=True)
    real_name: str | None = give(label="Real Name", important=True)
    email: str | None = give(label="Email")
    title: str | None = give(label="Title")
    tz: str | None = give(label="Time Zone")
    is_admin: bool | None = give(label="Is Admin")


class FoundMessage(Gives):
    """A message Slack's search found."""

    ts: str = give(label="Message Timestamp", important=True)
    text: str = give(label="Text", important=True)
    channel_id: str | None = give(label="Channel ID", important=True)
    channel_name: str | None = give(label="Channel Name")
    user: str | None = give(label="User ID")
    username: str | None = give(label="Username")
    permalink: str | None = give(label="Permalink", important=True)


class Reaction(Gives):
    """A reaction added to a message."""

    channel: str = give(label="Channel ID", important=True)
    timestamp: str = give(label="Message Timestamp", important=True)
    name: str = give(label="Emoji", important=True)


class Status(Gives):
    """The user's status after the change."""

    status_text: str = give(label="Status Text", important=True)
    status_emoji: str = give(label="Status Emoji", important=True)
    status_expiration: int = give(label="Expires At (Unix Time)")


MESSAGE_SAMPLE = {
    "ts": "1712345678.000100",
    "channel": "C0123456789",
    "text": "Hello from nlactions",
    "thread_ts": None,
    "user": "U0BOT000001",
}
USER_SAMPLE = {
    "id": "U0123456789",
    "name": "ana",
    "real_name": "Ana Lima",
    "email": "ana@example.com",
    "title": "Engineer",
    "tz": "Europe/Lisbon",
    "is_admin": False,
}
FOUND_SAMPLE = {
    "ts": "1712345678.000100",
    "text": "The release is out",
    "channel_id": "C0123456789",
    "channel_name": "general",
    "user": "U0123456789",
    "username": "ana",
    "permalink": "https://example.slack.com/archives/C0123456789/p1712345678000100",
}
REACTION_SAMPLE = {"channel": "C0123456789", "timestamp": "1712345678.000100", "name": "thumbsup"}
STATUS_SAMPLE = {"status_text": "In a meeting", "status_emoji": ":calendar:", "status_expiration": 0}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def message(body: dict[str, Any]) -> dict[str, Any]:
    """``chat.postMessage``'s answer as a Message."""
    posted = obj(body.get("message"))
    return {
        "ts": str(body.get("ts") or posted.get("ts") or ""),
        "channel": str(body.get("channel") or ""),
        "text": str(posted.get("text") or ""),
        "thread_ts": _text(posted.get("thread_ts")),
        "user": _text(posted.get("user")),
    }


def user(item: dict[str, Any]) -> dict[str, Any]:
    """A ``users.*`` user object as a User."""
    profile = obj(item.get("profile"))
    return {
        "id": str(item.get("id") or ""),
        "name": str(item.get("name") or ""),
        "real_name": _text(item.get("real_name")) or _text(profile.get("real_name")),
        "email": _text(profile.get("email")),
        "title": _text(profile.get("title")),
        "tz": _text(item.get("tz")),
        "is_admin": item.get("is_admin") if isinstance(item.get("is_admin"), bool) else None,
    }


def found(item: dict[str, Any]) -> dict[str, Any]:
    """A ``search.messages`` match as a FoundMessage."""
    channel = obj(item.get("channel"))
    return {
        "ts": str(item.get("ts") or ""),
        "text": str(item.get("text") or ""),
        "channel_id": _text(channel.get("id")),
        "channel_name": _text(channel.get("name")),
        "user": _text(item.get("user")),
        "username": _text(item.get("username")),
        "permalink": _text(item.get("permalink")),
    }
