"""A local OAuth 2 provider on 127.0.0.1, served with authlib's authorization-server parts, for connect tests.

``GET /authorize`` approves at once (``provider.decision = "deny"`` answers ``error=access_denied``), checking
the client, the redirect URI and, with ``pkce=True``, requiring an S256 ``code_challenge``. ``POST /token``
serves ``authorization_code`` (the code verifier checked) and ``refresh_token`` with rotation: each refresh
token works once, a refreshed one is revoked, and ``provider.revoke_all()`` makes every refresh token answer
``invalid_grant``. ``provider.refreshes`` counts successful refreshes; ``refresh_delay`` slows each refresh
(to widen a race). ``shape`` rewrites each token answer (Slack's ``oauth.v2.access`` shape); ``on_issue`` sees
each issued token (to teach a vendor peer the new access token).

``user_tokens=True`` issues a user token pair the way Slack does with token rotation on: the code exchange's
answer carries ``authed_user {access_token, refresh_token, expires_in, token_type: "user"}``, and a refresh
with the user's refresh token answers the new user pair at the top with ``token_type: "user"``.
``user_access_tokens`` lists the user tokens issued, ``user_refreshes`` counts the user refreshes (also
counted in ``refreshes``).
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import parse_qsl

from authlib.oauth2 import AuthorizationServer, OAuth2Error, OAuth2Request
from authlib.oauth2.rfc6749 import ClientMixin, grants
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload
from authlib.oauth2.rfc6750 import BearerTokenGenerator
from authlib.oauth2.rfc7636 import CodeChallenge
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from helpers.threaded_server import ThreadedServer

__all__ = ["OAuthProvider"]

Token = dict[str, Any]


@dataclass
class _Client(ClientMixin):  # type: ignore[misc]
    client_id: str
    client_secret: str
    redirect_uris: list[str]
    scope: str

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str:
        return self.redirect_uris[0]

    def get_allowed_scope(self, scope: str) -> str:
        return scope or self.scope

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return secrets.compare_digest(client_secret, self.client_secret)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in ("client_secret_post", "client_secret_basic")

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in ("authorization_code", "refresh_token")


@dataclass
class _Code:
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    user: str
    code_challenge: str | None
    code_challenge_method: str | None

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope


@dataclass
class _Refresh:
    token: str
    client_id: str
    scope: str
    user: str
    revoked: bool = False
    kind: str = "bot"

    def check_client(self, client: _Client) -> bool:
        return client.client_id == self.client_id

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return 0

    def is_expired(self) -> bool:
        return False

    def is_revoked(self) -> bool:
        return self.revoked

    def get_user(self) -> str:
        return self.user


class _Request(OAuth2Request):  # type: ignore[misc]
    """An authlib request from what Starlette read (query and form already parsed)."""

    def __init__(self, method: str, path: str, query: dict[str, str], form: dict[str, str], headers: dict[str, str]):
        # authlib refuses http:// URIs unless told otherwise; this peer runs on loopback over plain HTTP.
        super().__init__(method, "https://provider.test" + path, headers=headers)
        self._query, self._form = query, form
        self.payload = BasicOAuth2Payload({**query, **form})

    @property
    def args(self) -> dict[str, str]:
        return self._query

    @property
    def form(self) -> dict[str, str]:
        return self._form


@dataclass
class _Store:
    codes: dict[str, _Code] = field(default_factory=dict)
    refresh: dict[str, _Refresh] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


class OAuthProvider(ThreadedServer):
    """The provider, served by uvicorn in a background thread on a free port of 127.0.0.1."""

    label = "OAuth provider"

    def __init__(
        self,
        *,
        client_id: str = "client-123",
        client_secret: str = "client-secret-456",
        scope: str = "read write",
        pkce: bool = False,
        expires_in: int = 3600,
        user: str = "ana",
        user_tokens: bool = False,
    ) -> None:
        super().__init__()
        self.client_id = client_id
        self.client_secret = client_secret
        self.scope = scope
        self.pkce = pkce
        self.expires_in = expires_in
        self.user = user
        self.user_tokens = user_tokens
        self.user_access_tokens: list[str] = []
        self.user_refreshes = 0
        self.decision = "approve"
        self.redirect_uris: list[str] = []
        self.refreshes = 0
        self.refresh_delay = 0.0
        self.authorize_requests: list[dict[str, str]] = []
        self.token_requests: list[dict[str, str]] = []
        self.access_tokens: list[str] = []
        self.shape: Callable[[Token], Token] | None = None
        self.on_issue: Callable[[Token], None] | None = None
        self._store = _Store()
        self._oauth = self._authorization_server()
        self.serve(
            Starlette(routes=[Route("/authorize", self._authorize), Route("/token", self._token, methods=["POST"])])
        )

    @property
    def authorize_url(self) -> str:
        """The authorization endpoint."""
        return f"http://127.0.0.1:{self.port}/authorize"

    @property
    def token_url(self) -> str:
        """The token endpoint."""
        return f"http://127.0.0.1:{self.port}/token"

    @property
    def refresh_attempts(self) -> int:
        """Refresh requests received, whether they succeeded or not."""
        return sum(1 for form in self.token_requests if form.get("grant_type") == "refresh_token")

    def revoke_all(self) -> None:
        """Every refresh token issued so far answers ``invalid_grant`` from now on."""
        with self._store.lock:
            for item in self._store.refresh.values():
                item.revoked = True

    def kind_of(self, refresh_token: str | None) -> str:
        """``"user"`` for a refresh token of a user token pair, else ``"bot"``."""
        with self._store.lock:
            item = self._store.refresh.get(refresh_token or "")
        return item.kind if item is not None else "bot"

    def _user_pair(self, client_id: str) -> Token:
        """A new user token pair, as Slack's ``authed_user`` carries it."""
        access, refresh = "xoxp-user-" + secrets.token_urlsafe(12), "rt-user-" + secrets.token_urlsafe(24)
        with self._store.lock:
            self._store.refresh[refresh] = _Refresh(refresh, client_id, self.scope, self.user, kind="user")
        self.user_access_tokens.append(access)
        return {
            "id": self.user,
            "access_token": access,
            "refresh_token": refresh,
            "expires_in": self.expires_in,
            "token_type": "user",
        }

    # --- authlib's server parts ---

    def _authorization_server(self) -> AuthorizationServer:
        provider = self
        store = self._store

        class Server(AuthorizationServer):  # type: ignore[misc]
            def query_client(self, client_id: str) -> _Client | None:
                if client_id != provider.client_id:
                    return None
                return _Client(provider.client_id, provider.client_secret, provider.redirect_uris, provider.scope)

            def save_token(self, token: Token, request: OAuth2Request) -> None:
                kind = provider.kind_of(request.form.get("refresh_token"))
                if token.get("refresh_token"):
                    with store.lock:
                        store.refresh[token["refresh_token"]] = _Refresh(
                            token["refresh_token"],
                            request.client.client_id,
                            token.get("scope", ""),
                            provider.user,
                            kind=kind,
                        )
                (provider.user_access_tokens if kind == "user" else provider.access_tokens).append(
                    token["access_token"]
                )

            def create_oauth2_request(self, request: OAuth2Request) -> OAuth2Request:
                return request

            def handle_response(self, status: int, body: Any, headers: Any) -> tuple[int, Any, Any]:
                return status, body, headers

            def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
                return None

        class CodeGrant(grants.AuthorizationCodeGrant):  # type: ignore[misc]
            TOKEN_ENDPOINT_AUTH_METHODS: ClassVar[list[str]] = ["client_secret_basic", "client_secret_post"]

            def save_authorization_code(self, code: str, request: OAuth2Request) -> None:
                data = request.payload.data
                store.codes[code] = _Code(
                    code,
                    request.client.client_id,
                    data.get("redirect_uri", ""),
                    data.get("scope", "") or provider.scope,
                    provider.user,
                    data.get("code_challenge"),
                    data.get("code_challenge_method"),
                )

            def query_authorization_code(self, code: str, client: _Client) -> _Code | None:
                item = store.codes.get(code)
                return item if item is not None and item.client_id == client.client_id else None

            def delete_authorization_code(self, authorization_code: _Code) -> None:
                store.codes.pop(authorization_code.code, None)

            def authenticate_user(self, authorization_code: _Code) -> str:
                return authorization_code.user

        class RefreshGrant(grants.RefreshTokenGrant):  # type: ignore[misc]
            TOKEN_ENDPOINT_AUTH_METHODS: ClassVar[list[str]] = ["client_secret_basic", "client_secret_post"]
            INCLUDE_NEW_REFRESH_TOKEN = True

            def authenticate_refresh_token(self, refresh_token: str) -> _Refresh | None:
                with store.lock:
                    item = store.refresh.get(refresh_token)
                return item if item is not None and not item.revoked else None

            def authenticate_user(self, refresh_token: _Refresh) -> str:
                return refresh_token.user

            def revoke_old_credential(self, refresh_token: _Refresh) -> None:
                with store.lock:
                    refresh_token.revoked = True
                provider.refreshes += 1
                if refresh_token.kind == "user":
                    provider.user_refreshes += 1

        server = Server()
        server.register_token_generator(
            "default",
            BearerTokenGenerator(
                access_token_generator=lambda **_: "at-" + secrets.token_urlsafe(24),
                refresh_token_generator=lambda **_: "rt-" + secrets.token_urlsafe(24),
                expires_generator=lambda client, grant_type: provider.expires_in,
            ),
        )
        server.register_grant(CodeGrant, [CodeChallenge(required=True)] if self.pkce else [])
        server.register_grant(RefreshGrant)
        return server

    # --- HTTP ---

    async def _authorize(self, request: Request) -> Response:
        query = dict(request.query_params)
        self.authorize_requests.append(query)
        oauth_request = _Request("GET", "/authorize", query, {}, dict(request.headers))
        try:
            grant = self._oauth.get_consent_grant(oauth_request)
        except OAuth2Error as error:
            return JSONResponse({"error": error.error, "error_description": error.description}, 400)
        user = self.user if self.decision == "approve" else None
        status, body, headers = self._oauth.create_authorization_response(oauth_request, grant_user=user, grant=grant)
        location = dict(headers).get("Location")
        if location:
            return RedirectResponse(location, status_code=302)
        return JSONResponse(body, status)

    async def _token(self, request: Request) -> Response:
        form = dict(parse_qsl((await request.body()).decode()))
        self.token_requests.append(form)
        if form.get("grant_type") == "refresh_token" and self.refresh_delay:
            time.sleep(self.refresh_delay)  # holds this peer's only thread: concurrent refreshes queue up
        oauth_request = _Request("POST", "/token", {}, form, dict(request.headers))
        status, body, _ = self._oauth.create_token_response(oauth_request)
        if status == 200 and isinstance(body, dict):
            grant = form.get("grant_type")
            if grant == "refresh_token" and self.kind_of(form.get("refresh_token")) == "user":
                body["token_type"] = "user"
            elif grant == "authorization_code" and self.user_tokens:
                body["authed_user"] = self._user_pair(self.client_id)
            if self.on_issue is not None:
                self.on_issue(body)
            if self.shape is not None:
                body = self.shape(body)
        return JSONResponse(body, status, headers={"Cache-Control": "no-store"})
