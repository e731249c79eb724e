"""A fast JSON response (orjson) used by every endpoint."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import orjson
from fastapi.responses import JSONResponse

from nlactions.execute.schemas import ErrorResponse

ERROR_TEXTS: dict[int, str] = {
    400: "Bad Request: the message names the field and how to fix it",
    401: "No or bad API key",
    403: "The account is not yours",
    404: "Not found in your account",
    412: "The app needs an authentication and none usable exists",
    422: "The body or a parameter fails schema validation",
    429: "Rate limited: the message names the budget; retry after the Retry-After header's seconds",
    502: "The app's service failed; the message says what it answered",
}


class FastJSONResponse(JSONResponse):
    """JSON rendered with orjson."""

    def render(self, content: Any) -> bytes:
        """Serialise ``content``; non-JSON values fall back to ``str``."""
        try:
            return orjson.dumps(content, default=str)
        except orjson.JSONEncodeError:
            # orjson refuses what JSON allows, e.g. integers beyond 64 bits echoed from a request.
            return json.dumps(content, default=str, ensure_ascii=False, separators=(",", ":")).encode()


def example_response(example: Any) -> dict[str, Any]:
    """An OpenAPI ``responses`` entry showing ``example`` as the JSON body; the route's model stays its schema."""
    return {"content": {"application/json": {"example": example}}}


RATE_LIMIT_HEADERS: dict[str, dict[str, Any]] = {
    "Retry-After": {"description": "Seconds until the request may be retried.", "schema": {"type": "integer"}},
    "RateLimit-Limit": {
        "description": "Requests the spent budget allows per window.",
        "schema": {"type": "integer"},
    },
    "RateLimit-Remaining": {"description": "Requests left in it (0 here).", "schema": {"type": "integer"}},
    "RateLimit-Reset": {"description": "Seconds until a used request frees up.", "schema": {"type": "integer"}},
}


def error_responses(*codes: int, texts: Mapping[int, str] | None = None) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for these error statuses, all ``{"error": ...}``; ``texts`` overrides wording.

    Anything that takes an API key (401) can also be rate limited, so 401 brings 429 with it.
    """
    wording = {**ERROR_TEXTS, **(texts or {})}
    if 401 in codes and 429 not in codes:
        codes = (*codes, 429)
    responses: dict[int | str, dict[str, Any]] = {
        code: {"model": ErrorResponse, "description": wording[code]} for code in codes
    }
    if 429 in responses:
        responses[429]["headers"] = RATE_LIMIT_HEADERS
    return responses
