"""Rules of the connect flow: connect links (state bound to an account, single use, short-lived), callbacks.

Functions take the caller's session and never commit; the callback's endpoint commits the state's use before
the code exchange, so a link works once even when the exchange fails.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote

from sqlalchemy.ext.asyncio import AsyncSession

from nlactions.authentications import repository as auth_repo
from nlactions.authentications.service import AuthenticationService, Verified, clean_title
from nlactions.catalog import App, OAuth2Auth
from nlactions.connect import oauth
from nlactions.connect import repository as repo
from nlactions.connect.clients import Registration, Registrations, oauth_of
from nlactions.db.models import Authentication, ConnectState
from nlactions.errors import BadRequest, NLActionsError, NotFound, listing
from nlactions.kit.crypto import hash_token

log = logging.getLogger(__name__)

STATE_BYTES = 32
VERIFIER_BYTES = 48


class ConnectFailed(Exception):
    """The callback (or opening a link) cannot go on; ``message`` is shown to the user on a plain page."""

    def __init__(self, message: str, *, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True, slots=True)
class ConnectLink:
    """A connect link and what it is for."""

    connect_url: str
    redirect_uri: str
    expires_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Claimed:
    """A used state, unsealed: who connects, for which app, and what the link carried."""

    state: ConnectState
    app: App
    auth: OAuth2Auth
    registration: Registration
    verifier: str | None
    fields: dict[str, str]
    title: str | None


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


class ConnectService:
    """Makes connect links, sends browsers to the provider, and turns callbacks into authentications."""

    def __init__(
        self,
        auths: AuthenticationService,
        registrations: Registrations,
        http: oauth.HttpFactory,
        *,
        public_url: str,
        link_seconds: float,
    ):
        self.auths = auths
        self.registrations = registrations
        self.http = http
        self.public_url = public_url.rstrip("/")
        self.link_seconds = link_seconds

    def redirect_uri(self, app_key: str) -> str:
        """The callback URL to register with the app's provider."""
        return f"{self.public_url}/connect/{quote(app_key, safe='')}/callback/"

    def connectable(self, app_key: str) -> tuple[App, OAuth2Auth]:
        """The app and its OAuth 2 auth kind, or a 400 saying how the app is connected instead."""
        app = self.auths.app_needing_auth(app_key)
        auth = oauth_of(app)
        if auth is None:
            raise BadRequest(
                f"{app.name} ({app.key}) does not connect with OAuth: its authentication is {app.auth.kind}.",
                hint=f"Create one with POST /api/v2/apps/{app.key}/auths/ and its fields.",
                code="not_connectable",
            )
        return app, auth

    async def registration(self, session: AsyncSession, app: App) -> Registration:
        """The operator's OAuth client for the app, or a 400 saying how the operator registers one."""
        found = await self.registrations.find(session, app)
        if found is None:
            raise BadRequest(
                f"{app.name} ({app.key}) has no OAuth client registered on this server, so it cannot be connected "
                "with OAuth yet.",
                hint=f"The server's operator registers one: `nlactions oauth-apps set {app.key} --client-id … "
                f"--client-secret-stdin`, or NLACTIONS_CONNECT_CLIENTS; the redirect URI to register with the "
                f"provider is {self.redirect_uri(app.key)}. Meanwhile, paste tokens with "
                f"POST /api/v2/apps/{app.key}/auths/.",
                code="connect_not_configured",
            )
        return found

    def _extra_fields(self, app: App, fields: Mapping[str, str]) -> dict[str, str]:
        allowed = {f.key: f for f in app.auth.fields if not f.secret}
        wrong = [k for k in fields if k not in allowed]
        if wrong:
            raise BadRequest(
                f"fields: {', '.join(repr(k) for k in wrong)} cannot be sent with a connect request; the provider "
                "gives the tokens.",
                hint=f"Only the non-secret fields may be sent: {listing(allowed) or 'none for this app'}.",
                code="unknown_field",
            )
        return {k: v for k, v in fields.items() if v != ""}

    def _kept_fields(self, app: App, secret: str) -> dict[str, str]:
        """A reconnected authentication's non-secret fields (its ``api_base_url``…), kept unless sent anew."""
        try:
            stored = self.auths.box.open(secret)
        except ValueError:
            return {}
        public = {f.key for f in app.auth.fields if not f.secret}
        return {str(k): str(v) for k, v in stored.items() if k in public}

    async def link(
        self,
        session: AsyncSession,
        *,
        account_id: int,
        user_id: int | None,
        app_key: str,
        authentication_id: int | None = None,
        title: str | None = None,
        fields: Mapping[str, str] | None = None,
    ) -> ConnectLink:
        """A new connect link for the account; with ``authentication_id``, a reconnect of that authentication."""
        app, auth = self.connectable(app_key)
        await self.registration(session, app)
        extra = self._extra_fields(app, fields or {})
        if authentication_id is not None:
            existing = await auth_repo.get(session, account_id, authentication_id)
            if existing is None or existing.app != app.key:
                raise NotFound(
                    f"authentication_id: no {app.key} authentication with that id in this account to reconnect.",
                    hint=f"GET /api/v2/apps/{app.key}/auths/ lists them; leave authentication_id out to connect anew.",
                )
            extra = {**self._kept_fields(app, existing.secret), **extra}
        state = secrets.token_urlsafe(STATE_BYTES)
        verifier = secrets.token_urlsafe(VERIFIER_BYTES) if auth.pkce else None
        expires_at = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=self.link_seconds)
        sealed = {"verifier": verifier, "fields": extra, "title": clean_title(title) if title is not None else None}
        await repo.add_state(
            session,
            ConnectState(
                state_hash=hash_token(state),
                account_id=account_id,
                user_id=user_id,
                app=app.key,
                authentication_id=authentication_id,
                secret=self.auths.box.seal(sealed),
                expires_at=expires_at,
            ),
        )
        url = f"{self.public_url}/connect/{quote(app.key, safe='')}/?state={quote(state, safe='')}"
        return ConnectLink(url, self.redirect_uri(app.key), expires_at)

    async def _state(self, session: AsyncSession, app_key: str, state: str | None) -> ConnectState:
        if not state:
            raise ConnectFailed("This link carries no state. Ask for a new connect link and open it as it is.")
        row = await repo.state(session, hash_token(state))
        if row is None or row.app != app_key:
            raise ConnectFailed(
                "This connect link is not known here (or is for another app). Ask for a new connect link.",
                status=404,
            )
        if row.used_at is not None:
            raise ConnectFailed("This connect link was already used. Ask for a new connect link.")
        if _aware(row.expires_at) <= dt.datetime.now(dt.UTC):
            raise ConnectFailed(
                f"This connect link expired (links work for {self.link_seconds / 60:g} minutes). "
                "Ask for a new connect link."
            )
        return row

    async def provider_url(self, session: AsyncSession, app_key: str, state: str | None) -> str:
        """Where opening a connect link sends the browser: the provider's authorization page."""
        row = await self._state(session, app_key, state)
        claimed = await self._unseal(session, row)
        return oauth.authorize_url(
            claimed.registration,
            claimed.auth,
            redirect_uri=self.redirect_uri(row.app),
            state=str(state),
            verifier=claimed.verifier,
        )

    async def _unseal(self, session: AsyncSession, row: ConnectState) -> Claimed:
        try:
            app, auth = self.connectable(row.app)
            registration = await self.registration(session, app)
        except NLActionsError as exc:
            raise ConnectFailed(exc.message) from None
        try:
            sealed = self.auths.box.open(row.secret)
        except ValueError:
            raise ConnectFailed(
                "This connect link cannot be read with the server's secret key. Ask for a new one."
            ) from None
        return Claimed(
            state=row,
            app=app,
            auth=auth,
            registration=registration,
            verifier=sealed.get("verifier"),
            fields={str(k): str(v) for k, v in (sealed.get("fields") or {}).items()},
            title=sealed.get("title"),
        )

    async def claim(self, session: AsyncSession, app_key: str, state: str | None) -> Claimed:
        """Use the callback's state, once; ``ConnectFailed`` for an unknown, used or expired one."""
        row = await self._state(session, app_key, state)
        if not await repo.use_state(session, row.id, dt.datetime.now(dt.UTC)):
            raise ConnectFailed("This connect link was already used. Ask for a new connect link.")
        return await self._unseal(session, row)

    async def exchange(self, claimed: Claimed, code: str) -> oauth.Tokens:
        """The provider's tokens for the callback's code; ``ConnectFailed`` saying why not."""
        name = claimed.app.name
        try:
            return await oauth.exchange(
                claimed.registration,
                claimed.auth,
                self.http,
                code=code,
                redirect_uri=self.redirect_uri(claimed.app.key),
                verifier=claimed.verifier,
            )
        except oauth.TokenRefused as exc:
            raise ConnectFailed(f"{name} refused to exchange the authorization code: {exc.message}.") from None
        except oauth.TokenUnreachable as exc:
            raise ConnectFailed(f"Exchanging the authorization code with {name} failed: {exc.message}") from None

    async def identify(self, claimed: Claimed, tokens: oauth.Tokens) -> Verified:
        """Check the tokens with the app's test, which names the identity (Slack's team and user, a Google email)."""
        try:
            return await self.auths.verify(claimed.app, {**claimed.fields, **tokens.fields}, claimed.state.account_id)
        except NLActionsError as exc:
            raise ConnectFailed(exc.message) from None

    async def store(
        self, session: AsyncSession, claimed: Claimed, tokens: oauth.Tokens, verified: Verified
    ) -> Authentication:
        """Add the authentication, or replace the tokens of the one the link reconnects."""
        app, row_state = claimed.app, claimed.state
        sealed = self.auths.box.seal(verified.fields)
        if row_state.authentication_id is not None:
            row = await auth_repo.get(session, row_state.account_id, row_state.authentication_id)
            if row is None or row.app != app.key:
                raise ConnectFailed("The authentication this link reconnects was deleted meanwhile. Connect anew.")
            row.secret, row.label, row.is_stale = sealed, verified.label, False
            if claimed.title:
                row.title = claimed.title
            row.token_expires_at = tokens.expires_at
            row.token_version = row.token_version + 1
            row.refresh_claimed_until = None
            row.last_failure, row.last_failure_at = None, None
            await auth_repo.save(session, row)
            log.info("authentication %s for %s reconnected in account %s", row.id, app.key, row_state.account_id)
            return row
        title = claimed.title or verified.label or app.name
        row = Authentication(
            account_id=row_state.account_id,
            user_id=row_state.user_id,
            app=app.key,
            title=title[:200],
            label=verified.label,
            secret=sealed,
            is_stale=False,
            token_expires_at=tokens.expires_at,
        )
        await auth_repo.add(session, row)
        log.info("authentication %s for %s connected in account %s", row.id, app.key, row_state.account_id)
        return row
