"""Which OAuth client an app connects with: the operator's, from settings or registered by the CLI."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from nlactions.catalog import App, OAuth2Auth
from nlactions.connect import repository as repo
from nlactions.db.models import ConnectClient
from nlactions.errors import BadRequest
from nlactions.kit.crypto import SecretBox
from nlactions.settings import Settings


@dataclass(frozen=True, slots=True)
class Registration:
    """An app's OAuth client and the endpoints and scopes it connects with (the app's unless overridden)."""

    app: str
    client_id: str
    client_secret: str
    scopes: tuple[str, ...]
    user_scopes: tuple[str, ...]
    authorize_url: str
    token_url: str
    source: Literal["settings", "cli"]


def oauth_of(app: App) -> OAuth2Auth | None:
    """The app's OAuth 2 auth kind when the connect flow can run for it."""
    auth = app.auth
    return auth if isinstance(auth, OAuth2Auth) and auth.connectable else None


class Registrations:
    """Looks up registrations: ``NLACTIONS_CONNECT_CLIENTS`` first, then the ``connect_clients`` table."""

    def __init__(self, settings: Settings, box: SecretBox):
        self.settings = settings
        self.box = box

    async def find(self, session: AsyncSession, app: App) -> Registration | None:
        """The registration for ``app``, or None when the operator registered none (or it cannot connect)."""
        auth = oauth_of(app)
        if auth is None:
            return None
        configured = self.settings.connect_clients.get(app.key)
        if configured is not None:
            return Registration(
                app=app.key,
                client_id=configured.client_id,
                client_secret=configured.client_secret.get_secret_value(),
                scopes=tuple(configured.scopes if configured.scopes is not None else auth.scopes),
                user_scopes=tuple(configured.user_scopes if configured.user_scopes is not None else auth.user_scopes),
                authorize_url=configured.authorize_url or auth.authorize_url,
                token_url=configured.token_url or auth.token_url,
                source="settings",
            )
        row = await repo.client(session, app.key)
        return self.from_row(row, auth) if row is not None else None

    def from_row(self, row: ConnectClient, auth: OAuth2Auth) -> Registration | None:
        """A stored registration, its secret decrypted; None when the secret key cannot open it."""
        try:
            secret = str(self.box.open(row.secret))
        except ValueError:
            return None
        return Registration(
            app=row.app,
            client_id=row.client_id,
            client_secret=secret,
            scopes=tuple(row.scopes if row.scopes is not None else auth.scopes),
            user_scopes=tuple(row.user_scopes if row.user_scopes is not None else auth.user_scopes),
            authorize_url=row.authorize_url or auth.authorize_url,
            token_url=row.token_url or auth.token_url,
            source="cli",
        )


def _url(name: str, value: str | None) -> str | None:
    if value is None or value == "":
        return None
    if not value.startswith(("https://", "http://")) or len(value) > 2000:
        raise BadRequest(f"{name}: {value!r} is not an http(s) URL.", hint=f"Give the provider's full {name} URL.")
    return value


async def register(
    session: AsyncSession,
    box: SecretBox,
    app: App,
    *,
    client_id: str,
    client_secret: str,
    scopes: list[str] | None = None,
    user_scopes: list[str] | None = None,
    authorize_url: str | None = None,
    token_url: str | None = None,
) -> ConnectClient:
    """Store (or replace) the app's OAuth client, its secret sealed; a 400 for an app that cannot connect."""
    if oauth_of(app) is None:
        raise BadRequest(
            f"{app.key} does not connect with OAuth (its authentication is {app.auth.kind}).",
            hint="Only apps whose authentication is oauth2 take an OAuth client.",
            code="not_connectable",
        )
    if not client_id.strip() or len(client_id) > 500:
        raise BadRequest("client id: must be 1 to 500 characters.", hint="Copy the client id from the provider.")
    if not client_secret.strip():
        raise BadRequest("client secret: is empty.", hint="Pipe the client secret into --client-secret-stdin.")
    row = ConnectClient(
        app=app.key,
        client_id=client_id.strip(),
        secret=box.seal(client_secret.strip()),
        scopes=scopes,
        user_scopes=user_scopes,
        authorize_url=_url("authorize", authorize_url),
        token_url=_url("token", token_url),
    )
    return await repo.put_client(session, row)
