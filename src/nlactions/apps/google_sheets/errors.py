"""Google's error bodies (``{"error": {"code", "message", "status", "errors"}}``) as messages an agent can act on."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from nlactions.apps.google_sheets.tokens import service_account_email
from nlactions.catalog import AppError, AuthExpired, UpstreamError
from nlactions.catalog.http_errors import retry_delay, when_to_retry

SERVICE = "Google Sheets"
DEFAULT_RATE_LIMIT_WAIT = 60.0
RECONNECT = (
    "Reconnect the GoogleSheetsV2API authentication: paste a current OAuth access token, or the service "
    "account's JSON key file."
)


def _error(response: httpx.Response) -> tuple[str, str]:
    try:
        body: Any = response.json()
    except ValueError:
        body = None
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return "", " ".join(response.text.split())[:200]
    return str(error.get("status") or ""), " ".join(str(error.get("message") or "").split())


def google_error(
    credentials: Mapping[str, str],
    response: httpx.Response,
    *,
    what: str,
    spreadsheet: str | None = None,
    sheet: str | None = None,
) -> AppError:
    """The catalog error for Google's refusal of ``what`` (a 401, 403, 404, 429 or any other status)."""
    status, said = _error(response)
    code = response.status_code
    head = f"Google refused {what} ({code} {status or response.reason_phrase})" + (f": {said}" if said else "")
    if code == 401 or status == "UNAUTHENTICATED":
        return AuthExpired(f"{head}.", hint=RECONNECT)
    if code == 429 or status == "RESOURCE_EXHAUSTED":
        delay = retry_delay(response)
        return UpstreamError(
            f"{head}; Google Sheets is rate limiting these requests, {when_to_retry(delay)}.",
            hint="Do not retry before then: Sheets limits reads and writes per minute per project and user.",
            status_code=code,
            retry_after=delay if delay is not None else DEFAULT_RATE_LIMIT_WAIT,
            retryable=True,
        )
    if code == 403 or status == "PERMISSION_DENIED":
        email = service_account_email(credentials)
        target = f"spreadsheet {spreadsheet}" if spreadsheet else "the spreadsheet"
        if email:
            hint = f"Share {target} with the service account {email} (Share > add it as an Editor), then try again."
        else:
            hint = (
                f"Check that your Google account can edit {target}, or reconnect with the scopes "
                "https://www.googleapis.com/auth/spreadsheets and https://www.googleapis.com/auth/drive.readonly."
            )
        return UpstreamError(f"{head}.", hint=hint, status_code=code, retryable=False)
    if code == 404 or status == "NOT_FOUND":
        if spreadsheet:
            named = f"No spreadsheet with id {spreadsheet!r}" + (f" (or no worksheet {sheet!r} in it)" if sheet else "")
        else:
            named = "Not found"
        return UpstreamError(
            f"{head}. {named} that this connection can see.",
            hint="Pick the spreadsheet from the spreadsheet choices (its id is in its URL, /d/<id>/edit), and the "
            "worksheet from the worksheet choices.",
            status_code=code,
            retryable=False,
        )
    if code == 400 and sheet and "Unable to parse range" in said:
        return AppError(
            f"{head}. No worksheet {sheet!r} in spreadsheet {spreadsheet}.", hint="Pick a worksheet from its choices."
        )
    if code >= 500:
        return UpstreamError(f"{head}.", hint="Google failed; try again later.", status_code=code)
    return UpstreamError(f"{head}.", status_code=code, retryable=False)
