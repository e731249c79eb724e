"""A fast JSON response (orjson) used by every endpoint."""

from __future__ import annotations

import json
from typing import Any

import orjson
from fastapi.responses import JSONResponse


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
