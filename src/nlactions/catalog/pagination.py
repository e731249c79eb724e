"""Following ``Link: <…>; rel="next"`` pagination (RFC 8288) with an opaque, origin-free cursor."""

from __future__ import annotations

import httpx

from nlactions.catalog.errors import UpstreamError


def link_cursor(response: httpx.Response) -> str | None:
    """The query string of the response's ``rel="next"`` link, or None on the last page.

    Only the query is kept, so a loader re-applies it to its own URL and a cursor can never
    point a request (and its credentials) at another host.
    """
    url = response.links.get("next", {}).get("url")
    if not url:
        return None
    query = httpx.URL(url).query.decode("ascii", errors="replace")
    if not query:
        raise UpstreamError(
            f"The next-page link {url!r} carries no query parameters, so the next page cannot be requested.",
            hint="This service paginates in a way the app does not follow; report it with the app's name.",
        )
    return query


def cursor_params(cursor: str | None) -> httpx.QueryParams:
    """The query parameters a ``link_cursor`` stands for (none for the first page)."""
    return httpx.QueryParams(cursor or "")
