"""SQLAlchemy 2 models; every row below ``Account`` carries ``account_id``."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> dt.datetime:
    """Timezone-aware now in UTC."""
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    """Declarative base with JSON mapped for dict columns."""

    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


Timestamp = DateTime(timezone=True)
IntPK = BigInteger().with_variant(Integer, "sqlite")


class User(Base):
    """A person who holds API keys and belongs to accounts."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(IntPK, primary_key=True, autoincrement=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    is_staff: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)
    password_hash: Mapped[str | None] = mapped_column(String(255), default=None)
    """The argon2 hash of the user's sign-in password (``pwdlib``); None: the user cannot sign in."""


class Account(Base):
    """A tenant: every authentication, AI action and log belongs to exactly one account."""

    __tablename__ = "accounts"
    id: Mapped[int] = mapped_column(IntPK, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)


class Membership(Base):
    """A user's role in an account."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "account_id"),)
    id: Mapped[int] = mapped_column(IntPK, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20), default="owner")
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)


class ApiKey(Base):
    """An API key: only its SHA-256 hash and a short display prefix are stored.

    It reaches ``account_id`` only, unless ``all_accounts``: then every account its user belongs to.
    """

    __tablename__ = "api_keys"
    id: Mapped[int] = mapped_column(IntPK, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    prefix: Mapped[str] = mapped_column(String(20))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    all_accounts: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(Timestamp, default=None)


class Authentication(Base):
    """Stored credentials for one app in one account, Fernet-encrypted."""

    __tablename__ = "authentications"
    id: Mapped[int] = mapped_column(IntPK, primary_key=True, autoincrement=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)
    app: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(200), default="")
    label: Mapped[str] = mapped_column(String(200), default="")
    secret: Mapped[str] = mapped_column(Text)
    is_stale: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow, onupdate=utcnow)
    # OAuth 2 tokens: when the access token expires, and the refresh bookkeeping (see authentications/refresh.py).
    token_expires_at: Mapped[dt.datetime | None] = mapped_column(Timestamp, default=None)
    token_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    refresh_claimed_until: Mapped[dt.datetime | None] = mapped_column(Timestamp, default=None)
    last_refreshed_at: Mapped[dt.datetime | None] = mapped_column(Timestamp, default=None)
    last_failure_at: Mapped[dt.datetime | None] = mapped_column(Timestamp, default=None)
    last_failure: Mapped[str | None] = mapped_column(String(500), default=None)


Index("ix_authentications_account_app", Authentication.account_id, Authentication.app)


class ConnectClient(Base):
    """An app's OAuth client registered by the operator; the client secret is Fernet-encrypted."""

    __tablename__ = "connect_clients"
    app: Mapped[str] = mapped_column(String(100), primary_key=True)
    client_id: Mapped[str] = mapped_column(String(500))
    secret: Mapped[str] = mapped_column(Text)
    scopes: Mapped[list[Any] | None] = mapped_column(JSON, default=None)
    user_scopes: Mapped[list[Any] | None] = mapped_column(JSON, default=None)
    authorize_url: Mapped[str | None] = mapped_column(String(2000), default=None)
    token_url: Mapped[str | None] = mapped_column(String(2000), default=None)
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow, onupdate=utcnow)


class ConnectState(Base):
    """One connect link: its ``state`` (hashed), the account it connects for, single use, short-lived.

    ``secret`` seals the PKCE verifier and the connection's non-secret fields and title.
    """

    __tablename__ = "connect_states"
    id: Mapped[int] = mapped_column(IntPK, primary_key=True, autoincrement=True)
    state_hash: Mapped[str] = mapped_column(String(64), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)
    app: Mapped[str] = mapped_column(String(100))
    authentication_id: Mapped[int | None] = mapped_column(
        ForeignKey("authentications.id", ondelete="CASCADE"), default=None
    )
    secret: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[dt.datetime] = mapped_column(Timestamp)
    used_at: Mapped[dt.datetime | None] = mapped_column(Timestamp, default=None)
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)


class AiAction(Base):
    """A stored, pre-configured action (Zapier's "AI Action")."""

    __tablename__ = "ai_actions"
    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)
    authentication_id: Mapped[int | None] = mapped_column(
        ForeignKey("authentications.id", ondelete="SET NULL"), default=None
    )
    app: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(100))
    action_type: Mapped[str] = mapped_column(String(20), default="write")
    description: Mapped[str] = mapped_column(Text, default="")
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    meta: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow, onupdate=utcnow)


