"""Rules about callers: creating accounts and keys, and turning a key into a caller."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nlactions.accounts import repository as repo
from nlactions.db.models import Account, ApiKey, Membership, User
from nlactions.errors import Forbidden, NotFound, Unauthorized
from nlactions.kit.crypto import display_prefix, generate_api_key, hash_token
from nlactions.kit.expiring import ExpiringCache

DEFAULT_ACCOUNT = "default"
DEFAULT_USER_EMAIL = "admin@localhost"
EXECUTE_SCOPE = "nla:exposed_actions:execute"
"""The OAuth scope a bearer token needs to run or preview actions (an API key may always)."""


@dataclass(frozen=True, slots=True)
class Caller:
    """The authenticated user behind a request and the accounts its key reaches."""

    user_id: int
    email: str
    name: str
    is_staff: bool
    default_account_id: int
    account_ids: frozenset[int]
    key_id: int
    scopes: frozenset[str] | None = None
    """An OAuth access token's scopes; None for an API key (which may do everything in its accounts)."""
    grant_id: str | None = None
    """An OAuth access token's grant (the consent its tokens share); None for an API key."""

    @property
    def meter_id(self) -> str:
        """Whom the per-key rate limits count: the API key, or the OAuth grant (so refreshing resets nothing)."""
        return f"oauth:{self.grant_id}" if self.grant_id else str(self.key_id)

    def require_execute(self) -> None:
        """403 ``insufficient_scope`` when an OAuth token lacks the execute scope."""
        if self.scopes is not None and EXECUTE_SCOPE not in self.scopes:
            raise Forbidden(
                f"This OAuth access token lacks the scope {EXECUTE_SCOPE}, which running or previewing an action "
                "needs; it may only read.",
                code="insufficient_scope",
                hint=f"Ask for scope={EXECUTE_SCOPE} at /oauth/authorize/ and approve it, then use the new token.",
            )

    def check(self) -> dict[str, object]:
        """The auth-check answer (v1 and v2): who the key belongs to."""
        return {
            "success": True,
            "email": self.email,
            "name": self.name,
            "user_id": self.user_id,
            "is_staff": self.is_staff,
        }

    def account(self, account_id: int | None) -> int:
        """The account to act in: the requested one if the caller's key reaches it, else 403."""
        if account_id is None:
            return self.default_account_id
        if account_id not in self.account_ids:
            raise Forbidden(
                f"account_id {account_id} is not an account this API key reaches.",
                hint="Call GET /api/v2/auth/accounts/ for the ids you can use, or omit account_id. A key reaches "
                "the account it was created for, or all of its user's with `nlactions keys create --all-accounts`.",
            )
        return account_id


@dataclass(frozen=True, slots=True)
class CreatedKey:
    """A freshly created key: the only moment its plain text exists."""

    key: str
    key_id: int
    account_id: int
    account_name: str
    user_email: str
    all_accounts: bool = False


async def reachable_account_ids(session: AsyncSession, api_key: ApiKey) -> frozenset[int]:
    """The accounts a key reaches: its own, or every account of its user when made for all of them."""
    if api_key.all_accounts:
        return frozenset(await repo.member_account_ids(session, api_key.user_id)) | {api_key.account_id}
    return frozenset({api_key.account_id})


async def join_account(
    session: AsyncSession, *, account_name: str, user_email: str, user_name: str = ""
) -> tuple[User, Account]:
    """The user and the account (each made if new), the user a member of it."""
    user = await repo.user_by_email(session, user_email)
    if user is None:
        user = User(email=user_email, name=user_name or user_email.split("@")[0])
        await repo.add(session, user)
    account = await repo.account_by_name(session, account_name)
    if account is None:
        account = Account(name=account_name)
        await repo.add(session, account)
    if await repo.membership(session, user.id, account.id) is None:
        await repo.add(session, Membership(user_id=user.id, account_id=account.id))
    return user, account


async def create_key(
    session: AsyncSession,
    *,
    account_name: str,
    user_email: str = DEFAULT_USER_EMAIL,
    key_name: str = "",
    all_accounts: bool = False,
) -> CreatedKey:
    """Create the user's key for the account (each made if new); it reaches that one only unless ``all_accounts``."""
    user, account = await join_account(session, account_name=account_name, user_email=user_email)
    plain = generate_api_key()
    row = ApiKey(
        user_id=user.id,
        account_id=account.id,
        name=key_name,
        prefix=display_prefix(plain),
        key_hash=hash_token(plain),
        all_accounts=all_accounts,
    )
    await repo.add(session, row)
    return CreatedKey(plain, row.id, account.id, account.name, user.email, all_accounts)


async def bootstrap(session: AsyncSession) -> CreatedKey | None:
    """On an empty database, create the default account and return its first key; else None."""
    if await repo.count_accounts(session):
        return None
    return await create_key(session, account_name=DEFAULT_ACCOUNT, key_name="first key")


async def revoke_key_in(session: AsyncSession, account_id: int, key_id: int) -> ApiKey:
    """Revoke a key made for ``account_id``; a key of any other account is not found."""
    key = await repo.key_in_account(session, account_id, key_id)
    if key is None:
        raise NotFound(f"no API key {key_id} in this account", hint="The keys page lists this account's keys.")
    if key.revoked_at is None:
        key.revoked_at = repo.now()
    return key


async def revoke_key(session: AsyncSession, ident: str) -> ApiKey:
    """Revoke a key by id or prefix."""
    key = await repo.key_by_id_or_prefix(session, ident)
    if key is None:
        raise NotFound(f"no API key {ident!r}", hint="`nlactions keys list` shows ids and prefixes.")
    if key.revoked_at is None:
        key.revoked_at = repo.now()
    return key


class KeyAuthenticator:
    """Turns an API key into a ``Caller``, caching lookups briefly (revocation applies within the TTL)."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], ttl_seconds: float, *, unknown_ttl_seconds: float = 5.0
    ):
        self._sessions = sessions
        self._ttl = ttl_seconds
        self._cache: ExpiringCache[Caller] = ExpiringCache()
        # Keys the database did not know, refused without a lookup for a few seconds (kept apart, so a
        # flood of random keys cannot push valid ones out of ``_cache``).
        self._unknown_ttl = unknown_ttl_seconds
        self._unknown: ExpiringCache[bool] = ExpiringCache()

    async def authenticate(self, key: str | None) -> Caller:
        """The caller for ``key``; 401 for a missing, unknown or revoked key."""
        if not key:
            raise Unauthorized(
                "No API key: send it in the x-api-key header or as 'Authorization: Bearer <key>'.",
                hint="Create one with `nlactions keys create`.",
            )
        digest = hash_token(key)
        cached = self._cache.get(digest)
        if cached is not None:
            return cached
        if digest in self._unknown:
            raise _invalid_key()
        async with self._sessions() as session:
            found = await repo.key_with_user(session, digest)
            if found is None:
                self._cache.pop(digest)
                self._unknown.put(digest, True, self._unknown_ttl)
                raise _invalid_key()
            api_key, user = found
            account_ids = await reachable_account_ids(session, api_key)
        caller = Caller(
            user_id=user.id,
            email=user.email,
            name=user.name,
            is_staff=user.is_staff,
            default_account_id=api_key.account_id,
            account_ids=account_ids | {api_key.account_id},
            key_id=api_key.id,
        )
        self._cache.put(digest, caller, self._ttl)
        return caller


def _invalid_key() -> Unauthorized:
    return Unauthorized(
        "The API key is not valid (unknown or revoked).",
        hint="Check the key, or create a new one with `nlactions keys create`.",
    )
