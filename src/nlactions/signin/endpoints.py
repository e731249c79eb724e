"""Pages of ``/signin/`` and ``/signout/``: server-rendered forms, session cookie, CSRF, throttled failures."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI, Request
from starlette.responses import Response

from nlactions.api.deps import limits_of, runtime_of
from nlactions.errors import RateLimited
from nlactions.ratelimits.headers import client_address
from nlactions.signin import service
from nlactions.signin.deps import SignInRequired, current_user, require_user, save_session, web_session
from nlactions.web.csrf import FIELD, CsrfRejected, check_csrf, csrf_token
from nlactions.web.pages import redirect, render
from nlactions.web.redirects import safe_next
from nlactions.web.session import SessionCodec

router = APIRouter(include_in_schema=False)

WRONG = "Wrong email or password."
MAX_FIELD = 1024


def _text(form: Any, name: str) -> str:
    value = form.get(name)
    return value[: MAX_FIELD + 1] if isinstance(value, str) else ""


def _signin_page(
    request: Request, *, email: str = "", next_path: str, error: str = "", status: int = 200, retry_after: int = 0
) -> Response:
    session = web_session(request)
    headers = {"Retry-After": str(retry_after)} if retry_after else {}
    page = render(
        request,
        "signin/signin.html",
        {"csrf": csrf_token(session), "email": email, "next": next_path, "error": error, "field": FIELD},
        status_code=status,
        headers=headers,
    )
    return save_session(request, page)


@router.get("/signin/")
async def signin_page(request: Request, next: str | None = None) -> Response:
    """The sign-in form (a signed-in user goes straight to ``next``)."""
    target = safe_next(next)
    if await current_user(request) is not None:
        return redirect(target)
    return _signin_page(request, next_path=target)


@router.post("/signin/")
async def signin(request: Request) -> Response:
    """Check the CSRF token, the throttle and the password; start a session and go to ``next``."""
    form = await request.form()
    check_csrf(web_session(request), form.get(FIELD))
    email, password = _text(form, "email").strip(), _text(form, "password")
    target = safe_next(_text(form, "next"))
    throttle = limits_of(request).signin
    address = client_address(request.scope)
    try:
        await throttle.check(address, email)
    except RateLimited as exc:
        return _signin_page(
            request, email=email, next_path=target, error=exc.message, status=429, retry_after=exc.retry_after
        )
    if not email or not password:
        return _signin_page(request, email=email, next_path=target, error="Enter your email and password.", status=400)
    runtime = runtime_of(request)
    async with runtime.sessions() as db:
        user = await service.check_password(db, email=email, password=password)
        account_id = await service.first_account_id(db, user.id) if user else None
    if user is None:
        await throttle.failed(address, email)
        return _signin_page(request, email=email, next_path=target, error=WRONG, status=400)
    if account_id is None:
        return _signin_page(
            request,
            email=email,
            next_path=target,
            error="Your user belongs to no account yet; ask an administrator to run "
            "`nlactions users create EMAIL --account NAME`.",
            status=403,
        )
    session = web_session(request)
    service.start_session(session, user, account_id)
    csrf_token(session)
    return save_session(request, redirect(target), force=True)


@router.post("/signout/")
async def signout(request: Request) -> Response:
    """End the session (CSRF-checked, so another site cannot sign you out) and show the sign-in page."""
    form = await request.form()
    check_csrf(web_session(request), form.get(FIELD))
    response = redirect("/signin/")
    SessionCodec.clear(request, response)
    return response


@router.post("/signin/account/")
async def switch_account(request: Request) -> Response:
    """Make another of the user's accounts the current one, then go back to ``next``."""
    form = await request.form()
    check_csrf(web_session(request), form.get(FIELD))
    user = await require_user(request)
    wanted = _text(form, "account_id")
    if not wanted.isdigit() or int(wanted) not in {a.id for a in user.accounts}:
        page = render(
            request,
            "signin/error.html",
            {"title": "Not your account", "message": "account_id: choose one of the accounts in the switcher."},
            status_code=403,
        )
        return page
    session = web_session(request)
    session.data["a"] = int(wanted)
    return save_session(request, redirect(safe_next(_text(form, "next"))), force=True)


async def _on_signin_required(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SignInRequired)
    return redirect(exc.location)


async def _on_csrf_rejected(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, CsrfRejected)
    page = render(request, "signin/error.html", {"title": "Form refused", "message": exc.reason}, status_code=403)
    return save_session(request, page)


def install(app: FastAPI) -> None:
    """Mount the sign-in pages and the handlers turning their exceptions into pages."""
    app.include_router(router)
    app.add_exception_handler(SignInRequired, _on_signin_required)
    app.add_exception_handler(CsrfRejected, _on_csrf_rejected)
