"""Errors an app raises; the executor turns them into execution statuses, never HTTP exceptions."""

from __future__ import annotations


class AppError(Exception):
    """The action failed in a way the caller can read; ``hint`` says how to fix the call."""

    def __init__(self, message: str, *, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint


class UpstreamError(AppError):
    """The third-party service answered with an error."""

    def __init__(self, message: str, *, hint: str | None = None, status_code: int | None = None):
        super().__init__(message, hint=hint)
        self.status_code = status_code


class AuthExpired(AppError):
    """The stored credentials were refused by the service; they need reconnecting."""


class AuthTestFailed(AppError):
    """Credentials did not pass the auth kind's ``test()`` hook."""


class InvalidInput(AppError):
    """A need's value is not acceptable to the action (names the need)."""

    def __init__(self, need: str, message: str, *, hint: str | None = None):
        super().__init__(message, hint=hint)
        self.need = need
