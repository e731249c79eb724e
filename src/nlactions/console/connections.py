"""Connections: the account's authentications per app; add by form, test, rename, reconnect, delete."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from nlactions.authentications import repository as auth_repo
from nlactions.authentications.endpoints import service as auth_service
from nlactions.catalog import App, AuthField
from nlactions.connect.clients import oauth_of
from nlactions.console.common import back, page, parse_int, posted, rt, text
from nlactions.db.models import Authentication
from nlactions.errors import NLActionsError
from nlactions.signin.deps import UserDep
from nlactions.signin.service import SignedIn

router = APIRouter()


def _connectable(request: Request) -> list[App]:
    return sorted((app for app in rt(request).registry if app.needs_auth), key=lambda app: app.name.lower())


def _fields(app: App, form: object) -> dict[str, str]:
    """The auth fields typed into the form (empty ones left out, so 'required' errors name them)."""
    values: dict[str, str] = {}
    for spec in app.auth.fields:
        value = text(form, f"field__{spec.key}", 10_000)  # type: ignore[arg-type]
        if value:
            values[spec.key] = value if spec.secret else value.strip()
    return values


@router.get("/connections/")
async def connections(request: Request, user: UserDep) -> Response:
    """Every app that needs an authentication, with this account's connections to it."""
    runtime = rt(request)
    svc = auth_service(runtime)
    groups = []
    async with runtime.sessions() as session:
        for app in _connectable(request):
            rows, _note = await svc.for_app(session, user.account_id, app.key)
            groups.append({"app": app, "rows": rows})
    return page(request, user, "console/connections.html", "connections", {"groups": groups})


CONNECT_URL = "/console/connections/connect/"


async def _connect_url(request: Request, app: App | None) -> str:
    """Where the OAuth connect button posts, when the app connects with OAuth and its client is registered."""
    if app is None or oauth_of(app) is None:
        return ""
    runtime = rt(request)
    async with runtime.sessions() as session:
        registered = await runtime.connect().registrations.find(session, app)
    return CONNECT_URL if registered is not None else ""


def _connect_fields(app: App | None) -> tuple[AuthField, ...]:
    """The fields the OAuth form asks for (none when the app has no connect flow)."""
    oauth = oauth_of(app) if app is not None else None
    return oauth.connect_fields if oauth is not None else ()


async def _form_page(
    request: Request, user: SignedIn, app: App | None, *, title: str = "", error: str = "", status: int = 200
) -> Response:
    return page(
        request,
        user,
        "console/connection_new.html",
        "connections",
        {
            "app": app,
            "apps": _connectable(request),
            "title": title,
            "connect_url": await _connect_url(request, app),
            "connect_fields": _connect_fields(app),
        },
        error=error,
        status_code=status,
    )


@router.get("/connections/new/")
async def new_connection(request: Request, user: UserDep, app: Annotated[str, Query(max_length=100)] = "") -> Response:
    """The form for one app's auth fields (or the list of apps to pick from)."""
    found = rt(request).registry.get(app) if app else None
    if found is not None and not found.needs_auth:
        found = None
    return await _form_page(request, user, found)


@router.post("/connections/new/")
async def add_connection(request: Request, user: UserDep) -> Response:
    """Verify the fields with the service (the API's create), store them encrypted, back to the list."""
    form = await posted(request)
    runtime = rt(request)
    app = runtime.registry.get(text(form, "app", 100))
    if app is None or not app.needs_auth:
        return await _form_page(request, user, None, error="app: choose one of the apps listed.", status=400)
    title = text(form, "title", 300)
    try:
        async with runtime.sessions() as session, session.begin():
            row = await auth_service(runtime).create(
                session,
                account_id=user.account_id,
                user_id=user.user_id,
                app_key=app.key,
                title=title,
                fields=_fields(app, form),
            )
    except NLActionsError as exc:
        message = exc.message + (f" {exc.hint}" if exc.hint else "")
        return await _form_page(request, user, app, title=title, error=message, status=exc.status)
    return back(f"/console/connections/{row.id}/", "connection-added")