class ExecutionLog(Base):
    """One execution: written ``running`` before the action runs, completed after."""

    __tablename__ = "execution_logs"
    __table_args__ = (UniqueConstraint("account_id", "idempotency_key", name="uq_execution_logs_idempotency"),)
    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)
    ai_action_id: Mapped[str | None] = mapped_column(String(26), default=None)
    app: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(100))
    action_type: Mapped[str] = mapped_column(String(20), default="write")
    status: Mapped[str] = mapped_column(String(20), default="running")
    instructions: Mapped[str] = mapped_column(Text, default="")
    input_params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    idempotency_key: Mapped[str | None] = mapped_column(String(255), default=None)
    request_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    response: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    rating: Mapped[int | None] = mapped_column(default=None)
    feedback: Mapped[str | None] = mapped_column(Text, default=None)
    model: Mapped[str | None] = mapped_column(String(200), default=None)
    input_tokens: Mapped[int] = mapped_column(default=0)
    output_tokens: Mapped[int] = mapped_column(default=0)
    resolve_ms: Mapped[float] = mapped_column(default=0.0)
    duration_ms: Mapped[float] = mapped_column(default=0.0)
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)
    completed_at: Mapped[dt.datetime | None] = mapped_column(Timestamp, default=None)
    instance_id: Mapped[str | None] = mapped_column(String(26), default=None)
    """The server process running it (``server_instances.id``); its lease decides ``interrupted``."""
    retried_by: Mapped[str | None] = mapped_column(String(26), default=None)
    """An interrupted log's retry: the log that took over its Idempotency-Key."""
    # An error the app's service said may go away (rate limited, failing), and the wait it asked for.
    retryable: Mapped[bool] = mapped_column(default=False, server_default=false())
    retry_after_seconds: Mapped[float | None] = mapped_column(default=None)
    resolution: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    """How the params were resolved: ``resolved_by`` (need -> source) and ``notes`` (an LLM call that failed)."""


Index("ix_execution_logs_account_newest", ExecutionLog.account_id, ExecutionLog.id)
Index("ix_execution_logs_status_instance", ExecutionLog.status, ExecutionLog.instance_id)


class ServerInstance(Base):
    """A server process, made at its start; its heartbeat is the lease on the logs it runs."""

    __tablename__ = "server_instances"
    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    started_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)
    heartbeat_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow, index=True)


class ChoiceCacheEntry(Base):
    """Cached choices of one prefill, per account + authentication + params."""

    __tablename__ = "choice_cache"
    __table_args__ = (UniqueConstraint("cache_key", name="uq_choice_cache_key"),)
    id: Mapped[int] = mapped_column(IntPK, primary_key=True, autoincrement=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    cache_key: Mapped[str] = mapped_column(String(64))
    app: Mapped[str] = mapped_column(String(100))
    prefill: Mapped[str] = mapped_column(String(200))
    choices: Mapped[list[Any]] = mapped_column(default=list)
    refreshed_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)


class OAuthClient(Base):
    """A caller's OAuth client: registered by CLI/API (``account_id`` set) or dynamically (RFC 7591, no account).

    Only the secret's SHA-256 is stored; a public client has none and must use PKCE.
    """

    __tablename__ = "oauth_clients"
    id: Mapped[int] = mapped_column(IntPK, primary_key=True, autoincrement=True)
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), default=None, index=True
    )
    name: Mapped[str] = mapped_column(String(200), default="")
    secret_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    redirect_uris: Mapped[list[Any]] = mapped_column(default=list)
    scope: Mapped[str] = mapped_column(String(500), default="")
    origin: Mapped[str] = mapped_column(String(20), default="cli")
    """How it was made: ``cli``, ``api`` or ``dynamic`` (RFC 7591)."""
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(Timestamp, default=None)


class OAuthCode(Base):
    """An authorization code (hashed), single-use and short-lived, bound to client, redirect URI and PKCE challenge."""

    __tablename__ = "oauth_codes"
    id: Mapped[int] = mapped_column(IntPK, primary_key=True, autoincrement=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    client_id: Mapped[str] = mapped_column(String(2048))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    redirect_uri: Mapped[str] = mapped_column(Text)
    scope: Mapped[str] = mapped_column(String(500), default="")
    code_challenge: Mapped[str] = mapped_column(String(128))
    nonce: Mapped[str | None] = mapped_column(String(255), default=None)
    grant_id: Mapped[str] = mapped_column(String(26))
    """The grant (token family) the code's tokens belong to: a reused code revokes them."""
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(Timestamp)
    used_at: Mapped[dt.datetime | None] = mapped_column(Timestamp, default=None)


class OAuthToken(Base):
    """An access token and its refresh token (both hashed), bound to one account and its scopes.

    Tokens of one consent share ``grant_id``: a refresh rotates to a new row of the same grant, and reuse
    of a rotated refresh token revokes the whole grant.
    """

    __tablename__ = "oauth_tokens"
    id: Mapped[int] = mapped_column(IntPK, primary_key=True, autoincrement=True)
    grant_id: Mapped[str] = mapped_column(String(26), index=True)
    client_id: Mapped[str] = mapped_column(String(2048))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    scope: Mapped[str] = mapped_column(String(500), default="")
    prefix: Mapped[str] = mapped_column(String(20))
    access_hash: Mapped[str] = mapped_column(String(64), unique=True)
    refresh_hash: Mapped[str | None] = mapped_column(String(64), unique=True, default=None)
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(Timestamp)
    refresh_expires_at: Mapped[dt.datetime | None] = mapped_column(Timestamp, default=None)
    rotated_at: Mapped[dt.datetime | None] = mapped_column(Timestamp, default=None)
    """When its refresh token was exchanged for the next row's (then the access token still lives, the refresh not)."""
    revoked_at: Mapped[dt.datetime | None] = mapped_column(Timestamp, default=None)
