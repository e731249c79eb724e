"""A client as authlib's grants see it (``ClientMixin``), from a stored row or a client ID metadata document."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from urllib.parse import urlsplit

from authlib.oauth2.rfc6749 import ClientMixin

from nlactions.db.models import OAuthClient
from nlactions.kit.crypto import hash_token
from nlactions.oauth.scopes import split_scope

GRANT_TYPES = ("authorization_code", "refresh_token")
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
MAX_REDIRECT_URIS = 20
MAX_URI = 2000
FORBIDDEN = frozenset(" \"'<>\\`")
"""Characters a redirect URI may not hold unencoded (its origin goes into the consent page's CSP)."""


@dataclass(frozen=True, slots=True)
class ClientView(ClientMixin):
    """What the grants need to know of a client; ``secret_hash`` is None for a public client (PKCE only)."""

    client_id: str
    name: str
    redirect_uris: tuple[str, ...]
    scope: str
    secret_hash: str | None = None
    account_id: int | None = None
    origin: str = "cli"

    @classmethod
    def of(cls, row: OAuthClient) -> ClientView:
        """The view of a stored client."""
        return cls(
            row.client_id,
            row.name,
            tuple(row.redirect_uris),
            row.scope,
            row.secret_hash,
            row.account_id,
            row.origin,
        )

    @property
    def public(self) -> bool:
        """Has no secret: authenticates with ``none`` and proves the code with PKCE."""
        return self.secret_hash is None

    def get_client_id(self) -> str:
        """The client's id."""
        return self.client_id

    def get_default_redirect_uri(self) -> str | None:
        """The only registered redirect URI, when there is exactly one."""
        return self.redirect_uris[0] if len(self.redirect_uris) == 1 else None

    def get_allowed_scope(self, scope: str | None) -> str:
        """The requested scopes this client may have (all of its own when none were asked for)."""
        allowed = split_scope(self.scope)
        if not scope:
            return " ".join(allowed)
        return " ".join(s for s in split_scope(scope) if s in allowed)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        """Exact match with a registered URI (no prefix or pattern matching)."""
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        """The secret matches the stored hash (constant time)."""
        if self.secret_hash is None:
            return False
        return hmac.compare_digest(hash_token(client_secret), self.secret_hash)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        """Public clients send no secret (``none``); confidential ones send it in Basic auth or the form."""
        if self.public:
            return method == "none"
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type: str) -> bool:
        """Only the authorization code flow."""
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        """Codes and refresh tokens."""
        return grant_type in GRANT_TYPES


def redirect_uri_problem(uri: object) -> str | None:
    """Why ``uri`` cannot be a redirect URI, or None: https, http on a loopback host, or a reverse-DNS scheme."""
    if not isinstance(uri, str) or not uri:
        return "each redirect URI must be a non-empty string"
    if len(uri) > MAX_URI:
        return f"redirect URI longer than {MAX_URI} characters"
    try:
        parts = urlsplit(uri)
        host = parts.hostname
    except ValueError:
        return f"{uri!r} is not a URL"
    if parts.fragment or "#" in uri:
        return f"{uri!r} has a fragment (#…), which a redirect URI may not have"
    if any(ch in FORBIDDEN for ch in uri) or any(ord(ch) < 0x21 or ord(ch) == 0x7F for ch in uri):
        return (
            f"{uri!r} contains a space, quote, '<', '>', backquote, backslash or control character; percent-encode it"
        )
    if any(ch in ";," for ch in parts.scheme + parts.netloc):
        return f"{uri!r} has ';' or ',' in its scheme or host"
    if parts.username is not None or parts.password is not None:
        return f"{uri!r} carries a user name or password (user@host), which a redirect URI may not"
    if parts.scheme == "https" and host:
        return None
    if parts.scheme == "http" and host in LOOPBACK_HOSTS:
        return None
    if "." in parts.scheme and parts.scheme not in ("http", "https"):
        return None  # a native app's private-use scheme (RFC 8252 §7.1), e.g. com.example.app:/callback
    return (
        f"{uri!r} must be https, http on localhost/127.0.0.1/[::1], or a reverse-DNS private-use scheme "
        "(com.example.app:/callback)"
    )


def check_redirect_uris(uris: object) -> list[str]:
    """``uris`` as a list; ValueError naming the field and the problem."""
    if not isinstance(uris, list) or not uris:
        raise ValueError("redirect_uris: give at least one redirect URI")
    if len(uris) > MAX_REDIRECT_URIS:
        raise ValueError(f"redirect_uris: at most {MAX_REDIRECT_URIS} redirect URIs")
    for uri in uris:
        problem = redirect_uri_problem(uri)
        if problem:
            raise ValueError(f"redirect_uris: {problem}")
    return [str(u) for u in dict.fromkeys(uris)]
