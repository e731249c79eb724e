"""Bearer credentials: an OAuth access token becomes a caller of its one account with its scopes; else an API key."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nlactions.accounts.service import Caller, KeyAuthenticator
from nlactions.errors import Unauthorized
from nlactions.kit.crypto import hash_token
from nlactions.kit.expiring import ExpiringCache
from nlactions.oauth import repository as repo
from nlactions.oauth.scopes import split_scope
from nlactions.oauth.tokens import is_access_token

MAX_CACHED = 10_000


class TokenAuthenticator:
    """Turns an OAuth access token into a ``Caller``; cached like API keys (revocation applies within the TTL)."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], ttl_seconds: float):
        self._sessions = sessions
        self._ttl = ttl_seconds
        self._cache: ExpiringCache[Caller] = ExpiringCache(MAX_CACHED)

    async def authenticate(self, token: str) -> Caller:
        """The caller for ``token``; 401 saying whether it is unknown, revoked or expired."""
        digest = hash_token(token)
        cached = self._cache.get(digest)
        if cached is not None:
            return cached
        async with self._sessions() as session:
            found = await repo.token_with_user(session, digest)
            if found is None:
                raise _refused("is not one this server issued", "Get one at /oauth/token/.")
            row, user = found
            if row.revoked_at is not None or await repo.client_revoked(session, row.client_id):
                raise _refused("was revoked", "Sign in again through /oauth/authorize/ for a new one.")
            expires = repo.aware(row.expires_at)
            if expires <= repo.now():
                raise _refused(
                    f"expired at {expires.isoformat(timespec='seconds')}",
                    "Exchange your refresh token at /oauth/token/ (grant_type=refresh_token) for a new one.",
                )
            if not await repo.is_member(session, user.id, row.account_id):
                raise _refused("belongs to an account its user has left", "Sign in again through /oauth/authorize/.")
        caller = Caller(
            user_id=user.id,
            email=user.email,
            name=user.name,
            is_staff=user.is_staff,
            default_account_id=row.account_id,
            account_ids=frozenset({row.account_id}),
            key_id=0,
            scopes=frozenset(split_scope(row.scope)),
            grant_id=row.grant_id,
        )
        left = (expires - repo.now()).total_seconds()
        self._cache.put(digest, caller, min(self._ttl, left))  # never past the token's own expiry
        return caller


class CallerAuthenticator:
    """The one authenticator of every front door: OAuth access tokens (``nlo_…``) and API keys."""

    def __init__(self, keys: KeyAuthenticator, tokens: TokenAuthenticator):
        self.keys = keys
        self.tokens = tokens

    async def authenticate(self, key: str | None) -> Caller:
        """The caller behind an API key or an OAuth access token; 401 otherwise."""
        if key and is_access_token(key):
            return await self.tokens.authenticate(key)
        return await self.keys.authenticate(key)


def _refused(what: str, hint: str) -> Unauthorized:
    return Unauthorized(f"The OAuth access token {what}.", code="invalid_token", hint=hint)
