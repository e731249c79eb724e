"""Authentication kinds an app declares: which fields a connection stores and how they are applied."""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Awaitable, Callable, Generator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import httpx

if TYPE_CHECKING:
    from nlactions.catalog.context import ActionContext

AuthTest = Callable[["ActionContext"], Awaitable[str | None]]
"""Verify credentials against the service; return a label for the connection or raise AuthTestFailed."""


@dataclass(frozen=True, slots=True)
class AuthField:
    """One credential field the user fills in when connecting an app."""

    key: str
    label: str
    secret: bool = True
    required: bool = True
    help_text: str = ""

    def as_dict(self) -> dict[str, object]:
        """Zapier's ``auth_fields`` item shape."""
        return {
            "key": self.key,
            "label": self.label,
            "required": self.required,
            "type": "password" if self.secret else "string",
            "help_text": self.help_text,
            "computed": False,
        }


class _HeaderAuth(httpx.Auth):
    def __init__(self, headers: Mapping[str, str], query: Mapping[str, str] | None = None):
        self.headers = dict(headers)
        self.query = dict(query or {})

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers.update(self.headers)
        if self.query:
            request.url = request.url.copy_merge_params(self.query)
        yield request


@dataclass(frozen=True, slots=True)
class NoAuth:
    """The app needs no credentials."""

    kind: Literal["none"] = "none"
    fields: tuple[AuthField, ...] = ()
    test: AuthTest | None = None

    def httpx_auth(self, credentials: Mapping[str, str]) -> httpx.Auth | None:
        """No credentials to attach."""
        return None


@dataclass(frozen=True, slots=True)
class ApiKeyAuth:
    """A key sent in a header (or query parameter), rendered from ``template``."""

    fields: tuple[AuthField, ...] = (AuthField("api_key", "API Key"),)
    placement: Literal["header", "query"] = "header"
    name: str = "Authorization"
    template: str = "Bearer {api_key}"
    test: AuthTest | None = None
    kind: Literal["api_key"] = "api_key"

    def httpx_auth(self, credentials: Mapping[str, str]) -> httpx.Auth | None:
        """Attach the rendered key to every request."""
        value = self.template.format(**credentials)
        if self.placement == "query":
            return _HeaderAuth({}, {self.name: value})
        return _HeaderAuth({self.name: value})


@dataclass(frozen=True, slots=True)
class BasicAuth:
    """HTTP Basic with a username and password."""

    fields: tuple[AuthField, ...] = (
        AuthField("username", "Username", secret=False),
        AuthField("password", "Password"),
    )
    test: AuthTest | None = None
    kind: Literal["basic"] = "basic"

    def httpx_auth(self, credentials: Mapping[str, str]) -> httpx.Auth | None:
        """Attach an ``Authorization: Basic`` header."""
        raw = f"{credentials.get('username', '')}:{credentials.get('password', '')}".encode()
        return _HeaderAuth({"Authorization": "Basic " + base64.b64encode(raw).decode()})


TokenFields = Callable[[Mapping[str, Any]], dict[str, str]]
"""Map a provider's token response onto the app's credential fields (non-empty strings only)."""


def standard_token_fields(token: Mapping[str, Any]) -> dict[str, str]:
    """RFC 6749's token response: ``access_token`` and, when given, ``refresh_token``."""
    return {
        key: str(token[key])
        for key in ("access_token", "refresh_token")
        if isinstance(token.get(key), str) and token[key]
    }


@dataclass(frozen=True, slots=True)
class SideToken:
    """A second token an OAuth connection holds and refreshes on its own, e.g. Slack's rotating user token.

    Its access token, refresh token and expiry (Unix seconds) live in the fields ``token_field``,
    ``refresh_field`` and ``expires_field``; it is refreshed with its own refresh token at the app's token URL,
    and the answer's top-level ``access_token``, ``refresh_token`` and ``expires_at`` fill those fields.
    """

    name: str
    token_field: str
    refresh_field: str
    expires_field: str

    def refreshed_fields(self, token: Mapping[str, Any]) -> dict[str, str]:
        """The fields a refresh answer for this token gives."""
        fields = {
            field: str(token[key])
            for key, field in (("access_token", self.token_field), ("refresh_token", self.refresh_field))
            if isinstance(token.get(key), str) and token[key]
        }
        expires_at = token.get("expires_at")
        if isinstance(expires_at, int | float) and not isinstance(expires_at, bool):
            fields[self.expires_field] = str(int(expires_at))
        return fields

    def expires_at(self, fields: Mapping[str, str]) -> dt.datetime | None:
        """When the token expires by its stored fields; None when unknown."""
        try:
            return dt.datetime.fromtimestamp(float(fields.get(self.expires_field) or ""), dt.UTC)
        except (ValueError, OverflowError, OSError):
            return None


