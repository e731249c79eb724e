"""API models of ``/api/v2/oauth/clients/``."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from nlactions.db.models import OAuthClient


class ClientCreate(BaseModel):
    """A client to register in the caller's account."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        json_schema_extra={
            "examples": [
                {"name": "Build bot", "redirect_uris": ["https://bot.example/oauth/callback"], "public": False},
                {"name": "Desktop agent", "redirect_uris": ["http://127.0.0.1:33418/callback"], "public": True},
            ]
        },
    )
    name: str = Field(min_length=1, max_length=200, description="Shown to users on the consent page.")
    redirect_uris: list[str] = Field(
        min_length=1, max_length=20, description="Exact redirect URIs (https, http on loopback, or app schemes)."
    )
    public: bool = Field(False, description="No client secret: the client proves codes with PKCE only.")
    scope: str | None = Field(None, max_length=500, description="Scopes it may ask for (default: all).")


class ClientOut(BaseModel):
    """A registered client (its secret is never shown again)."""

    client_id: str
    name: str
    redirect_uris: list[str]
    scope: str
    public: bool
    token_endpoint_auth_method: str
    account_id: int | None
    created_at: dt.datetime

    @classmethod
    def of(cls, row: OAuthClient) -> ClientOut:
        """The API view of a stored client."""
        public = row.secret_hash is None
        return cls(
            client_id=row.client_id,
            name=row.name,
            redirect_uris=list(row.redirect_uris),
            scope=row.scope,
            public=public,
            token_endpoint_auth_method="none" if public else "client_secret_basic",
            account_id=row.account_id,
            created_at=row.created_at,
        )


class ClientCreated(ClientOut):
    """A new client, with its secret this once (null for a public client)."""

    client_secret: str | None


class ClientList(BaseModel):
    """The account's live clients, newest first."""

    results: list[ClientOut]
