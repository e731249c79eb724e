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


def error_responses(*codes: int, texts: Mapping[int, str] | None = None) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for these error statuses, all ``{"error": ...}``; ``texts`` overrides wording."""
    wording = {**ERROR_TEXTS, **(texts or {})}
    return {code: {"model": ErrorResponse, "description": wording[code]} for code in codes}