@dataclass(frozen=True, slots=True)
class OAuth2Auth:
    """OAuth 2 authorization code; the stored connection holds the access (and refresh) token.

    The server's connect flow (``nlactions.connect``) sends users to ``authorize_url`` and exchanges the code
    at ``token_url``; the operator registers the client id and secret. ``user_scopes``: scopes granted to the
    installing user rather than the app (Slack's ``user_scope``, sent as ``user_scope_param``). ``pkce``: the
    provider supports PKCE S256. ``token_fields`` maps the token response to the fields (default: RFC 6749's
    ``access_token`` and ``refresh_token``); ``refresh_token_field`` names the field refreshed with.
    ``side_tokens``: further tokens the connection refreshes on their own (Slack's rotating user token).
    """

    authorize_url: str = ""
    token_url: str = ""
    scopes: tuple[str, ...] = ()
    user_scopes: tuple[str, ...] = ()
    fields: tuple[AuthField, ...] = (
        AuthField("access_token", "Access Token"),
        AuthField("refresh_token", "Refresh Token", required=False),
    )
    test: AuthTest | None = None
    pkce: bool = False
    scope_separator: str = " "
    user_scope_param: str = "user_scope"
    authorize_params: tuple[tuple[str, str], ...] = ()
    client_auth: Literal["client_secret_post", "client_secret_basic"] = "client_secret_post"
    token_fields: TokenFields = standard_token_fields
    refresh_token_field: str = "refresh_token"
    side_tokens: tuple[SideToken, ...] = ()
    kind: Literal["oauth2"] = "oauth2"

    def side_token(self, name: str) -> SideToken | None:
        """The side token called ``name``, if the app declares one."""
        return next((side for side in self.side_tokens if side.name == name), None)

    def httpx_auth(self, credentials: Mapping[str, str]) -> httpx.Auth | None:
        """Attach the access token as a bearer token."""
        return _HeaderAuth({"Authorization": f"Bearer {credentials.get('access_token', '')}"})

    @property
    def connect_fields(self) -> tuple[AuthField, ...]:
        """What a person gives before connecting: the non-secret fields the flow does not fill (side tokens')."""
        sides = self.side_tokens
        filled = {key for side in sides for key in (side.token_field, side.refresh_field, side.expires_field)}
        return tuple(f for f in self.fields if not f.secret and f.key not in filled)

    @property
    def connectable(self) -> bool:
        """True when the app declares the provider's endpoints, so the connect flow can run."""
        return bool(self.authorize_url and self.token_url)


@dataclass(frozen=True, slots=True)
class FieldsAuth:
    """Fields the app uses itself (a mail or database server's login); nothing is attached to HTTP requests.

    Zapier calls this kind ``custom``. The app reads ``ctx.credentials`` and opens its own connections
    (through ``ctx.tcp_address``, so the SSRF guard vets them); ``ctx.http`` carries no credentials.
    """

    fields: tuple[AuthField, ...] = ()
    test: AuthTest | None = None
    kind: Literal["custom"] = "custom"

    def httpx_auth(self, credentials: Mapping[str, str]) -> httpx.Auth | None:
        """No credentials on HTTP requests: the fields are for the app's own connections."""
        return None


def bearer_auth(token: str) -> httpx.Auth:
    """An ``Authorization: Bearer`` auth for one request (``ctx.http.request(..., auth=bearer_auth(t))``).

    For an app holding two tokens (a bot's and a user's): the per-request auth replaces the client's.
    """
    return _HeaderAuth({"Authorization": f"Bearer {token}"})


AuthKind = NoAuth | ApiKeyAuth | BasicAuth | OAuth2Auth | FieldsAuth
