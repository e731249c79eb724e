"""Refreshing an authentication's OAuth tokens: before they expire, and once after the service refused them.

One refresh at a time per authentication: an ``asyncio.Lock`` per authentication within the process, and
across processes sharing the database a claim on the row (compare-and-set on ``token_version`` with a
short-lived ``refresh_claimed_until``). Whoever loses waits for the winner's version and uses its tokens,
so a provider that rotates refresh tokens sees each refresh token used once.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import weakref
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nlactions.authentications import repository as repo
from nlactions.catalog import App
from nlactions.connect import oauth
from nlactions.connect.clients import Registrations, oauth_of
from nlactions.db.models import Authentication
from nlactions.kit.crypto import SecretBox

log = logging.getLogger(__name__)

CLAIM_SECONDS = 30.0
POLL_SECONDS = 0.05


def aware(moment: dt.datetime | None) -> dt.datetime | None:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def refresh_refused(row: Authentication) -> bool:
    """True once the provider refused the refresh token: only a reconnect (or new fields) helps then.

    A service's refusal alone (``is_stale`` without a failed refresh) is worth a refresh.
    """
    return row.is_stale and row.last_failure is not None


@dataclass(frozen=True, slots=True)
class Renewed:
    """Refreshed credential fields and the token version they are."""

    fields: dict[str, str]
    version: int


@dataclass(frozen=True, slots=True)
class _Target:
    """Which token a claimed refresh renews (None: the main one) and the main token's stored expiry."""

    token: str | None
    expires_at: dt.datetime | None


class TokenRefresher:
    """Refreshes stored OAuth tokens with the operator's registered client, one refresh at a time."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        box: SecretBox,
        registrations: Registrations,
        http: oauth.HttpFactory,
        *,
        margin_seconds: float = 120.0,
        wait_seconds: float = 30.0,
    ):
        self._sessions = sessions
        self._box = box
        self._registrations = registrations
        self._http = http
        self.margin = dt.timedelta(seconds=margin_seconds)
        self.wait_seconds = wait_seconds
        self._locks: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()

    def can_refresh(self, app: App, fields: Mapping[str, str]) -> bool:
        """True when the app connects with OAuth and the fields hold a refresh token (for any of its tokens)."""
        auth = oauth_of(app)
        if auth is None:
            return False
        return bool(fields.get(auth.refresh_token_field)) or any(fields.get(s.refresh_field) for s in auth.side_tokens)

    def due(self, row: Authentication, now: dt.datetime | None = None) -> bool:
        """True when the access token expires within the margin."""
        return self._within_margin(aware(row.token_expires_at), now)

    def due_side_tokens(self, app: App, fields: Mapping[str, str], now: dt.datetime | None = None) -> list[str]:
        """The app's side tokens that expire within the margin and can be refreshed (their names)."""
        auth = oauth_of(app)
        sides = auth.side_tokens if auth is not None else ()
        return [s.name for s in sides if fields.get(s.refresh_field) and self._within_margin(s.expires_at(fields), now)]

    def _within_margin(self, expires: dt.datetime | None, now: dt.datetime | None) -> bool:
        return expires is not None and expires - self.margin <= (now or dt.datetime.now(dt.UTC))

    async def refresh(self, app: App, auth_id: int, seen_version: int, token: str | None = None) -> Renewed | None:
        """Fresh fields for the authentication, refreshed here or by whoever refreshed since ``seen_version``.

        ``token`` names a side token (``OAuth2Auth.side_tokens``) to refresh instead of the main access token.
        None when it cannot be refreshed (no refresh token, no registered client, the provider refused:
        then it is marked stale with the reason in ``last_failure``) or the provider could not be reached.
        """
        lock = self._locks.get(auth_id)
        if lock is None:
            lock = self._locks[auth_id] = asyncio.Lock()
        async with lock:
            return await self._refresh(app, auth_id, seen_version, token)

    async def _refresh(self, app: App, auth_id: int, seen_version: int, token: str | None) -> Renewed | None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.wait_seconds
        while True:
            now = dt.datetime.now(dt.UTC)
            async with self._sessions() as session, session.begin():
                row = await repo.by_id(session, auth_id)
                if row is None:
                    return None
                if row.token_version != seen_version:  # refreshed (or marked stale) by someone else meanwhile
                    fields = None if row.is_stale else self._open(row)
                    return Renewed(fields, row.token_version) if fields is not None else None
                if refresh_refused(row):
                    return None
                won = await repo.claim_refresh(
                    session, auth_id, seen_version, now, now + dt.timedelta(seconds=CLAIM_SECONDS)
                )
                secret, expires_at = row.secret, aware(row.token_expires_at)
            if won:
                return await self._as_claimant(app, auth_id, seen_version, secret, _Target(token, expires_at))
            if loop.time() > deadline:
                log.warning("authentication %s: another process held its refresh for too long", auth_id)
                return None
            await asyncio.sleep(POLL_SECONDS)

    def _open(self, row: Authentication) -> dict[str, str] | None:
        try:
            fields = self._box.open(row.secret)
        except ValueError:
            return None
        return {str(k): str(v) for k, v in fields.items()}

    async def _as_claimant(self, app: App, auth_id: int, version: int, secret: str, target: _Target) -> Renewed | None:
        auth = oauth_of(app)
        try:
            fields = {str(k): str(v) for k, v in self._box.open(secret).items()}
        except ValueError:
            fields = {}
        side = auth.side_token(target.token) if auth is not None and target.token is not None else None
        which = f"{side.name} token" if side is not None else "access token"
        field = side.refresh_field if side is not None else auth.refresh_token_field if auth is not None else ""
        refresh_token = fields.get(field)
        async with self._sessions() as session:
            registration = await self._registrations.find(session, app) if auth is not None else None
        if auth is None or not refresh_token or registration is None:
            why = (
                f"it holds no refresh token for its {which}"
                if not refresh_token
                else f"no OAuth client is registered for {app.key} (nlactions oauth-apps set)"
            )
            await self._failed(auth_id, version, f"Could not refresh the {which}: {why}.", stale=False)
            return None
        try:
            tokens = await oauth.refresh(registration, auth, self._http, refresh_token=refresh_token, side=side)
        except oauth.TokenRefused as exc:
            message = f"{app.name} refused the refresh token of the {which}: {exc.message}."
            await self._failed(auth_id, version, message, stale=True)
            log.info(
                "authentication %s for %s: %s refresh refused (%s); marked stale", auth_id, app.key, which, exc.error
            )
            return None
        except oauth.TokenUnreachable as exc:
            await self._failed(auth_id, version, f"Refreshing the {which} failed: {exc.message}", stale=False)
            return None
        renewed = {**fields, **tokens.fields}
        expires_at = target.expires_at if side is not None else tokens.expires_at  # the column is the main token's
        now = dt.datetime.now(dt.UTC)
        async with self._sessions() as session, session.begin():
            stored = await repo.refreshed(
                session, auth_id, version, secret=self._box.seal(renewed), expires_at=expires_at, now=now
            )
        if not stored:  # reconnected meanwhile: the new connection's tokens win
            return None
        log.info("authentication %s for %s: %s refreshed", auth_id, app.key, which)
        return Renewed(renewed, version + 1)

    async def _failed(self, auth_id: int, version: int, message: str, *, stale: bool) -> None:
        async with self._sessions() as session, session.begin():
            await repo.refresh_failed(
                session, auth_id, version, message=message, now=dt.datetime.now(dt.UTC), stale=stale
            )
