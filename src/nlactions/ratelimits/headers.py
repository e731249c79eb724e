"""ASGI middleware: ``RateLimit-*`` headers on every response (and ``Retry-After`` on a 429)."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from nlactions.ratelimits.quota import Meter

METER = "nlactions.ratelimit"


def meter_of(scope: Scope) -> Meter:
    """The request's meter (placed by ``RateLimitHeaders``), or a throwaway one when it is not installed."""
    meter = scope.get(METER)
    return meter if isinstance(meter, Meter) else Meter()


def client_address(scope: Scope) -> str:
    """The client's address as the server saw it (behind a proxy: run uvicorn with ``--proxy-headers``)."""
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


class RateLimitHeaders:
    """Adds the quota the request's authentication left in its meter; a keyless request gets its address's
    failed-auth quota (nothing spent)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        meter = Meter()
        scope[METER] = meter

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                quota = meter.quota
                if quota is None and not meter.charged:
                    limits = getattr(scope["app"].state, "rate_limits", None) if "app" in scope else None
                    quota = await limits.address_quota(client_address(scope)) if limits is not None else None
                if quota is not None:
                    headers = list(message.get("headers", ()))
                    # A page that answers 429 for its own budget (sign-in) already says when to retry.
                    told = any(name.lower() == b"retry-after" for name, _ in headers)
                    refused = (meter.refused or message["status"] == 429) and not told
                    message = {**message, "headers": [*headers, *quota.raw_headers(refused=refused)]}
            await send(message)

        await self.app(scope, receive, send_with_headers)