@router.post("/connections/connect/")
async def connect_with_oauth(request: Request, user: UserDep) -> Response:
    """Make a connect link (the API's Connect With OAuth) and send the person on to the app's sign-in."""
    form = await posted(request)
    runtime = rt(request)
    app = runtime.registry.get(text(form, "app", 100))
    if app is None or not app.needs_auth:
        return await _form_page(request, user, None, error="app: choose one of the apps listed.", status=400)
    fields = {
        spec.key: value for spec in _connect_fields(app) if (value := text(form, f"field__{spec.key}", 2000).strip())
    }
    reconnect = parse_int(text(form, "authentication_id", 20))
    try:
        async with runtime.sessions() as session, session.begin():
            link = await runtime.connect().link(
                session,
                account_id=user.account_id,
                user_id=user.user_id,
                app_key=app.key,
                authentication_id=reconnect,
                title=text(form, "title", 300).strip() or None,
                fields=fields,
            )
    except NLActionsError as exc:
        message = exc.message + (f" {exc.hint}" if exc.hint else "")
        return await _form_page(request, user, app, error=message, status=exc.status)
    # A link the person follows, not a redirect: the page's CSP lets forms lead only to this site.
    return page(request, user, "console/connect.html", "connections", {"app": app, "link": link})


async def _row(request: Request, user: SignedIn, auth_id: str) -> Authentication | None:
    ident = parse_int(auth_id)
    if ident is None:
        return None
    async with rt(request).sessions() as session:
        return await auth_repo.get(session, user.account_id, ident)


def _missing(request: Request, user: SignedIn) -> Response:
    return page(
        request,
        user,
        "console/error.html",
        "connections",
        {
            "title": "No such connection",
            "message": "This account has no connection with that id.",
            "back_url": "/console/connections/",
        },
        status_code=404,
    )


async def _detail(
    request: Request, user: SignedIn, row: Authentication, *, error: str = "", status: int = 200
) -> Response:
    app = rt(request).registry.get(row.app)
    return page(
        request,
        user,
        "console/connection.html",
        "connections",
        {"row": row, "app": app, "connect_url": await _connect_url(request, app)},
        error=error,
        status_code=status,
    )


@router.get("/connections/{auth_id}/")
async def connection(request: Request, user: UserDep, auth_id: str) -> Response:
    """One connection: rename, test, reconnect (enter the credentials again) or delete it."""
    row = await _row(request, user, auth_id)
    return _missing(request, user) if row is None else await _detail(request, user, row)


@router.post("/connections/{auth_id}/{verb}/")
async def change_connection(request: Request, user: UserDep, auth_id: str, verb: str) -> Response:
    """``rename``, ``reconnect``, ``test`` or ``delete`` one of the account's connections."""
    form = await posted(request)
    row = await _row(request, user, auth_id)
    if row is None or verb not in NOTICE_OF:
        return _missing(request, user)
    runtime = rt(request)
    svc = auth_service(runtime)
    account_id, app_key, ident = user.account_id, row.app, row.id
    problem: str | None = None
    try:
        async with runtime.sessions() as session, session.begin():
            if verb == "rename":
                await svc.update(
                    session, account_id=account_id, app_key=app_key, auth_id=ident, title=text(form, "title", 300)
                )
            elif verb == "reconnect":
                await svc.update(
                    session,
                    account_id=account_id,
                    app_key=app_key,
                    auth_id=ident,
                    fields=_fields(svc.app_needing_auth(row.app), form),
                )
            elif verb == "delete":
                await svc.delete(session, account_id=account_id, app_key=app_key, auth_id=ident)
            else:
                row, problem = await svc.test_stored(session, account_id=account_id, app_key=app_key, auth_id=ident)
    except NLActionsError as exc:
        fresh = await _row(request, user, auth_id) or row
        return await _detail(
            request, user, fresh, error=exc.message + (f" {exc.hint}" if exc.hint else ""), status=exc.status
        )
    if problem is not None:
        return await _detail(request, user, row, error=f"The service refused this connection: {problem}", status=400)
    if verb == "delete":
        return back("/console/connections/", NOTICE_OF[verb])
    return back(f"/console/connections/{row.id}/", NOTICE_OF[verb])


NOTICE_OF = {
    "rename": "connection-renamed",
    "reconnect": "connection-updated",
    "test": "connection-ok",
    "delete": "connection-deleted",
}
