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
        """True when the app connects with OAuth and the fields hold a refresh token."""
        auth = oauth_of(app)
        return auth is not None and bool(fields.get(auth.refresh_token_field))

    def due(self, row: Authentication, now: dt.datetime | None = None) -> bool:
        """True when the access token expires within the margin."""
        expires = aware(row.token_expires_at)
        return expires is not None and expires - self.margin <= (now or dt.datetime.now(dt.UTC))

    async def refresh(self, app: App, auth_id: int, seen_version: int) -> Renewed | None:
        """Fresh fields for the authentication, refreshed here or by whoever refreshed since ``seen_version``.

        None when it cannot be refreshed (no refresh token, no registered client, the provider refused:
        then it is marked stale with the reason in ``last_failure``) or the provider could not be reached.
        """
        lock = self._locks.get(auth_id)
        if lock is None:
            lock = self._locks[auth_id] = asyncio.Lock()
        async with lock:
            return await self._refresh(app, auth_id, seen_version)

    async def _refresh(self, app: App, auth_id: int, seen_version: int) -> Renewed | None:
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
                secret = row.secret
            if won:
                return await self._as_claimant(app, auth_id, seen_version, secret)
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

    async def _as_claimant(self, app: App, auth_id: int, version: int, secret: str) -> Renewed | None:
        auth = oauth_of(app)
        try:
            fields = {str(k): str(v) for k, v in self._box.open(secret).items()}
        except ValueError:
            fields = {}
        refresh_token = fields.get(auth.refresh_token_field) if auth is not None else None
        async with self._sessions() as session:
            registration = await self._registrations.find(session, app) if auth is not None else None
        if auth is None or not refresh_token or registration is None:
            why = (
                "it holds no refresh token"
                if not refresh_token
                else f"no OAuth client is registered for {app.key} (nlactions oauth-apps set)"
            )
            await self._failed(auth_id, version, f"Could not refresh the access token: {why}.", stale=False)
            return None
        try:
            tokens = await oauth.refresh(registration, auth, self._http, refresh_token=refresh_token)
        except oauth.TokenRefused as exc:
            await self._failed(auth_id, version, f"{app.name} refused the refresh token: {exc.message}.", stale=True)
            log.info("authentication %s for %s: refresh refused (%s); marked stale", auth_id, app.key, exc.error)
            return None
        except oauth.TokenUnreachable as exc:
            await self._failed(auth_id, version, f"Refreshing the access token failed: {exc.message}", stale=False)
            return None
        renewed = {**fields, **tokens.fields}
        now = dt.datetime.now(dt.UTC)
        async with self._sessions() as session, session.begin():
            stored = await repo.refreshed(
                session, auth_id, version, secret=self._box.seal(renewed), expires_at=tokens.expires_at, now=now
            )
        if not stored:  # reconnected meanwhile: the new connection's tokens win
            return None
        log.info("authentication %s for %s: access token refreshed", auth_id, app.key)
        return Renewed(renewed, version + 1)

    async def _failed(self, auth_id: int, version: int, message: str, *, stale: bool) -> None:
        async with self._sessions() as session, session.begin():
            await repo.refresh_failed(
                session, auth_id, version, message=message, now=dt.datetime.now(dt.UTC), stale=stale
            )
