"""Picking and decrypting the authentication an execution uses."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nlactions.authentications import repository as repo
from nlactions.authentications.refresh import TokenRefresher, refresh_refused
from nlactions.catalog import App
from nlactions.errors import PreconditionFailed
from nlactions.kit.crypto import SecretBox


@dataclass(frozen=True, slots=True)
class Credentials:
    """Decrypted credential fields and the authentication they came from."""

    authentication_id: int | None
    fields: dict[str, str]
    renewal: Renewal | None = None


NO_CREDENTIALS = Credentials(None, {})


class Renewal:
    """Fresh credentials for one execution after the service refused them: one refresh, at most (``renew``)."""

    def __init__(self, refresher: TokenRefresher, app: App, authentication_id: int, version: int):
        self._refresher = refresher
        self._app = app
        self._authentication_id = authentication_id
        self._version = version
        self._used = False

    async def renew(self, token: str | None = None) -> Mapping[str, str] | None:
        """Refresh the refused token (``token``: a side token's name, None: the main one), or take the one another
        execution just refreshed; None when that is not possible."""
        if self._used:
            return None
        self._used = True
        renewed = await self._refresher.refresh(self._app, self._authentication_id, self._version, token)
        return renewed.fields if renewed is not None else None


class CredentialStore:
    """Finds the authentication for an execution: the one named, else the account's only one."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], box: SecretBox, refresher: TokenRefresher | None = None
    ):
        self._sessions = sessions
        self._box = box
        self._refresher = refresher

    async def for_execution(self, account_id: int, app: App, authentication_id: int | None) -> Credentials:
        """Credentials to run ``app``; 412 naming the app and how to add one when none is usable."""
        if not app.needs_auth:
            return NO_CREDENTIALS
        how = (
            f"Add one with POST /api/v2/apps/{app.key}/auths/ or "
            f"`nlactions auths add {app.key}`, then pass its id as authentication_id."
        )
        async with self._sessions() as session:
            if authentication_id is not None:
                row = await repo.get(session, account_id, authentication_id)
                if row is None or row.app != app.key:
                    raise PreconditionFailed(
                        f"authentication_id {authentication_id} is not an authentication for {app.key} "
                        "in this account.",
                        hint=f"GET /api/v2/apps/{app.key}/auths/ lists yours. {how}",
                    )
            else:
                rows = await repo.for_app(session, account_id, app.key)
                if not rows:
                    raise PreconditionFailed(
                        f"{app.name} ({app.key}) needs an authentication and none exists.", hint=how
                    )
                if len(rows) > 1:
                    ids = ", ".join(str(r.id) for r in rows)
                    raise PreconditionFailed(
                        f"{app.key} has several authentications ({ids}); say which with authentication_id.",
                        hint=f"GET /api/v2/apps/{app.key}/auths/ lists them with titles.",
                    )
                row = rows[0]
        try:
            fields = self._box.open(row.secret)
        except ValueError as exc:
            raise PreconditionFailed(
                f"authentication {row.id} for {app.key} cannot be decrypted with the configured secret key.",
                hint="Restore the NLACTIONS_SECRET_KEY it was saved with, or add the authentication again.",
            ) from exc
        opened = {str(k): str(v) for k, v in fields.items()}
        refresher = self._refresher
        if refresher is None or not refresher.can_refresh(app, opened):
            return Credentials(row.id, opened)
        fields, version = opened, row.token_version
        due = ([None] if refresher.due(row) else []) + refresher.due_side_tokens(app, opened)
        if due and not refresh_refused(row):
            for token in due:
                fresh = await refresher.refresh(app, row.id, version, token)
                if fresh is None:
                    break
                # A refusal of the refreshed tokens may refresh once more, from their version.
                fields, version = fresh.fields, fresh.version
        return Credentials(row.id, fields, Renewal(refresher, app, row.id, version))

    async def mark_stale(self, authentication_id: int) -> None:
        """Flag an authentication after the service refused it."""
        async with self._sessions() as session, session.begin():
            await repo.mark_stale(session, authentication_id)
