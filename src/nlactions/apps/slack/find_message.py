"""``find_message``: search messages with Slack's search (a user token's search:read)."""

from __future__ import annotations

from typing import Any, Literal

from nlactions.apps.slack import shapes
from nlactions.apps.slack.client import call, items, obj, user_token
from nlactions.catalog import Action, ActionContext, InvalidInput, Needs, need

MAX_RESULTS = 100


class Input(Needs):
    """What a search needs: the query (Slack search modifiers work)."""

    query: str = need(
        label="Search Query",
        help_text="Words to find; Slack modifiers work too: in:#general, from:@ana, before:2024-05-01, has:link.",
    )
    sort: Literal["score", "timestamp"] = need(
        "timestamp",
        label="Sort By",
        help_text="Newest first (timestamp) or best match first (score).",
        choices=[("timestamp", "Newest"), ("score", "Best Match")],
    )
    limit: int = need(1, label="Maximum Results", help_text=f"How many messages to give at most (1 to {MAX_RESULTS}).")


async def perform(ctx: ActionContext, params: Input) -> list[dict[str, Any]]:
    """``search.messages`` with the user token."""
    if not params.query.strip():
        raise InvalidInput("query", "The search query is empty.")
    if not 1 <= params.limit <= MAX_RESULTS:
        raise InvalidInput("limit", f"{params.limit} is not between 1 and {MAX_RESULTS}.")
    user_token(ctx, "Finding messages (Slack's search.messages)")
    args = {"query": params.query.strip(), "sort": params.sort, "sort_dir": "desc", "count": params.limit}
    body = await call(ctx, "search.messages", args, token="user")
    messages = obj(body.get("messages"))
    return [shapes.found(item) for item in items(messages, "matches")[: params.limit]]


action = Action(
    key="find_message",
    type="search",
    noun="Message",
    name="Find Message",
    description="Search the Slack workspace's messages (Slack search, with in:/from:/before: modifiers); needs the "
    "user token.",
    input=Input,
    perform=perform,
    output=shapes.FoundMessage,
    sample=shapes.FOUND_SAMPLE,
)
