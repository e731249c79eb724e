"""Exception handlers: every error becomes ``{"error": ...}`` with no stack trace."""

from __future__ import annotations

import logging
import sys
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from nlactions.api.responses import FastJSONResponse
from nlactions.errors import NLActionsError
from nlactions.kit.limits import MAX_DEPTH
from nlactions.kit.redact import scrubbed_traceback

log = logging.getLogger(__name__)


def _where(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body",)]
    if loc and loc[0] in ("query", "path", "header"):
        return ".".join(parts[1:]) + f" ({loc[0]} parameter)"
    return ".".join(parts) or "body"


def _fix(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    if kind == "missing":
        return "it is required"
    if kind == "extra_forbidden":
        return "it is not an accepted field; remove it"
    return str(error.get("msg", "invalid value"))


def validation_message(errors: list[dict[str, Any]]) -> str:
    """One readable line naming each bad field and what it should be."""
    seen: list[str] = []
    for error in errors[:5]:
        line = f"{_where(tuple(error.get('loc', ())))}: {_fix(error)}"
        if line not in seen:
            seen.append(line)
    more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
    return "; ".join(seen) + more


def _clean_detail(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": e.get("type", "")} for e in errors]


async def on_app_error(_request: Request, exc: Exception) -> FastJSONResponse:
    """Our error tree → its status and body."""
    assert isinstance(exc, NLActionsError)
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    return FastJSONResponse(exc.body(), status_code=exc.status, headers=headers)


def malformed_json(why: str) -> FastJSONResponse:
    """The 400 for a body that cannot be read as JSON; ``why`` ends the first sentence."""
    return FastJSONResponse(
        {
            "error": f"The request body is not valid JSON: {why}.",
            "code": "malformed_json",
            "hint": "Send a JSON object, UTF-8 encoded, with Content-Type: application/json.",
        },
        status_code=400,
    )


def _unparseable(cause: BaseException | None) -> str | None:
    """Why the body parser gave up, for the failures FastAPI reports as a bare 400."""
    if isinstance(cause, RecursionError):
        return f"it nests too deeply to read (at most {MAX_DEPTH} levels are allowed)"
    if isinstance(cause, UnicodeDecodeError):
        return f"it is not valid UTF-8 (the byte at offset {cause.start} is not part of a UTF-8 character)"
    if isinstance(cause, ValueError) and "integer string conversion" in str(cause):
        return f"a number in it has more than {sys.get_int_max_str_digits()} digits"
    if isinstance(cause, ValueError):
        return "it cannot be parsed"
    return None


async def on_validation_error(_request: Request, exc: Exception) -> FastJSONResponse:
    """Schema failures → 422 naming the fields; malformed JSON → 400."""
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    for error in errors:
        if error.get("type") == "json_invalid":
            reason = str((error.get("ctx") or {}).get("error") or "it cannot be parsed")
            loc = error.get("loc") or ()
            position = f" at character {loc[-1]}" if loc and isinstance(loc[-1], int) else ""
            return malformed_json(reason[:1].lower() + reason[1:] + position)
    return FastJSONResponse(
        {"error": validation_message(errors), "code": "validation_error", "detail": _clean_detail(errors)},
        status_code=422,
    )


async def on_http_error(_request: Request, exc: Exception) -> FastJSONResponse:
    """Routing errors (404, 405) in our error shape."""
    assert isinstance(exc, StarletteHTTPException)
    why = _unparseable(exc.__cause__) if exc.status_code == 400 else None
    if why is not None:
        return malformed_json(why)
    message = {404: "No such endpoint.", 405: "Method not allowed on this endpoint."}.get(
        exc.status_code, str(exc.detail)
    )
    return FastJSONResponse(
        {"error": message, "code": f"http_{exc.status_code}"},
        status_code=exc.status_code,
        headers=exc.headers,
    )


async def on_unexpected(_request: Request, exc: Exception) -> FastJSONResponse:
    """Anything else → 500 without details."""
    log.error("unhandled error\n%s", scrubbed_traceback(exc))  # secret-named URL parameters scrubbed
    return FastJSONResponse(
        {
            "error": "Internal server error.",
            "code": "internal_error",
            "hint": "Retry; if it persists, check server logs.",
        },
        status_code=500,
    )


def install(app: FastAPI) -> None:
    """Register every handler on ``app``."""
    app.add_exception_handler(NLActionsError, on_app_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(Exception, on_unexpected)
