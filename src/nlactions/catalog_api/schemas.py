"""Request and response models of the discovery endpoints (Zapier's v2 shapes)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from nlactions.execute.schemas import ActionType

ActionExtra = Literal["action_needs", "action_gives", "action_sample"]
GuessType = Literal["read", "write", "search", "read_bulk"]
DEFAULT_GUESS_TYPES: tuple[GuessType, ...] = ("write", "search", "read")


FORMATTER_INFO: dict[str, Any] = {
    "app": "FormatterAPI",
    "name": "Formatter by nlactions",
    "logo_url": "",
    "auth_type": "none",
}
FORMATTER_DESCRIPTION = (
    "Change text, numbers and dates: case, extraction, find and replace, splitting, number and currency "
    "formatting, arithmetic, date formatting and date arithmetic."
)
FORMATTER_TEXT = (
    "Transform text: change case, trim, count, extract an email/URL/number/phone, replace, truncate, split, "
    "URL-encode or decode, or remove HTML tags."
)
APP_LIST_EXAMPLE: dict[str, Any] = {
    "results": [
        {
            **FORMATTER_INFO,
            "description": FORMATTER_DESCRIPTION,
            "actions": {"read": 0, "write": 3, "search": 0, "read_bulk": 0},
        }
    ]
}
APP_DETAILS_EXAMPLE: dict[str, Any] = {
    "results": [
        {
            "app_needs_auth": False,
            "implementation": {
                "selected_api": "FormatterAPI",
                "app_id": 2028293536,
                "name": "Formatter by nlactions",
                "slug": "formatter-by-nlactions",
                "description": FORMATTER_DESCRIPTION,
                "logo_url": "",
                "actions": [
                    {
                        "type": "write",
                        "key": "text",
                        "name": "Text",
                        "noun": "Text",
                        "description": FORMATTER_TEXT,
                        "needs": [
                            {"key": "transform", "type": "str", "label": "Transform", "required": True},
                            {"key": "input", "type": "str", "label": "Input", "required": True},
                        ],
                    }
                ],
                "auth_type": "none",
                "auth_fields": [],
                "is_deprecated": False,
                "is_private_only": False,
                "is_invite_only": False,
            },
        }
    ]
}
ACTION_LIST_EXAMPLE: dict[str, Any] = {
    "results": [
        {
            "app": "FormatterAPI",
            "action": "text",
            "type": "write",
            "display_name": "Text",
            "description": FORMATTER_TEXT,
            "search_relevancy_score": 0.3,
            "app_needs_auth": False,
            "app_info": FORMATTER_INFO,
        }
    ]
}


class AppInfo(BaseModel):
    """The short description of an app attached to each action."""

    app: str
    name: str
    logo_url: str
    auth_type: str


class AppSummary(AppInfo):
    """One app of Search Apps, with how many actions of each type it has."""

    description: str
    actions: dict[str, int]


class AppList(BaseModel):
    """``{results: [app]}``."""

    results: list[AppSummary]


class AppDetails(BaseModel):
    """``{results: [{app_needs_auth, implementation}]}``; see ActionSchema for each action."""

    results: list[dict[str, Any]]


class ActionHit(BaseModel):
    """One action of Search Actions."""

    app: str
    action: str
    type: ActionType
    display_name: str
    description: str
    search_relevancy_score: float
    app_needs_auth: bool
    app_info: AppInfo


class ActionList(BaseModel):
    """``{results: [action]}``, most relevant first."""

    results: list[ActionHit]


class ActionDetailsRequest(BaseModel):
    """Body of Get Action Details: values of needs, so that needs depending on them get their choices."""

    model_config = ConfigDict(
        strict=True,
        extra="allow",
        json_schema_extra={"examples": [{"params": {}}, {"params": {"team": "T1"}}]},
    )

    params: dict[str, Any] = Field(
        default_factory=dict,
        description="Need key → value. A need whose choices depend on needs given here comes back with "
        "those choices loaded.",
    )


class ActionDetails(BaseModel):
    """``{results: [{action_has_custom_needs_probability, action, action_needs, action_gives,
    action_sample}]}``."""

    results: list[dict[str, Any]]


class GuessRequest(BaseModel):
    """Body of Guess Actions."""

    model_config = ConfigDict(
        strict=True,
        extra="ignore",
        json_schema_extra={
            "examples": [{"query": "send a message to a Slack channel", "action_types": ["write"], "count": 5}]
        },
    )

    query: str = Field(max_length=1000, description="What you want to do, in plain English.")
    action_types: list[GuessType] = Field(
        default_factory=lambda: list(DEFAULT_GUESS_TYPES), description="Which kinds of action to consider."
    )
    count: int = Field(default=25, ge=1, le=100, description="How many guesses at most.")


class Guess(BaseModel):
    """One guessed action."""

    app: str
    action: str
    action_type: str
    name: str = Field(description="Name of the app and action, e.g. 'Slack: Send Channel Message'.")
    description: str
    image: str = Field(description="The app's image URL.")
    score: float
