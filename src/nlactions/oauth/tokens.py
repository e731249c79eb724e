"""Opaque OAuth secrets: access tokens, refresh tokens, codes and client secrets (stored as SHA-256 only)."""

from __future__ import annotations

import secrets

from nlactions.kit.crypto import hash_token

ACCESS_PREFIX = "nlo_"
"""Access tokens start with this, so the authenticator tells them from API keys (``nla_``) without a lookup."""
REFRESH_PREFIX = "nlr_"
CLIENT_SECRET_PREFIX = "nlcs_"


def new_access_token() -> str:
    """A fresh access token."""
    return ACCESS_PREFIX + secrets.token_urlsafe(32)


def new_refresh_token() -> str:
    """A fresh refresh token."""
    return REFRESH_PREFIX + secrets.token_urlsafe(32)


def new_code() -> str:
    """A fresh authorization code."""
    return secrets.token_urlsafe(32)


def new_client_id() -> str:
    """A fresh client id (not secret)."""
    return "nlc_" + secrets.token_urlsafe(16)


def new_client_secret() -> str:
    """A fresh client secret (shown once)."""
    return CLIENT_SECRET_PREFIX + secrets.token_urlsafe(32)


def token_prefix(token: str) -> str:
    """The part of an access token shown in listings and logs."""
    return token[: len(ACCESS_PREFIX) + 6]


def is_access_token(credential: str) -> bool:
    """Whether ``credential`` is shaped like one of our access tokens."""
    return credential.startswith(ACCESS_PREFIX)


__all__ = [
    "ACCESS_PREFIX",
    "hash_token",
    "is_access_token",
    "new_access_token",
    "new_client_id",
    "new_client_secret",
    "new_code",
    "new_refresh_token",
    "token_prefix",
]
