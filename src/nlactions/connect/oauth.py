"""The OAuth 2 client side, on authlib's httpx integration: authorize URLs, code exchange, refresh.

Every token request goes through a guarded client (``kit.http_bridge``): the SSRF guard vets the token
endpoint like any app's destination.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from authlib.integrations.base_client import OAuthError
from authlib.integrations.httpx_client import AsyncOAuth2Client

from nlactions.catalog import OAuth2Auth, SideToken
from nlactions.connect.clients import Registration
from nlactions.kit.http_bridge import GuardedBridge
from nlactions.kit.redact import scrub
from nlactions.kit.ssrf import BlockedDestination

HttpFactory = Callable[[httpx.Auth | None], httpx.AsyncClient]
MESSAGE_MAX = 300


class TokenRefused(Exception):
    """The provider answered the token request with an OAuth error (``invalid_grant``, ``invalid_client``…)."""

    def __init__(self, error: str, description: str | None):
        self.error = error[:100]
        self.description = (description or "")[:MESSAGE_MAX]
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """The provider's error code and description."""
        return self.error + (f" ({self.description})" if self.description else "")


class TokenUnreachable(Exception):
    """The token endpoint could not be reached or answered something that is not a token."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message[:MESSAGE_MAX]


@dataclass(frozen=True, slots=True)
class Tokens:
    """What a token response gave: the app's credential fields and when the access token expires."""

    fields: dict[str, str]
    expires_at: dt.datetime | None


def _client(registration: Registration, auth: OAuth2Auth, http: HttpFactory, **extra: Any) -> AsyncOAuth2Client:
    return AsyncOAuth2Client(
        client_id=registration.client_id,
        client_secret=registration.client_secret,
        token_endpoint_auth_method=auth.client_auth,
        transport=GuardedBridge(http(None)),
        **extra,
    )


def authorize_url(
    registration: Registration, auth: OAuth2Auth, *, redirect_uri: str, state: str, verifier: str | None
) -> str:
    """The provider's authorization URL for this state (PKCE S256 when the app declares it)."""
    extra: dict[str, str] = dict(auth.authorize_params)
    if registration.user_scopes:
        extra[auth.user_scope_param] = auth.scope_separator.join(registration.user_scopes)
    client = AsyncOAuth2Client(
        client_id=registration.client_id,
        redirect_uri=redirect_uri,
        scope=auth.scope_separator.join(registration.scopes) or None,
        code_challenge_method="S256" if auth.pkce else None,
    )
    url, _ = client.create_authorization_url(
        registration.authorize_url, state=state, code_verifier=verifier if auth.pkce else None, **extra
    )
    return str(url)


def _tokens(auth: OAuth2Auth, token: Mapping[str, Any], side: SideToken | None = None) -> Tokens:
    fields = side.refreshed_fields(token) if side is not None else auth.token_fields(token)
    expires_at = token.get("expires_at")
    when = dt.datetime.fromtimestamp(int(expires_at), dt.UTC) if isinstance(expires_at, int | float) else None
    return Tokens(fields, when)


def _unreachable(exc: Exception, secrets: tuple[str, ...]) -> TokenUnreachable:
    if isinstance(exc, BlockedDestination):
        return TokenUnreachable(exc.message)
    if isinstance(exc, httpx.TimeoutException):
        return TokenUnreachable(f"the token endpoint did not answer in time ({type(exc).__name__}).")
    if isinstance(exc, httpx.HTTPError):
        return TokenUnreachable(f"could not reach the token endpoint ({type(exc).__name__}).")
    return TokenUnreachable(scrub(f"the token endpoint's answer is not a token ({type(exc).__name__}).", secrets))


async def _token_call(registration: Registration, call: Any) -> Mapping[str, Any]:
    secrets = (registration.client_secret,)
    try:
        token = await call
    except OAuthError as exc:
        raise TokenRefused(scrub(str(exc.error or "error"), secrets), scrub(exc.description or "", secrets)) from None
    except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
        raise _unreachable(exc, secrets) from None
    if not isinstance(token, Mapping):
        raise TokenUnreachable("the token endpoint's answer is not a JSON object.")
    return token


async def exchange(
    registration: Registration,
    auth: OAuth2Auth,
    http: HttpFactory,
    *,
    code: str,
    redirect_uri: str,
    verifier: str | None,
) -> Tokens:
    """Exchange an authorization code for tokens; ``TokenRefused`` / ``TokenUnreachable`` when it fails."""
    extra = {"code_verifier": verifier} if auth.pkce and verifier else {}
    async with _client(registration, auth, http, redirect_uri=redirect_uri) as client:
        token = await _token_call(
            registration,
            client.fetch_token(registration.token_url, grant_type="authorization_code", code=code, **extra),
        )
    tokens = _tokens(auth, token)
    if not tokens.fields:
        raise TokenUnreachable("the token endpoint's answer holds no access token.")
    return tokens


async def refresh(
    registration: Registration,
    auth: OAuth2Auth,
    http: HttpFactory,
    *,
    refresh_token: str,
    side: SideToken | None = None,
) -> Tokens:
    """New tokens for a refresh token (the provider may rotate it); the same errors as ``exchange``.

    For a ``side`` token the answer fills that token's fields, and ``expires_at`` is left to them (None).
    """
    async with _client(registration, auth, http) as client:
        token = await _token_call(
            registration, client.refresh_token(registration.token_url, refresh_token=refresh_token)
        )
    tokens = _tokens(auth, token, side)
    return Tokens(tokens.fields, None) if side is not None else tokens
