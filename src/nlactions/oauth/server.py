"""authlib's authorization server wired to our tables, and the small adapter from Starlette requests.

authlib's grants are synchronous; each request builds one ``OAuthServer`` around a synchronous
``Session`` (``AsyncSession.run_sync``), so every callback runs in the request's one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from authlib.oauth2.rfc6749 import (
    AuthorizationServer,
    InvalidGrantError,
    InvalidRequestError,
    JsonPayload,
    JsonRequest,
    OAuth2Payload,
    OAuth2Request,
)
from authlib.oauth2.rfc6749.grants import AuthorizationCodeGrant, RefreshTokenGrant
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7591 import ClientRegistrationEndpoint, InvalidClientMetadataError, InvalidRedirectURIError
from authlib.oauth2.rfc7636 import CodeChallenge
from sqlalchemy.orm import Session

from nlactions.db.models import OAuthClient, OAuthCode, OAuthToken, User
from nlactions.kit.crypto import hash_token
from nlactions.oauth import repository as repo
from nlactions.oauth.clients import GRANT_TYPES, ClientView, check_redirect_uris
from nlactions.oauth.keys import SigningKey
from nlactions.oauth.scopes import SCOPES, check_scope, split_scope
from nlactions.oauth.tokens import new_access_token, new_client_id, new_code, new_refresh_token, token_prefix

AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]


def description(text: str) -> str:
    """``text`` as an OAuth error description may carry it (RFC 6749 allows no double quote, backslash or control)."""
    return "".join(ch if 0x20 <= ord(ch) <= 0x7E and ch not in '"\\' else "?" for ch in text)


class RaceLost(Exception):
    """A concurrent request used the same refresh token first: this one is rolled back."""


@dataclass(frozen=True)
class Lifetimes:
    """How long codes, access tokens and refresh tokens live, in seconds."""

    code: int
    access: int
    refresh: int


@dataclass(frozen=True)
class Grantee:
    """Who consented and for which account: what a code or token stands for."""

    user_id: int
    account_id: int
    grant_id: str
    email: str = ""
    name: str = ""
    nonce: str | None = None


# -- the adapter ---------------------------------------------------------------------------------------


class _Payload(OAuth2Payload):
    def __init__(self, pairs: list[tuple[str, str]]):
        self._data = dict(pairs)
        lists: defaultdict[str, list[str]] = defaultdict(list)
        for key, value in pairs:
            lists[key].append(value)
        self._datalist = lists

    @property
    def data(self) -> dict[str, str]:
        return self._data

    @property
    def datalist(self) -> defaultdict[str, list[str]]:
        return self._datalist


class FormRequest(OAuth2Request):
    """An OAuth2 request from Starlette's parts: the query or form fields already read (async) by the endpoint."""

    def __init__(self, method: str, uri: str, headers: Mapping[str, str], pairs: list[tuple[str, str]]):
        super().__init__(method=method, uri=uri, headers=headers)
        self.payload = _Payload(pairs)

    @property
    def args(self) -> dict[str, str]:
        return self.payload.data

    @property
    def form(self) -> dict[str, str]:
        return self.payload.data


class _Json(JsonPayload):
    def __init__(self, data: dict[str, Any]):
        self._data = data

    @property
    def data(self) -> dict[str, Any]:
        return self._data


class BodyRequest(JsonRequest):
    """A JSON request (dynamic client registration) with its body already parsed."""

    def __init__(self, uri: str, headers: Mapping[str, str], data: dict[str, Any]):
        super().__init__("POST", uri, headers)
        self.payload = _Json(data)


# -- models as the grants see them -------------------------------------------------------------------


class CodeView:
    """A stored code as authlib's ``AuthorizationCodeMixin``."""

    def __init__(self, row: OAuthCode):
        self.row = row

    def get_redirect_uri(self) -> str:
        return self.row.redirect_uri

    def get_scope(self) -> str:
        return self.row.scope


class TokenView:
    """A stored token row as authlib's ``TokenMixin``."""

    def __init__(self, row: OAuthToken):
        self.row = row

    def check_client(self, client: ClientView) -> bool:
        return bool(self.row.client_id == client.client_id)

    def get_scope(self) -> str:
        return self.row.scope

    def get_expires_in(self) -> int:
        return int((repo.aware(self.row.expires_at) - repo.aware(self.row.created_at)).total_seconds())

    def is_expired(self) -> bool:
        return repo.aware(self.row.expires_at) <= repo.now()

    def is_revoked(self) -> bool:
        return self.row.revoked_at is not None


