"""``post``: send a POST request with a JSON, form or raw body and return what the server answered."""

from __future__ import annotations

from typing import Any

from nlactions.apps.webhook.common import (
    SAMPLE,
    PayloadType,
    Response,
    body_arguments,
    data_need,
    headers_need,
    payload_type_need,
    results,
    send,
    url_need,
)
from nlactions.catalog import Action, ActionContext, Needs


class Input(Needs):
    """What a POST request needs."""

    url: str = url_need()
    payload_type: PayloadType = payload_type_need()
    data: dict[str, Any] | str | None = data_need()
    headers: dict[str, Any] | None = headers_need()


async def perform(ctx: ActionContext, params: Input) -> list[dict[str, Any]]:
    """POST the data to the URL and return the response as results."""
    body = body_arguments(params.payload_type, params.data)
    response = await send(ctx, "POST", params.url, headers=params.headers, body=body)
    return results(response, empty_is_none=False)


action = Action(
    key="post",
    type="write",
    noun="Request",
    name="POST",
    description="Send a POST request to a URL with Data as JSON, a form or raw text, and return the "
    "response.",
    input=Input,
    perform=perform,
    output=Response,
    sample=SAMPLE,
)
