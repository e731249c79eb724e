"""``find_user_by_email``: the workspace member with an email address."""

from __future__ import annotations

from typing import Any

from nlactions.apps.slack import shapes
from nlactions.apps.slack.client import call
from nlactions.catalog import Action, ActionContext, AppError, InvalidInput, Needs, need


class Input(Needs):
    """What the lookup needs: an email address."""

    email: str = need(
        label="Email", help_text="The person's email address in the workspace.", examples=["ana@example.com"]
    )


async def perform(ctx: ActionContext, params: Input) -> list[dict[str, Any]]:
    """``users.lookupByEmail``; no result when nobody has the address."""
    email = params.email.strip()
    if "@" not in email:
        raise InvalidInput("email", f"{params.email!r} is not an email address.")
    try:
        body = await call(ctx, "users.lookupByEmail", {"email": email})
    except AppError as exc:
        if "users_not_found" in exc.message:
            return []
        raise
    found = body.get("user")
    return [shapes.user(found)] if isinstance(found, dict) else []


action = Action(
    key="find_user_by_email",
    type="search",
    noun="User",
    name="Find User by Email",
    description="Find the Slack workspace member with an email address (their id, name, title, time zone).",
    input=Input,
    perform=perform,
    output=shapes.User,
    sample=shapes.USER_SAMPLE,
)
