"""Mount the console's pages under ``/console/`` and answer its errors with pages, not JSON."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from nlactions.api.errors import validation_message
from nlactions.console import ai_actions, apps, connections, keys, runs
from nlactions.console.common import page
from nlactions.errors import NLActionsError
from nlactions.kit.redact import scrubbed_traceback
from nlactions.signin.deps import UserDep, current_user
from nlactions.web.pages import redirect, render

log = logging.getLogger(__name__)
PREFIX = "/console"

router = APIRouter(prefix=PREFIX, include_in_schema=False)


@router.get("/")
async def home(user: UserDep) -> Response:
    """The console starts at Apps."""
    return redirect(f"{PREFIX}/apps/")


PAGE_MODULES = (apps, connections, ai_actions, runs, keys)
for module in PAGE_MODULES:
    router.include_router(module.router)

Handler = Callable[[Request, Exception], Awaitable[Response]]


def _is_console(request: Request) -> bool:
    return request.url.path == PREFIX or request.url.path.startswith(PREFIX + "/")


async def _error_page(request: Request, status: int, title: str, message: str) -> Response:
    user = await current_user(request)
    if user is None:
        return render(request, "signin/error.html", {"title": title, "message": message}, status_code=status)
    return page(request, user, "console/error.html", "", {"title": title, "message": message}, status_code=status)


def _pages_for_console(
    app: FastAPI, kind: type[Exception], describe: Callable[[Exception], tuple[int, str, str]]
) -> None:
    """Wrap the app's handler of ``kind``: console paths get an HTML page, every other path the API's answer."""
    api_handler: Handler = app.exception_handlers[kind]  # type: ignore[assignment]

    async def handler(request: Request, exc: Exception) -> Response:
        if not _is_console(request):
            return await api_handler(request, exc)
        status, title, message = describe(exc)
        if status >= 500:
            log.error("console page failed\n%s", scrubbed_traceback(exc))
        return await _error_page(request, status, title, message)

    app.add_exception_handler(kind, handler)


def _app_error(exc: Exception) -> tuple[int, str, str]:
    assert isinstance(exc, NLActionsError)
    return exc.status, "That did not work", exc.message + (f" {exc.hint}" if exc.hint else "")


def _http_error(exc: Exception) -> tuple[int, str, str]:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 404:
        return 404, "Page not found", "There is no such page in the console."
    if exc.status_code == 405:
        return 405, "Not allowed", "This page does not take that kind of request."
    return exc.status_code, "That did not work", str(exc.detail)


def _invalid(exc: Exception) -> tuple[int, str, str]:
    assert isinstance(exc, RequestValidationError)
    return 400, "That did not work", validation_message(list(exc.errors()))


def _unexpected(_exc: Exception) -> tuple[int, str, str]:
    return 500, "Something went wrong", "The page could not be shown. Try again; if it persists, check the server log."


def install(app: FastAPI) -> None:
    """Mount the console and let its errors be pages (the API's handlers must be installed first)."""
    app.include_router(router)
    _pages_for_console(app, NLActionsError, _app_error)
    _pages_for_console(app, StarletteHTTPException, _http_error)
    _pages_for_console(app, RequestValidationError, _invalid)
    _pages_for_console(app, Exception, _unexpected)
