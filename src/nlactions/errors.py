"""One error tree: every API error carries an HTTP status, a machine code, a message and a hint."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def listing(values: Iterable[str], limit: int = 40) -> str:
    """Values for a "valid ones are" hint, at most ``limit`` of them and how many more there are."""
    items = list(values)
    shown = ", ".join(items[:limit])
    return shown + (f" (and {len(items) - limit} more)" if len(items) > limit else "")


class NLActionsError(Exception):
    """Base of every error the API turns into an ``{"error": ...}`` body."""

    status: int = 500
    code: str = "internal_error"

    def __init__(self, message: str, *, hint: str | None = None, code: str | None = None, **extra: Any):
        super().__init__(message)
        self.message = message
        self.hint = hint
        if code:
            self.code = code
        self.extra = extra

    def body(self) -> dict[str, Any]:
        """The JSON body sent to the caller."""
        body: dict[str, Any] = {"error": self.message, "code": self.code}
        if self.hint:
            body["hint"] = self.hint
        body.update(self.extra)
        return body


class BadRequest(NLActionsError):
    """The request is understood but asks for something that cannot be done (400)."""

    status = 400
    code = "bad_request"


class Unauthorized(NLActionsError):
    """No credential, or one that is not valid (401)."""

    status = 401
    code = "unauthorized"


class Forbidden(NLActionsError):
    """The credential is valid but may not do this (403)."""

    status = 403
    code = "forbidden"


class NotFound(NLActionsError):
    """Nothing with that id in the caller's account (404)."""

    status = 404
    code = "not_found"


class Conflict(NLActionsError):
    """The request conflicts with one already in progress (409)."""

    status = 409
    code = "conflict"


class PreconditionFailed(NLActionsError):
    """The app needs an authentication and none usable exists (412)."""

    status = 412
    code = "authentication_required"


class Unprocessable(NLActionsError):
    """The body fails schema validation (422)."""

    status = 422
    code = "validation_error"


class PayloadTooLarge(NLActionsError):
    """The request body is over the configured limit (413)."""

    status = 413
    code = "payload_too_large"


class RateLimited(NLActionsError):
    """Too many requests (429); ``retry_after`` seconds until the ``limit`` has room again."""

    status = 429
    code = "rate_limited"

    def __init__(self, message: str, *, limit: int, retry_after: int, hint: str | None = None):
        super().__init__(message, hint=hint)
        self.limit = limit
        self.retry_after = max(1, retry_after)
