"""Request and response models of ``/api/v2/ai-actions/`` (Zapier's stored AI actions)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from nlactions.execute.schemas import ActionType, ParamConstraint

StoredParam = str | int | float | bool | list[str] | ParamConstraint | None

PARAMS_DESCRIPTION = (
    "How each need (by key) is filled when the action runs:\n"
    '- a string (or number): a hint the value is guessed from (mode guess), e.g. `"general"`;\n'
    '- a list of strings: the choice ids the AI may choose from (mode choose_from), e.g. `["C01", "C02"]`;\n'
    '- `{"mode": "locked", "value": ...}`: the exact value, always used; a request cannot change it;\n'
    '- `{"mode": "ignored"}`: the need is never filled; a request cannot change it;\n'
    '- `{"mode": "guess" | "choose_from", "value": ...}`: the same as the plain forms.\n'
    'Needs left out (or set to null or "") are guessed from the instructions at run time. Precedence when '
    "the action runs: locked/ignored here > the request's params > hints and choice lists here > "
    "instructions. A request param in mode guess for a need locked here is ignored; any other mode is a 400. "
    'Values of secret needs are stored encrypted and shown as "[redacted]"; sending "[redacted]" back '
    "keeps the stored value."
)

EXAMPLE: dict[str, Any] = {
    "app": "FormatterAPI",
    "action": "text",
    "action_type": "write",
    "params": {"transform": {"mode": "locked", "value": "uppercase"}, "input": "the text after 'say'"},
    "meta": {
        "params": {"transform": "Uppercase"},
        "app_label": "Formatter by nlactions",
        "action_label": "Text",
        "authentication_label": None,
        "app_needs_auth": False,
    },
}


RESPONSE_EXAMPLE: dict[str, Any] = {
    "id": "01JBRX2D5N8W0Q7E4H6T9Y3MKC",
    "description": "Slack: Send Channel Message",
    "account_id": 1,
    "authentication_id": 7,
    "app": "SlackAPI",
    "action": "channel_message",
    "action_type": "write",
    "params": {"channel": {"mode": "locked", "value": "C02T4GQ9K"}, "text": "the words after 'say'"},
    "meta": {
        "params": {"channel": "#general"},
        "app_label": "Slack",
        "action_label": "Send Channel Message",
        "authentication_label": "Alice at Acme",
        "app_needs_auth": True,
    },
    "needs": [
        {
            "key": "channel",
            "type": "str",
            "label": "Channel",
            "required": True,
            "help_text": "The channel to post to.",
            "prefill": "channel.id.name",
        },
        {"key": "text", "type": "str", "label": "Message Text", "required": True, "help_text": "What to say."},
    ],
}
"""A stored action as GET returns it (one with an authentication: the docs drop null values)."""
LIST_EXAMPLE: dict[str, Any] = {
    "results": [RESPONSE_EXAMPLE],
    "configuration_link": "http://localhost:8000/docs#/ai-actions",
}


class AiActionMeta(BaseModel):
    """Display data about the stored action; missing labels are filled from the catalog."""

    model_config = ConfigDict(extra="allow")

    params: dict[str, Any] = Field(
        default_factory=dict, description="Per need key, a human label of the configured value."
    )
    app_label: str | None = None
    action_label: str | None = None
    authentication_label: str | None = None
    app_needs_auth: bool | None = None


class AiActionCreate(BaseModel):
    """Body of ``POST /api/v2/ai-actions/``; unknown keys (e.g. ``id`` from a GET) are ignored."""

    model_config = ConfigDict(strict=True, extra="ignore", json_schema_extra={"examples": [EXAMPLE]})

    app: str = Field(min_length=1, max_length=100, description="The app, e.g. FormatterAPI or SlackAPI.")
    action: str = Field(min_length=1, max_length=100, description="The action key, e.g. text.")
    action_type: ActionType = Field(
        default="write", description="Accepted for compatibility; the stored type is the action's own."
    )
    params: dict[str, StoredParam] = Field(default_factory=dict, description=PARAMS_DESCRIPTION)
    meta: AiActionMeta = Field(default_factory=AiActionMeta)
    description: str | None = Field(
        default=None, max_length=1000, description='Defaults to "<App name>: <Action name>".'
    )


class AiActionReplace(AiActionCreate):
    """Body of ``PUT /api/v2/ai-actions/{id}/``: the whole object; partial updates are not supported."""

    action_type: ActionType = Field(description="Accepted for compatibility; the stored type is the action's own.")
    params: dict[str, StoredParam] = Field(description=PARAMS_DESCRIPTION)
    meta: AiActionMeta


class NeedResponse(BaseModel):
    """One input field of the action, in Zapier's Need shape."""

    model_config = ConfigDict(extra="allow")

    key: str
    type: str
    label: str
    required: bool
    help_text: str | None = None
    default: Any = None
    choices: list[dict[str, Any]] | None = None


class AiActionResponse(BaseModel):
    """A stored AI action as Zapier returns it."""

    id: str
    description: str
    account_id: int | None
    authentication_id: int | None
    app: str
    action: str
    action_type: str
    params: dict[str, Any] = Field(description=PARAMS_DESCRIPTION)
    meta: dict[str, Any]
    needs: list[NeedResponse] | None = None


class AiActionList(BaseModel):
    """``GET /api/v2/ai-actions/``."""

    results: list[AiActionResponse]
    configuration_link: str
