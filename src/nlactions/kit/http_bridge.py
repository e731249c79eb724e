"""Send an ``httpx2`` client's requests through one of our guarded ``httpx`` clients.

authlib's httpx integration (``AsyncOAuth2Client``) is built on ``httpx2``, whose transports are not
``httpx``'s: this transport hands each request to a client from ``kit.http.make_client``, so the SSRF guard,
the redirect bound and the response size cap apply to token requests exactly as to an app's.
"""

from __future__ import annotations

import httpx
import httpx2

__all__ = ["GuardedBridge"]


class GuardedBridge(httpx2.AsyncBaseTransport):
    """An ``httpx2`` transport whose requests are sent by ``client`` (an ``httpx.AsyncClient``)."""

    def __init__(self, client: httpx.AsyncClient):
        self._client = client

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        """Copy the request onto ``httpx``, send it, and copy the (fully read) answer back."""
        body = await request.aread()
        outbound = self._client.build_request(
            request.method,
            str(request.url),
            headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw],
            content=body,
        )
        # httpx's errors (the guard's BlockedDestination among them) propagate as they are, for the caller to word.
        answer = await self._client.send(outbound)
        content = answer.content  # decoded: the length and encoding headers no longer describe it
        headers = [
            (k, v) for k, v in answer.headers.multi_items() if k.lower() not in ("content-encoding", "content-length")
        ]
        return httpx2.Response(answer.status_code, headers=headers, content=content, request=request)

    async def aclose(self) -> None:
        """Close the guarded client."""
        await self._client.aclose()