def _grantee(db: Session, user_id: int, account_id: int, grant_id: str, nonce: str | None = None) -> Grantee | None:
    user = db.get(User, user_id)
    if user is None:
        return None
    return Grantee(user.id, account_id, grant_id, user.email, user.name, nonce)


# -- grants ----------------------------------------------------------------------------------------------


class S256Challenge(CodeChallenge):
    """PKCE, required of every client and S256 only (authlib would issue a code without a challenge)."""

    SUPPORTED_CODE_CHALLENGE_METHOD: ClassVar[list[str]] = ["S256"]
    DEFAULT_CODE_CHALLENGE_METHOD = "S256"

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        data = grant.request.payload.data
        if not data.get("code_challenge"):
            raise InvalidRequestError(
                "code_challenge: missing. This server requires PKCE: send code_challenge="
                "BASE64URL(SHA256(code_verifier)) and code_challenge_method=S256."
            )
        if data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("code_challenge_method: must be S256 (plain, or none given, is refused).")
        super().validate_code_challenge(grant, redirect_uri)

    def validate_code_verifier(self, grant: Any, result: Any) -> None:
        try:
            super().validate_code_verifier(grant, result)
        except InvalidGrantError as exc:
            raise InvalidGrantError(
                "code_verifier: does not match the code_challenge sent to /oauth/authorize/ "
                "(S256: the challenge is BASE64URL(SHA256(code_verifier)))."
            ) from exc

    def get_authorization_code_challenge(self, authorization_code: CodeView) -> str:
        return authorization_code.row.code_challenge

    def get_authorization_code_challenge_method(self, authorization_code: CodeView) -> str:
        return "S256"


class CodeGrant(AuthorizationCodeGrant):
    """The authorization code grant: codes hashed, single-use, short-lived; reuse revokes what they gave."""

    TOKEN_ENDPOINT_AUTH_METHODS: ClassVar[list[str]] = AUTH_METHODS

    @property
    def _server(self) -> OAuthServer:
        return self.server

    def generate_authorization_code(self) -> str:
        return new_code()

    def save_authorization_code(self, code: str, request: FormRequest) -> None:
        grantee: Grantee = request.user
        data = request.payload.data
        repo.add_code(
            self._server.db,
            OAuthCode(
                code_hash=hash_token(code),
                client_id=request.client.client_id,
                user_id=grantee.user_id,
                account_id=grantee.account_id,
                redirect_uri=data.get("redirect_uri") or "",
                scope=request.scope or "",
                code_challenge=data["code_challenge"],
                nonce=(data.get("nonce") or None),
                grant_id=grantee.grant_id,
                expires_at=repo.now() + dt.timedelta(seconds=self._server.lifetimes.code),
            ),
        )

    def query_authorization_code(self, code: str, client: ClientView) -> CodeView | None:
        db, digest = self._server.db, hash_token(code)
        if repo.claim_code(db, digest, client.client_id):
            row = repo.code_by_hash(db, digest)
            return CodeView(row) if row else None
        row = repo.code_by_hash(db, digest)
        if row is None or row.client_id != client.client_id:
            return None
        if row.used_at is not None:
            repo.revoke_grant(db, row.grant_id)
            raise InvalidGrantError(
                "code: this authorization code was already used; codes work once, so the tokens it gave are now "
                "revoked. Start again at /oauth/authorize/."
            )
        raise InvalidGrantError(
            f"code: expired (codes live {self._server.lifetimes.code} s); start again at /oauth/authorize/."
        )

    def delete_authorization_code(self, authorization_code: CodeView) -> None:
        """Nothing to do: ``query_authorization_code`` marked it used."""

    def authenticate_user(self, authorization_code: CodeView) -> Grantee | None:
        row = authorization_code.row
        return _grantee(self._server.db, row.user_id, row.account_id, row.grant_id, row.nonce)


