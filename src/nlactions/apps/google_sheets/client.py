"""Calling Sheets v4 and Drive v3 with ``ctx.http`` (SSRF-guarded) and the connection's bearer token."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from nlactions.apps.google_sheets.errors import google_error
from nlactions.apps.google_sheets.tokens import bearer_token, forget
from nlactions.catalog import AuthExpired, ServiceContext, UpstreamError, bearer_auth, read_base_url

DEFAULT_API_BASE_URL = "https://sheets.googleapis.com"
DEFAULT_DRIVE_BASE_URL = "https://www.googleapis.com"
DRIVE_KEY = "drive_base_url"


def sheets_url(ctx: ServiceContext, path: str) -> str:
    """``{api_base_url}/v4/{path}``."""
    return f"{read_base_url(ctx.credentials, DEFAULT_API_BASE_URL)}/v4/{path}"


def drive_url(ctx: ServiceContext, path: str) -> str:
    """``{drive_base_url}/drive/v3/{path}``."""
    return f"{read_base_url(ctx.credentials, DEFAULT_DRIVE_BASE_URL, key=DRIVE_KEY)}/drive/v3/{path}"


def a1(sheet: str, cells: str = "") -> str:
    """An A1 range on ``sheet`` (its title quoted, ``'`` doubled), path-encoded: ``'My Sheet'!1:1``."""
    quoted = "'" + sheet.replace("'", "''") + "'"
    return quote(quoted + (f"!{cells}" if cells else ""), safe="")


async def call(
    ctx: ServiceContext,
    method: str,
    url: str,
    *,
    params: Mapping[str, Any] | None = None,
    json: Any = None,
    what: str,
    spreadsheet: str | None = None,
    sheet: str | None = None,
) -> dict[str, Any]:
    """One request's JSON body; a refusal becomes the catalog error saying how to fix it."""
    token = await bearer_token(ctx)
    response = await ctx.http.request(method, url, params=params, json=json, auth=bearer_auth(token))
    if response.status_code >= 400:
        error = google_error(ctx.credentials, response, what=what, spreadsheet=spreadsheet, sheet=sheet)
        if isinstance(error, AuthExpired):
            forget(ctx.credentials)
        raise error
    try:
        body: Any = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise UpstreamError(
            f"{response.url.host} answered {what} with a body that is not a JSON object, so it is not Google's API.",
            hint="Check api_base_url and drive_base_url: leave them empty for Google's.",
            status_code=response.status_code,
        )
    return body


def items(body: Mapping[str, Any], key: str) -> list[dict[str, Any]]:
    """The dict items of the list at ``body[key]``."""
    value = body.get(key)
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def rows(body: Mapping[str, Any]) -> list[list[str]]:
    """A ValueRange's ``values`` as rows of strings (Google omits trailing empty cells and rows)."""
    return obj_rows(body)


def obj_rows(body: Any) -> list[list[str]]:
    """The ``values`` of a ValueRange-like object (anything else: no rows)."""
    value = body.get("values") if isinstance(body, dict) else None
    if not isinstance(value, list):
        return []
    return [[str(cell) for cell in row] if isinstance(row, list) else [] for row in value]
