"""A fast JSON response (orjson) used by every endpoint."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi.responses import JSONResponse


class FastJSONResponse(JSONResponse):
    """JSON rendered with orjson."""

    def render(self, content: Any) -> bytes:
        """Serialise ``content``; non-JSON values fall back to ``str``."""
        return orjson.dumps(content, default=str)
