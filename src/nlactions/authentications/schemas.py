"""Request and response models of ``/api/v2/apps/{app}/auths/`` (Zapier's AuthenticationT)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, JsonValue, StringConstraints

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
FieldValue = Annotated[str, StringConstraints(max_length=10_000)]
CredentialFields = Annotated[dict[str, FieldValue], Field(max_length=50)]

EXAMPLE_FIELDS: dict[str, JsonValue] = {"username": "alice", "password": "s3cret-passw0rd"}


class AuthenticationCreate(BaseModel):
    """Body of a create: a title to tell connections apart and the app's credential fields."""

    model_config = ConfigDict(
        strict=True,
        extra="forbid",
        json_schema_extra={"examples": [{"title": "Alice at Acme", "fields": EXAMPLE_FIELDS}]},
    )

    title: Title = Field(description="A name to tell this connection apart from the app's others.")
    fields: CredentialFields = Field(
        description="The app's auth fields by key (GET /api/v2/apps/{app}/ lists them as auth_fields). "
        "Verified with the service before saving; stored encrypted and never returned."
    )


class AuthenticationUpdate(BaseModel):
    """Body of an update: a new title, new credential fields (replaced whole, re-verified), or both."""

    model_config = ConfigDict(
        strict=True,
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"title": "Alice (rotated)", "fields": {"username": "alice", "password": "n3w-passw0rd"}},
                {"title": "Renamed only"},
            ]
        },
    )

    title: Title | None = Field(default=None, description="A new title.")
    fields: CredentialFields | None = Field(
        default=None,
        description="Every credential field again (the stored ones are replaced whole, not merged).",
    )


class Permissions(BaseModel):
    """What the caller may do with an authentication."""

    delete: bool
    edit: bool
    reconnect: bool
    share: bool
    test: bool
    transfer: bool
    use: bool


class Group(BaseModel):
    """A group an authentication is shared with (never populated: sharing is not supported)."""

    id: int
    name: str
    photo_url: str | None = None
    member_count: int


class Failure(BaseModel):
    """A refresh that failed: when, and why (never a token)."""

    at: dt.datetime
    message: str


class AuthenticationOut(BaseModel):
    """Zapier's AuthenticationT; credential values are never part of it."""

    id: int
    account_id: int
    customuser_id: int | None = Field(description="The user who created it.")
    date: dt.datetime = Field(description="When it was created.")
    lastchanged: dt.datetime = Field(description="When its title or credentials last changed.")
    title: str
    label: str | None = Field(description="Who the service says the credentials belong to, if it says.")
    selected_api: str = Field(description="The app key.")
    url: str | None = None
    is_invite_only: bool = False
    is_private: bool = Field(
        default=False, description="Always false: every member of the account may use it to run actions."
    )
    is_stale: bool = Field(
        description="True after the service refused it (or refused to refresh its tokens); update its fields or "
        "reconnect it to clear."
    )
    stale: bool = Field(default=False, description="The same as is_stale.")
    token_expires_at: dt.datetime | None = Field(
        default=None, description="When its OAuth access token expires (null: unknown or never)."
    )
    last_refreshed_at: dt.datetime | None = Field(
        default=None, description="When its OAuth tokens were last refreshed."
    )
    last_failure: Failure | None = Field(default=None, description="The last refresh that failed, if any since.")
    is_shared: bool = False
    shared_with_all: bool = False
    members: list[int] = Field(default_factory=list)
    groups: list[Group] = Field(default_factory=list)
    permissions: Permissions


AUTHENTICATION_EXAMPLE: dict[str, JsonValue] = {
    "id": 7,
    "account_id": 1,
    "customuser_id": 1,
    "date": "2025-01-15T09:30:00Z",
    "lastchanged": "2025-01-15T09:30:00Z",
    "title": "Alice at Acme",
    "label": "alice",
    "selected_api": "SlackAPI",
    "url": None,
    "is_invite_only": False,
    "is_private": False,
    "is_stale": False,
    "stale": False,
    "token_expires_at": "2025-01-15T21:30:00Z",
    "last_refreshed_at": "2025-01-15T09:30:00Z",
    "last_failure": None,
    "is_shared": False,
    "shared_with_all": False,
    "members": [],
    "groups": [],
    "permissions": {
        "delete": True,
        "edit": True,
        "reconnect": True,
        "share": False,
        "test": True,
        "transfer": False,
        "use": True,
    },
}
LIST_EXAMPLE: dict[str, JsonValue] = {
    "last_refresh_seconds_ago": None,
    "results": [AUTHENTICATION_EXAMPLE],
    "message": None,
}


class AuthenticationList(BaseModel):
    """Response of the list endpoint."""

    last_refresh_seconds_ago: int | None = Field(
        default=None, description="Always null: authentications are read live, never cached."
    )
    results: list[AuthenticationOut]
    message: str | None = Field(default=None, description="A note, e.g. when the app needs no authentication.")