class RefreshGrant(RefreshTokenGrant):
    """Refresh with rotation: each refresh token works once; reusing a rotated one revokes its grant."""

    TOKEN_ENDPOINT_AUTH_METHODS: ClassVar[list[str]] = AUTH_METHODS
    INCLUDE_NEW_REFRESH_TOKEN = True

    @property
    def _server(self) -> OAuthServer:
        return self.server

    def authenticate_refresh_token(self, refresh_token: str) -> TokenView | None:
        db = self._server.db
        row = repo.token_by_refresh(db, hash_token(refresh_token))
        if row is None:
            raise InvalidGrantError("refresh_token: not a refresh token this server issued.")
        if row.revoked_at is not None:
            raise InvalidGrantError("refresh_token: revoked; sign in again at /oauth/authorize/.")
        if row.rotated_at is not None:
            repo.revoke_grant(db, row.grant_id)
            raise InvalidGrantError(
                "refresh_token: already used (each refresh token works once; use the one the last refresh "
                "returned). Its reuse revoked every token of this grant: sign in again at /oauth/authorize/."
            )
        if row.refresh_expires_at is not None and repo.aware(row.refresh_expires_at) <= repo.now():
            raise InvalidGrantError("refresh_token: expired; sign in again at /oauth/authorize/.")
        return TokenView(row)

    def authenticate_user(self, refresh_token: TokenView) -> Grantee | None:
        row = refresh_token.row
        return _grantee(self._server.db, row.user_id, row.account_id, row.grant_id)

    def revoke_old_credential(self, refresh_token: TokenView) -> None:
        if not repo.rotate(self._server.db, refresh_token.row.id):
            raise RaceLost()


class Revocation(RevocationEndpoint):
    """RFC 7009: revoking either token of a grant ends the whole grant."""

    CLIENT_AUTH_METHODS: ClassVar[list[str]] = AUTH_METHODS

    def query_token(self, token_string: str, token_type_hint: str | None) -> TokenView | None:
        db, digest = self.server.db, hash_token(token_string)
        finders = [repo.token_by_access_sync, repo.token_by_refresh]
        if token_type_hint == "refresh_token":
            finders.reverse()
        for find in finders:
            row = find(db, digest)
            if row is not None:
                return TokenView(row)
        return None

    def revoke_token(self, token: TokenView, request: FormRequest) -> None:
        repo.revoke_grant(self.server.db, token.row.grant_id)


class Registration(ClientRegistrationEndpoint):
    """RFC 7591 dynamic registration, open to anyone, of public clients only (they must use PKCE)."""

    def authenticate_token(self, request: BodyRequest) -> bool:
        return True

    def get_server_metadata(self) -> dict[str, Any]:
        return dict(self.server.metadata)

    def extract_client_metadata(self, request: BodyRequest) -> dict[str, Any]:
        data = request.payload.data
        uris = data.get("redirect_uris")
        if not isinstance(uris, list) or not all(isinstance(u, str) for u in uris):
            raise InvalidRedirectURIError("redirect_uris: send a list of redirect URI strings.")
        try:
            return super().extract_client_metadata(request)
        except (TypeError, AttributeError, ValueError) as exc:
            # authlib's claim checks assume the right JSON types; anything else is the client's metadata at fault.
            raise InvalidClientMetadataError(
                "a client metadata field has the wrong type (strings for names and URIs, lists of strings for "
                "redirect_uris, grant_types, response_types and contacts)."
            ) from exc

    def generate_client_id(self, request: BodyRequest) -> str:
        return new_client_id()

    def generate_client_secret(self, request: BodyRequest) -> None:
        return None

    def generate_client_info(self, request: BodyRequest) -> dict[str, Any]:
        info = super().generate_client_info(request)
        info.pop("client_secret", None)
        info.pop("client_secret_expires_at", None)
        return info

    def save_client(self, client_info: dict[str, Any], client_metadata: dict[str, Any], request: BodyRequest) -> Any:
        data = request.payload.data
        method = data.get("token_endpoint_auth_method", "none")
        if method != "none":
            raise InvalidClientMetadataError(
                description(
                    f"token_endpoint_auth_method: {method!r} is refused; a client registering itself is public: "
                    "send 'none' (or leave it out) and use PKCE."
                )
            )
        try:
            uris = check_redirect_uris(data.get("redirect_uris"))
        except ValueError as exc:
            raise InvalidRedirectURIError(description(str(exc))) from exc
        for key, allowed in (("grant_types", GRANT_TYPES), ("response_types", ("code",))):
            asked = data.get(key)
            if asked is not None and (not isinstance(asked, list) or not set(asked) <= set(allowed)):
                raise InvalidClientMetadataError(f"{key}: only {', '.join(allowed)} are supported.")
        try:
            scope = check_scope(data.get("scope") if isinstance(data.get("scope"), str) else None)
        except ValueError as exc:
            raise InvalidClientMetadataError(description(str(exc))) from exc
        name = data.get("client_name")
        row = OAuthClient(
            client_id=client_info["client_id"],
            account_id=None,
            name=name[:200] if isinstance(name, str) and name.strip() else "unnamed client",
            secret_hash=None,
            redirect_uris=uris,
            scope=scope,
            origin="dynamic",
        )
        repo.add_client_sync(self.server.db, row)
        return row

    def generate_client_registration_info(self, client: OAuthClient, request: BodyRequest) -> dict[str, Any]:
        return {
            "client_name": client.name,
            "redirect_uris": client.redirect_uris,
            "scope": client.scope,
            "token_endpoint_auth_method": "none",
            "grant_types": list(GRANT_TYPES),
            "response_types": ["code"],
        }


