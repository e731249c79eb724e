"""Choice loaders: the channels the bot can see (public and private) and the workspace's people.

Both page through Slack's cursors (``response_metadata.next_cursor``) to the end.
"""

from __future__ import annotations

from typing import Any

from nlactions.apps.slack.client import PAGE_SIZE, call, items, next_cursor, obj
from nlactions.catalog import Choice, ChoiceContext, ChoicePage


def _channel(item: dict[str, Any]) -> Choice | None:
    cid, name = item.get("id"), item.get("name")
    if not isinstance(cid, str) or not isinstance(name, str) or item.get("is_archived"):
        return None
    purpose = str(obj(item.get("purpose")).get("value") or "")
    if item.get("is_private"):
        purpose = "Private channel" + (f": {purpose}" if purpose else "")
    return Choice(cid, f"#{name}", purpose or None)


def _user(item: dict[str, Any]) -> Choice | None:
    uid, name = item.get("id"), item.get("name")
    if not isinstance(uid, str) or not isinstance(name, str):
        return None
    if item.get("deleted") or item.get("is_bot") or uid == "USLACKBOT":
        return None
    profile = obj(item.get("profile"))
    real = item.get("real_name") or profile.get("real_name") or profile.get("display_name")
    label = f"@{name}" + (f" ({real})" if real and real != name else "")
    return Choice(uid, label, profile.get("email") or None)


async def channels(ctx: ChoiceContext) -> ChoicePage:
    """Public and private channels, not archived, by id (labelled ``#name``)."""
    args = {
        "types": "public_channel,private_channel",
        "exclude_archived": True,
        "limit": PAGE_SIZE,
        "cursor": ctx.cursor,
    }
    body = await call(ctx, "conversations.list", args)
    found = [choice for item in items(body, "channels") if (choice := _channel(item)) is not None]
    return ChoicePage(found, next_cursor(body))


async def users(ctx: ChoiceContext) -> ChoicePage:
    """The workspace's people (no bots, no deactivated accounts), by id (labelled ``@name (Real Name)``)."""
    body = await call(ctx, "users.list", {"limit": PAGE_SIZE, "cursor": ctx.cursor})
    found = [choice for item in items(body, "members") if (choice := _user(item)) is not None]
    return ChoicePage(found, next_cursor(body))
