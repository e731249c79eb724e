"""Thin HTTP layer of the connect flow: the API's link endpoint and the browser's two pages."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import HTMLResponse, RedirectResponse

from nlactions.api.deps import CallerDep, RuntimeDep
from nlactions.api.responses import FastJSONResponse, error_responses
from nlactions.connect import pages
from nlactions.connect.schemas import ConnectLinkOut, ConnectRequest
from nlactions.connect.service import ConnectFailed, ConnectService

api_router = APIRouter(prefix="/api/v2/apps/{app}/auths", tags=["apps"])
browser_router = APIRouter(prefix="/connect/{app}", include_in_schema=False)

_TEXTS = {
    400: "Bad Request: unknown app, an app that does not connect with OAuth, no OAuth client registered for it "
    "(the hint says how the operator adds one), or a field that may not be sent",
    403: "account_id is not one of your accounts",
    404: "authentication_id is not an authentication for this app in your account",
    422: "The body, a path or a query parameter fails schema validation",
}

AppKey = Annotated[str, Path(max_length=100, description="The app key, e.g. SlackAPI.")]
StateParam = Annotated[str | None, Query(max_length=200)]
AccountId = Annotated[int | None, Query(description="The account to act in; defaults to the API key's account.")]


def service(rt: RuntimeDep) -> ConnectService:
    """The connect service over the runtime's registrations, secret box and outbound HTTP."""
    return rt.connect()


NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
ServiceDep = Annotated[ConnectService, Depends(service)]


@api_router.post(
    "/connect/",
    status_code=201,
    response_model=ConnectLinkOut,
    responses=error_responses(400, 401, 403, 404, 422, texts=_TEXTS),
    summary="Connect With OAuth",
)
async def connect(
    app: AppKey,
    rt: RuntimeDep,
    caller: CallerDep,
    svc: ServiceDep,
    body: ConnectRequest | None = None,
    account_id: AccountId = None,
) -> FastJSONResponse:
    """A link that connects the app with OAuth for your account (or reconnects ``authentication_id``)."""
    account = caller.account(account_id)
    request = body or ConnectRequest()
    async with rt.sessions() as session, session.begin():
        link = await svc.link(
            session,
            account_id=account,
            user_id=caller.user_id,
            app_key=app,
            authentication_id=request.authentication_id,
            title=request.title,
            fields=request.fields,
        )
    out = ConnectLinkOut(connect_url=link.connect_url, redirect_uri=link.redirect_uri, expires_at=link.expires_at)
    return FastJSONResponse(out.model_dump(mode="json"), status_code=201)


def _name(rt: Any, app: str) -> str:
    found = rt.registry.get(app)
    return found.name if found is not None else "The app"


@browser_router.get("/", response_model=None)
async def open_link(
    app: AppKey, rt: RuntimeDep, svc: ServiceDep, state: StateParam = None
) -> HTMLResponse | RedirectResponse:
    """Send the browser to the provider's authorization page for this link's state."""
    try:
        async with rt.sessions() as session:
            url = await svc.provider_url(session, app, state)
    except ConnectFailed as exc:
        return pages.failed(_name(rt, app), exc.message, exc.status)
    return RedirectResponse(
        url, status_code=302, headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
    )


@browser_router.get("/callback/", response_model=None)
async def callback(
    app: AppKey,
    rt: RuntimeDep,
    svc: ServiceDep,
    state: StateParam = None,
    code: Annotated[str | None, Query(max_length=4096)] = None,
    error: Annotated[str | None, Query(max_length=200)] = None,
    error_description: Annotated[str | None, Query(max_length=500)] = None,
) -> HTMLResponse:
    """Where the provider sends the browser back: exchange the code, store the tokens, say how it went."""
    name = _name(rt, app)
    try:
        async with rt.sessions() as session, session.begin():
            claimed = await svc.claim(session, app, state)  # committed: the link is used, whatever happens next
        if error:
            if error == "access_denied":
                raise ConnectFailed(f"You declined to authorize {name}; nothing was connected.")
            said = f": {error_description}" if error_description else ""
            raise ConnectFailed(f"{name} answered with the error {error}{said}. Nothing was connected.")
        if not code:
            raise ConnectFailed(f"{name} sent no authorization code back. Ask for a new connect link.")
        tokens = await svc.exchange(claimed, code)
        verified = await svc.identify(claimed, tokens)
        async with rt.sessions() as session, session.begin():
            row = await svc.store(session, claimed, tokens, verified)
    except ConnectFailed as exc:
        return pages.failed(name, exc.message, exc.status)
    return pages.connected(name, row.title, row.id, claimed.state.authentication_id is not None)