# -- the server --------------------------------------------------------------------------------------------


@dataclass
class OAuthServer(AuthorizationServer):
    """One request's authorization server: authlib's flows over our tables through ``db``."""

    db: Session
    lifetimes: Lifetimes
    issuer: str
    signing: SigningKey
    metadata: Mapping[str, Any]
    documents: dict[str, ClientView] = field(default_factory=dict)
    """Clients named by a metadata-document URL, fetched by the endpoint before authlib runs."""

    def __post_init__(self) -> None:
        super().__init__(scopes_supported=list(SCOPES))
        self.register_token_generator("default", self._generate_token)
        self.register_grant(CodeGrant, [S256Challenge(required=True)])
        self.register_grant(RefreshGrant)
        self.register_endpoint(Revocation)
        self.register_endpoint(Registration(self))

    def query_client(self, client_id: str) -> ClientView | None:
        if client_id in self.documents:
            return self.documents[client_id]
        row = repo.live_client(self.db, client_id)
        return ClientView.of(row) if row else None

    def _generate_token(
        self,
        grant_type: str,
        client: ClientView,
        user: Grantee | None = None,
        scope: str | None = None,
        expires_in: int | None = None,
        include_refresh_token: bool = True,
    ) -> dict[str, Any]:
        token: dict[str, Any] = {
            "token_type": "Bearer",
            "access_token": new_access_token(),
            "expires_in": self.lifetimes.access,
            "scope": scope or "",
        }
        if include_refresh_token:
            token["refresh_token"] = new_refresh_token()
        return token

    def save_token(self, token: dict[str, Any], request: FormRequest) -> None:
        grantee: Grantee = request.user
        client: ClientView = request.client
        issued = repo.now()
        refresh = token.get("refresh_token")
        repo.add_token(
            self.db,
            OAuthToken(
                grant_id=grantee.grant_id,
                client_id=client.client_id,
                user_id=grantee.user_id,
                account_id=grantee.account_id,
                scope=token.get("scope", ""),
                prefix=token_prefix(token["access_token"]),
                access_hash=hash_token(token["access_token"]),
                refresh_hash=hash_token(refresh) if refresh else None,
                created_at=issued,
                expires_at=issued + dt.timedelta(seconds=self.lifetimes.access),
                refresh_expires_at=issued + dt.timedelta(seconds=self.lifetimes.refresh) if refresh else None,
            ),
        )
        scopes = split_scope(token.get("scope"))
        if "openid" in scopes:
            claims: dict[str, Any] = {"iss": self.issuer, "sub": str(grantee.user_id), "aud": client.client_id}
            if grantee.nonce:
                claims["nonce"] = grantee.nonce
            if "email" in scopes:
                claims["email"] = grantee.email
            if "profile" in scopes:
                claims["name"] = grantee.name
            token["id_token"] = self.signing.id_token(claims, self.lifetimes.access)

    def create_oauth2_request(self, request: FormRequest) -> FormRequest:
        return request

    def create_json_request(self, request: BodyRequest) -> BodyRequest:
        return request

    def handle_response(self, status: int, body: Any, headers: Any) -> tuple[int, Any, list[tuple[str, str]]]:
        return status, body, list(headers or [])

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        """No signals: nothing listens."""
