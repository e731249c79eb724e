"""The requests that carry a body (POST, PUT): one input model and one action factory."""

from __future__ import annotations

from typing import Any, Literal

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


class BodyInput(Needs):
    """What a request with a body needs."""

    url: str = url_need()
    payload_type: PayloadType = payload_type_need()
    data: dict[str, Any] | str | None = data_need()
    headers: dict[str, Any] | None = headers_need()


def body_action(method: Literal["POST", "PUT"]) -> Action:
    """The action that sends ``method`` with Data as JSON, a form or raw text and returns the response."""

    async def perform(ctx: ActionContext, params: BodyInput) -> list[dict[str, Any]]:
        body = body_arguments(params.payload_type, params.data)
        response = await send(ctx, method, params.url, headers=params.headers, body=body)
        return results(response, empty_is_none=False)

    return Action(
        key=method.lower(),
        type="write",
        noun="Request",
        name=method,
        description=f"Send a {method} request to a URL with Data as JSON, a form or raw text, and return the response.",
        input=BodyInput,
        perform=perform,
        output=Response,
        sample=SAMPLE,
    )
