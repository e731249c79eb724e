"""Rules of sign-in: local users and passwords, and who a session cookie stands for."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from nlactions.accounts import repository as accounts_repo
from nlactions.accounts.service import Caller, join_account
from nlactions.db.models import User
from nlactions.errors import NotFound
from nlactions.signin.passwords import hash_password, verify_password
from nlactions.web.session import WebSession


@dataclass(frozen=True, slots=True)
class AccountChoice:
    """An account the signed-in user belongs to, for the account switcher."""

    id: int
    name: str


@dataclass(frozen=True, slots=True)
class SignedIn:
    """The user behind a session cookie, the accounts they belong to and the one they act in now."""

    user_id: int
    email: str
    name: str
    is_staff: bool
    account_id: int
    accounts: tuple[AccountChoice, ...]
    csrf: str

    @property
    def account_name(self) -> str:
        """The current account's name."""
        return next(a.name for a in self.accounts if a.id == self.account_id)

    def caller(self) -> Caller:
        """The caller the API's services take, reaching the current account only (no API key: id 0)."""
        return Caller(
            user_id=self.user_id,
            email=self.email,
            name=self.name,
            is_staff=self.is_staff,
            default_account_id=self.account_id,
            account_ids=frozenset({self.account_id}),
            key_id=0,
        )


def password_stamp(user: User) -> str:
    """A short digest of the user's password hash: a session made before a password change no longer counts."""
    return hashlib.sha256((user.password_hash or "").encode()).hexdigest()[:16]


async def create_user(session: AsyncSession, *, email: str, account_name: str, name: str = "") -> User:
    """The user (made if new) as a member of the account (made if new)."""
    user, _account = await join_account(session, account_name=account_name, user_email=email, user_name=name)
    return user


async def set_password(session: AsyncSession, *, email: str, password: str) -> User:
    """Store a new argon2 hash for the user (existing sessions end); 404 when there is no such user."""
    user = await accounts_repo.user_by_email(session, email)
    if user is None:
        raise NotFound(f"no user {email!r}", hint=f"Create it first with `nlactions users create {email}`.")
    user.password_hash = hash_password(password)
    return user


async def check_password(session: AsyncSession, *, email: str, password: str) -> User | None:
    """The user when ``password`` is theirs; None otherwise (unknown email, no password, wrong password)."""
    user = await accounts_repo.user_by_email(session, email.strip())
    ok = verify_password(password, user.password_hash if user else None)
    return user if ok and user is not None else None


def start_session(web: WebSession, user: User, account_id: int) -> None:
    """Turn ``web`` into a signed-in session for ``user`` in ``account_id``, with a new CSRF token."""
    web.data.clear()
    web.data.update({"u": user.id, "a": account_id, "p": password_stamp(user)})


async def signed_in(session: AsyncSession, web: WebSession, csrf: str) -> SignedIn | None:
    """Who ``web`` is signed in as, if the user still exists, has the same password and belongs to an account."""
    if web.user_id is None:
        return None
    user = await session.get(User, web.user_id)
    if user is None or not user.password_hash or web.data.get("p") != password_stamp(user):
        return None
    rows = await accounts_repo.accounts_by_ids(session, await accounts_repo.member_account_ids(session, user.id))
    if not rows:
        return None
    accounts = tuple(AccountChoice(row.id, row.name) for row in rows)
    wanted = web.account_id
    current = wanted if wanted is not None and any(a.id == wanted for a in accounts) else accounts[0].id
    return SignedIn(user.id, user.email, user.name, user.is_staff, current, accounts, csrf)


async def first_account_id(session: AsyncSession, user_id: int) -> int | None:
    """The user's oldest account, where a fresh sign-in starts."""
    ids = await accounts_repo.member_account_ids(session, user_id)
    return min(ids) if ids else None
