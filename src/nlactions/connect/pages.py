"""The pages a browser sees at the end of the connect flow (the shared templates and security headers)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse

from nlactions.web.pages import render

_HEADERS = {"Referrer-Policy": "no-referrer"}


def _page(request: Request, title: str, message: str, *, failed: bool, status: int) -> HTMLResponse:
    context = {"title": title, "message": message, "failed": failed}
    response = render(request, "connect/result.html", context, status_code=status)
    response.headers.update(_HEADERS)  # the provider's code and state stay out of any Referer
    return response


def connected(request: Request, app_name: str, title: str, auth_id: int, reconnected: bool) -> HTMLResponse:
    """The page saying the connection worked."""
    what = "reconnected" if reconnected else "connected"
    message = f"{app_name} is {what} as “{title}” (authentication {auth_id})."
    return _page(request, f"{app_name} {what}", message, failed=False, status=200)


def failed(request: Request, app_name: str, message: str, status: int = 400) -> HTMLResponse:
    """The page saying why the connection did not work."""
    return _page(request, f"{app_name} was not connected", message, failed=True, status=status)
