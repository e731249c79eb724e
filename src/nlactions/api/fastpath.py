"""Routes whose plain requests skip FastAPI's per-request dependency solving.

``fast_route(fast)`` makes an ``APIRoute`` class for a hot route. Its handler first awaits
``fast(request)``, which checks the request by itself and returns the response, or None to hand
the request, unchanged, to FastAPI's own handler for the route. ``fast`` must return None, before
any side effect, for every request FastAPI would not accept as is (a bad flag, body or header):
FastAPI then answers it exactly as the route's declaration says (422, 401, ...). The declaration
stays what FastAPI documents in OpenAPI, so the document does not change either.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response

FastHandler = Callable[[Request], Awaitable[Response | None]]


def fast_route(fast: FastHandler) -> type[APIRoute]:
    """An ``APIRoute`` class answering through ``fast`` when it can, else through FastAPI."""

    class FastPathRoute(APIRoute):
        """An APIRoute with a fast path in front of FastAPI's handler."""

        def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
            """FastAPI's handler, behind ``fast``."""
            default = super().get_route_handler()

            async def handler(request: Request) -> Response:
                # Dependency overrides (tests, embedding apps) apply to FastAPI's handler only: honour them.
                overridden = getattr(request.app, "dependency_overrides", None)
                response = None if overridden else await fast(request)
                return response if response is not None else await default(request)

            return handler

    FastPathRoute.__name__ = FastPathRoute.__qualname__ = f"FastPathRoute[{getattr(fast, '__name__', 'fast')}]"
    return FastPathRoute
