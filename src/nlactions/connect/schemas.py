"""Request and response models of the connect endpoint."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from nlactions.authentications.repository import MAX_ID
from nlactions.authentications.schemas import CredentialFields, Title


class ConnectRequest(BaseModel):
    """Body of a connect request; every part optional."""

    model_config = ConfigDict(
        strict=True,
        extra="forbid",
        json_schema_extra={"examples": [{}, {"authentication_id": 7}, {"title": "Acme workspace"}]},
    )

    authentication_id: int | None = Field(
        default=None, ge=1, le=MAX_ID, description="Reconnect this authentication: its tokens are replaced."
    )
    title: Title | None = Field(default=None, description="A title; default: who the provider says you are.")
    fields: CredentialFields | None = Field(
        default=None, description="The app's non-secret fields, e.g. api_base_url; the provider gives the tokens."
    )


class ConnectLinkOut(BaseModel):
    """A connect link: open it in a browser (no API key needed) within its lifetime, once."""

    connect_url: str = Field(description="Open this in a browser: it goes on to the provider to authorize.")
    redirect_uri: str = Field(description="The callback URL the operator registered with the provider.")
    expires_at: dt.datetime = Field(description="The link works until then, once.")
