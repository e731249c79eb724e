"""Request and response models of the discovery endpoints (Zapier's v2 shapes)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from nlactions.execute.schemas import ActionType

ActionExtra = Literal["action_needs", "action_gives", "action_sample"]
GuessType = Literal["read", "write", "search", "read_bulk"]
DEFAULT_GUESS_TYPES: tuple[GuessType, ...] = ("write", "search", "read")


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
