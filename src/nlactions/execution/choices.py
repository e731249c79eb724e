"""Loading a need's choices for resolution: static ones, or every page of its loader."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Protocol

import httpx

from nlactions.catalog import Action, App, Choice, ChoiceContext, NeedSpec

MAX_PAGES = 10_000


class ChoiceCache(Protocol):
    """Where loaded choice lists are kept between calls (implemented by the choices service)."""

    async def get_or_load(
        self, need: NeedSpec, params: Mapping[str, Any], load: Callable[[], Awaitable[list[Choice]]]
    ) -> Sequence[Choice]:
        """Cached choices for this need and params, loading them with ``load`` on a miss."""
        ...


class ChoiceCaches(Protocol):
    """Hands each execution a ``ChoiceCache`` bound to its account, authentication and action."""

    def bind(self, *, account_id: int, authentication_id: int | None, app: App, action: Action) -> ChoiceCache:
        """The cache view one execution uses (its entries are shared with the choices endpoint)."""
        ...


async def load_all(
    need: NeedSpec,
    *,
    http: httpx.AsyncClient,
    credentials: Mapping[str, str],
    params: Mapping[str, Any],
    query: str | None = None,
) -> list[Choice]:
    """Every choice of ``need``: its static list, or all pages of its loader."""
    if need.choices is not None:
        return list(need.choices)
    if need.loader is None:
        return []
    out: list[Choice] = []
    cursor: str | None = None
    seen: set[str] = set()
    for _ in range(MAX_PAGES):
        page = await need.loader(
            ChoiceContext(http=http, credentials=credentials, params=params, query=query, cursor=cursor)
        )
        out.extend(page.choices)
        if page.next_cursor is None:
            return out
        if page.next_cursor in seen:
            raise RuntimeError(f"choice loader of '{need.key}' returned cursor {page.next_cursor!r} twice")
        seen.add(page.next_cursor)
        cursor = page.next_cursor
    raise RuntimeError(f"choice loader of '{need.key}' did not finish within {MAX_PAGES} pages")


class ActionChoiceSource:
    """The resolver's ``ChoiceSource`` for one execution, through an optional cache."""

    def __init__(
        self,
        http: Callable[[], httpx.AsyncClient],
        credentials: Mapping[str, str],
        cache: ChoiceCache | None = None,
    ):
        self._http = http
        self._credentials = credentials
        self._cache = cache

    async def choices(self, need: NeedSpec, resolved: Mapping[str, Any]) -> Sequence[Choice]:
        """Choices of ``need`` for the values its ``depends_on`` needs resolved to."""
        if need.choices is not None:
            return need.choices
        params = {key: resolved.get(key) for key in need.depends_on}

        async def load() -> list[Choice]:
            return await load_all(need, http=self._http(), credentials=self._credentials, params=params)

        if self._cache is None:
            return await load()
        return await self._cache.get_or_load(need, params, load)
