"""Errors an app raises; the executor turns them into execution statuses, never HTTP exceptions."""

from __future__ import annotations

import datetime as dt
from email.utils import parsedate_to_datetime


class AppError(Exception):
    """The action failed in a way the caller can read; ``hint`` says how to fix the call."""

    def __init__(self, message: str, *, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint


class UpstreamError(AppError):
    """The third-party service answered with an error.

    ``retry_after``: seconds the service asked to wait (its ``Retry-After``); such an error, a 429 and a 5xx
    are ``retryable`` unless the app says otherwise.
    """

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        status_code: int | None = None,
        retry_after: float | None = None,
        retryable: bool | None = None,
    ):
        super().__init__(message, hint=hint)
        self.status_code = status_code
        self.retry_after = retry_after
        if retryable is None:
            retryable = retry_after is not None or status_code == 429 or (status_code or 0) >= 500
        self.retryable = retryable


def retry_after_seconds(value: str | None, *, now: dt.datetime | None = None) -> float | None:
    """A ``Retry-After`` header's wait in seconds (it is a number of seconds or an HTTP date); None if absent."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - (now or dt.datetime.now(dt.UTC))).total_seconds())


class AuthExpired(AppError):
    """The stored credentials were refused by the service; they need refreshing or reconnecting.

    ``token``: the side token refused (``OAuth2Auth.side_tokens``, e.g. Slack's ``"user"``); None for the main one.
    """

    def __init__(self, message: str, *, hint: str | None = None, token: str | None = None):
        super().__init__(message, hint=hint)
        self.token = token


class AuthTestFailed(AppError):
    """Credentials did not pass the auth kind's ``test()`` hook."""


class InvalidInput(AppError):
    """A need's value is not acceptable to the action (names the need)."""

    def __init__(self, need: str, message: str, *, hint: str | None = None):
        super().__init__(message, hint=hint)
        self.need = need
