"""Rules of stored authentications: fields checked against the app, verified with the service, sealed.

Functions take the caller's session and never commit. Outbound verification happens before any write,
so ``create``/``update`` hold no lock while the third-party service answers.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from nlactions.authentications import repository as repo
from nlactions.authentications.schemas import AuthenticationOut, Failure, Permissions
from nlactions.catalog import ActionContext, App, AppError, Registry
from nlactions.db.models import Authentication
from nlactions.errors import BadRequest, NotFound, listing
from nlactions.execute.service import find_app
from nlactions.kit.crypto import SecretBox
from nlactions.kit.redact import scrub
from nlactions.kit.ssrf import BlockedDestination

HttpFactory = Callable[[httpx.Auth | None], httpx.AsyncClient]
LABEL_MAX = 200
TITLE_MAX = 200

log = logging.getLogger(__name__)

PERMISSIONS = Permissions(delete=True, edit=True, reconnect=True, share=False, test=True, transfer=False, use=True)


@dataclass(frozen=True, slots=True)
class Verified:
    """Credential fields the service accepted, and the label it gave them."""

    fields: dict[str, str]
    label: str


def _aware(moment: dt.datetime) -> dt.datetime:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _http_failure(exc: httpx.HTTPError) -> str:
    """What went wrong talking to the service, in words (the SSRF guard's own message when it refused)."""
    if isinstance(exc, BlockedDestination):
        return exc.message
    if isinstance(exc, httpx.HTTPStatusError):
        return f"it answered {exc.response.status_code} {exc.response.reason_phrase}."
    try:
        host = exc.request.url.host or "it"
    except RuntimeError:
        host = "it"
    if isinstance(exc, httpx.TimeoutException):
        return f"{host} did not answer in time ({type(exc).__name__})."
    return f"could not reach {host} ({type(exc).__name__})."


def present(row: Authentication) -> AuthenticationOut:
    """An authentication as Zapier's AuthenticationT, without any credential value."""
    return AuthenticationOut(
        id=row.id,
        account_id=row.account_id,
        customuser_id=row.user_id,
        date=_aware(row.created_at),
        lastchanged=_aware(row.updated_at),
        title=row.title,
        label=row.label or None,
        selected_api=row.app,
        is_stale=row.is_stale,
        stale=row.is_stale,
        token_expires_at=_aware(row.token_expires_at) if row.token_expires_at else None,
        last_refreshed_at=_aware(row.last_refreshed_at) if row.last_refreshed_at else None,
        last_failure=Failure(at=_aware(row.last_failure_at), message=row.last_failure)
        if row.last_failure and row.last_failure_at
        else None,
        permissions=PERMISSIONS,
    )


def clean_title(title: str) -> str:
    """The title stripped; a 400 when it is empty or too long."""
    cleaned = title.strip()
    if not cleaned or len(cleaned) > TITLE_MAX:
        raise BadRequest(
            f"title: must be 1 to {TITLE_MAX} characters (got {len(cleaned)}).",
            hint="Name the connection so you can tell it apart, e.g. 'Work account'.",
        )
    return cleaned


def app_needing_auth(registry: Registry, app_key: str) -> App:
    """The app, or a 400 when it is unknown or needs no authentication."""
    app = find_app(registry, app_key)
    if not app.needs_auth:
        raise BadRequest(
            f"{app.name} ({app.key}) needs no authentication; its actions run without one.",
            hint="Run its actions without an authentication_id.",
            code="no_authentication_needed",
        )
    return app


def _valid_fields(app: App) -> str:
    return listing([f"{f.key} ({f.label}{', optional' if not f.required else ''})" for f in app.auth.fields])


def reject_unknown_fields(app: App, fields: Mapping[str, str]) -> None:
    """A 400 naming any field the app's auth kind does not declare, listing the valid ones."""
    declared = {f.key for f in app.auth.fields}
    unknown = [key for key in fields if key not in declared]
    if unknown:
        names = ", ".join(repr(k) for k in unknown)
        raise BadRequest(
            f"fields: {names} {'is not a field' if len(unknown) == 1 else 'are not fields'} of "
            f"{app.key}'s {app.auth.kind} authentication.",
            hint=f"Valid fields: {_valid_fields(app)}.",
            code="unknown_field",
        )


def check_fields(app: App, fields: Mapping[str, str]) -> dict[str, str]:
    """The non-empty fields if they fit the app's auth kind; else a 400 naming the unknown or missing one."""
    reject_unknown_fields(app, fields)
    missing = [f for f in app.auth.fields if f.required and not fields.get(f.key)]
    if missing:
        names = ", ".join(f"'{f.key}' ({f.label})" for f in missing)
        raise BadRequest(
            f"fields: {names} {'is' if len(missing) == 1 else 'are'} required for {app.key} and "
            f"{'was' if len(missing) == 1 else 'were'} missing or empty.",
            hint=f"Send every required field: {_valid_fields(app)}.",
            code="missing_field",
        )
    return {key: value for key, value in fields.items() if value != ""}


class AuthenticationService:
    """Lists, creates, updates and deletes an account's authentications for an app."""

    def __init__(self, registry: Registry, box: SecretBox, http: HttpFactory, *, timeout_seconds: float = 30.0):
        self.registry = registry
        self.box = box
        self.http = http
        self.timeout_seconds = timeout_seconds

    def app(self, app_key: str) -> App:
        """The installed app with this key, or a 400 listing the valid ones."""
        return find_app(self.registry, app_key)

    def app_needing_auth(self, app_key: str) -> App:
        """The app, or a 400 when it is unknown or needs no authentication."""
        return app_needing_auth(self.registry, app_key)

    async def verify(self, app: App, fields: Mapping[str, str], account_id: int | None = None) -> Verified:
        """Check the fields and run the auth kind's ``test()``; a 400 saying what the service answered."""
        checked = check_fields(app, fields)
        test = app.auth.test
        if test is None:
            return Verified(checked, "")
        refused = f"{app.name} did not accept these credentials"
        try:
            async with (
                self.http(app.auth.httpx_auth(checked)) as client,
                asyncio.timeout(self.timeout_seconds),
            ):
                label = await test(ActionContext(http=client, credentials=dict(checked), account_id=account_id))
        except AppError as exc:
            raise BadRequest(
                scrub(f"{refused}: {exc.message}", app.secret_values(checked)),
                hint=scrub(exc.hint, app.secret_values(checked)) if exc.hint else "Check the fields and try again.",
                code="authentication_test_failed",
            ) from None
        except TimeoutError:
            raise BadRequest(
                f"{refused}: it did not answer within {self.timeout_seconds:g} s.",
                hint="Try again later, or check the service's address.",
                code="authentication_test_failed",
            ) from None
        except httpx.HTTPError as exc:
            raise BadRequest(
                scrub(f"{refused}: {_http_failure(exc)}", app.secret_values(checked)),
                hint="Check the service's address and that it is up, then try again.",
                code="authentication_test_failed",
            ) from None
        except Exception as exc:
            log.error("the auth test of %s failed unexpectedly (%s)", app.key, type(exc).__name__)
            raise BadRequest(
                f"{refused}: testing them failed unexpectedly ({type(exc).__name__}).",
                hint="This is a bug in the app; report it with the app's name.",
                code="authentication_test_failed",
            ) from None
        return Verified(checked, (label or "")[:LABEL_MAX])

    async def for_app(
        self, session: AsyncSession, account_id: int, app_key: str, *, owner_id: int | None = None
    ) -> tuple[list[Authentication], str | None]:
        """The account's authentications for the app (only ``owner_id``'s when given) and a note."""
        app = self.app(app_key)
        if not app.needs_auth:
            return [], f"{app.name} ({app.key}) needs no authentication."
        return await repo.for_app(session, account_id, app.key, owner_id), None

    async def get(self, session: AsyncSession, account_id: int, app_key: str, auth_id: int) -> Authentication:
        """An authentication of the account for the app, else a 404 that reveals nothing of other accounts."""
        row = await repo.get(session, account_id, auth_id)
        if row is None or row.app != app_key:
            raise NotFound(
                f"authentication {auth_id} was not found among {app_key}'s authentications in this account.",
                hint=f"GET /api/v2/apps/{app_key}/auths/ lists them.",
            )
        return row

    async def create(
        self,
        session: AsyncSession,
        *,
        account_id: int,
        user_id: int | None,
        app_key: str,
        title: str,
        fields: Mapping[str, str],
    ) -> Authentication:
        """Verify the credentials with the service, then store them sealed."""
        app = self.app_needing_auth(app_key)
        title = clean_title(title)
        verified = await self.verify(app, fields, account_id)
        row = Authentication(
            account_id=account_id,
            user_id=user_id,
            app=app.key,
            title=title,
            label=verified.label,
            secret=self.box.seal(verified.fields),
            is_stale=False,
        )
        await repo.add(session, row)
        log.info("authentication %s for %s created in account %s", row.id, app.key, account_id)
        return row

    async def update(
        self,
        session: AsyncSession,
        *,
        account_id: int,
        app_key: str,
        auth_id: int,
        title: str | None = None,
        fields: Mapping[str, str] | None = None,
    ) -> Authentication:
        """Retitle and/or replace the credentials (re-verified); new credentials clear ``is_stale``."""
        if title is None and fields is None:
            raise BadRequest(
                "Nothing to update: send title, fields or both.",
                hint='e.g. {"title": "New name"} or {"fields": {...every field...}}.',
            )
        app = self.app_needing_auth(app_key)
        title = clean_title(title) if title is not None else None
        await self.get(session, account_id, app.key, auth_id)
        verified = await self.verify(app, fields, account_id) if fields is not None else None
        row = await self.get(session, account_id, app.key, auth_id)
        if title is not None:
            row.title = title
        if verified is not None:
            row.secret = self.box.seal(verified.fields)
            row.label = verified.label
            row.is_stale = False
            row.token_version += 1  # pasted tokens replace any refresh in flight
            row.token_expires_at = None
            row.last_failure, row.last_failure_at = None, None
        await repo.save(session, row)
        log.info("authentication %s for %s updated in account %s", row.id, app.key, account_id)
        return row

    async def delete(self, session: AsyncSession, *, account_id: int, app_key: str, auth_id: int) -> None:
        """Delete an authentication of the account for the app (installed or not any more), else a 404."""
        await self.get(session, account_id, app_key, auth_id)
        await repo.remove(session, account_id, auth_id)
        log.info("authentication %s for %s deleted in account %s", auth_id, app_key, account_id)
