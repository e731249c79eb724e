"""``get``: send a GET request and return what the server answered."""

from __future__ import annotations

from typing import Any

from nlactions.apps.webhook.common import SAMPLE, Response, headers_need, results, send, url_need
from nlactions.catalog import Action, ActionContext, Needs, need


class Input(Needs):
    """What a GET request needs."""

    url: str = url_need()
    query: dict[str, Any] | None = need(
        None, label="Query String Params", help_text="Added to the URL's query string, as name: value pairs."
    )
    headers: dict[str, Any] | None = headers_need()


async def perform(ctx: ActionContext, params: Input) -> list[dict[str, Any]]:
    """GET the URL; a JSON array gives one result per object, an empty array no result."""
    response = await send(ctx, "GET", params.url, headers=params.headers, params=params.query)
    return results(response, empty_is_none=True)


action = Action(
    key="get",
    type="search",
    noun="Request",
    name="GET",
    description="Send a GET request to a URL and return the response: a JSON object's fields, one result "
    "per object of a JSON array, or the body as text.",
    input=Input,
    perform=perform,
    output=Response,
    sample=SAMPLE,
)
