"""What every console page shares: rendering with the navigation, form reading, notices, the execute budget."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import Request
from starlette.datastructures import FormData
from starlette.responses import Response

from nlactions.api.deps import limits_of, runtime_of
from nlactions.api.runtime import Runtime
from nlactions.ratelimits.service import Budget
from nlactions.signin.deps import web_session
from nlactions.signin.service import SignedIn
from nlactions.web.csrf import FIELD, check_csrf
from nlactions.web.pages import redirect, render

MAX_FIELD = 100_000
SECTIONS = (
    ("apps", "Apps", "/console/apps/"),
    ("connections", "Connections", "/console/connections/"),
    ("ai-actions", "AI actions", "/console/ai-actions/"),
    ("runs", "Runs", "/console/runs/"),
    ("keys", "Keys & MCP", "/console/keys/"),
)
NOTICES = {
    "connection-added": "Connection added. Its secret fields are stored encrypted and will not be shown again.",
    "connection-renamed": "Connection renamed.",
    "connection-updated": "Connection updated with the new credentials.",
    "connection-deleted": "Connection deleted.",
    "connection-ok": "The service accepted this connection's credentials.",
    "ai-action-saved": "AI action saved.",
    "ai-action-deleted": "AI action deleted.",
    "run-rated": "Thanks: the rating is saved on the run.",
    "key-revoked": "Key revoked: requests with it are refused from now on.",
    "connected": "Connected.",
}
"""The only messages a ``?notice=`` can show (a link cannot make a page say anything else)."""


def page(
    request: Request,
    user: SignedIn,
    template: str,
    section: str,
    context: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
    error: str = "",
) -> Response:
    """Render a console page: navigation, account switcher, a notice from ``?notice=``, an error if any."""
    notice = NOTICES.get(request.query_params.get("notice", ""), "")
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return render(
        request,
        template,
        {
            "user": user,
            "csrf": user.csrf,
            "csrf_field": FIELD,
            "sections": SECTIONS,
            "section": section,
            "notice": notice,
            "error": error,
            "here": here,
            **(context or {}),
        },
        status_code=status_code,
    )


def back(url: str, notice: str | None = None) -> Response:
    """A 303 to a console page, with one of ``NOTICES`` shown there."""
    assert notice is None or notice in NOTICES
    return redirect(url + (("&" if "?" in url else "?") + f"notice={notice}" if notice else ""))


async def posted(request: Request) -> FormData:
    """The posted form, its CSRF token checked against the session (``CsrfRejected`` → a 403 page)."""
    form = await request.form()
    check_csrf(web_session(request), form.get(FIELD))
    return form


def text(form: FormData, name: str, limit: int = MAX_FIELD) -> str:
    """A text field of the form ('' when absent or a file), cut at ``limit`` characters."""
    value = form.get(name)
    return value[:limit] if isinstance(value, str) else ""


def texts(form: FormData, name: str, limit: int = MAX_FIELD) -> list[str]:
    """Every value of a repeated field (checkboxes, multi-selects)."""
    return [value[:limit] for value in form.getlist(name) if isinstance(value, str)]


def rt(request: Request) -> Runtime:
    """The server runtime."""
    return runtime_of(request)


async def charge_execute(request: Request, user: SignedIn) -> None:
    """Spend one execute of the user's current account (a console user counts as a key of their own)."""
    await limits_of(request).charge(Budget.EXECUTE, key_id=-user.user_id, account_id=user.account_id)


def parse_int(value: str) -> int | None:
    """A positive id from a path or a field, else None (any other text is simply not found)."""
    return int(value) if value.isdigit() and 0 < len(value) < 19 else None
