"""Rules of prefill choices: which need a prefill names, caching per account, background loads.

Loaded lists are cached per account + authentication + app + prefill + ``depends_on`` values for
``ttl_seconds``. A request that finds no fresh entry starts one background load (paging the loader to
the end) and waits up to ``wait_seconds`` for it: a quick load answers complete, a slow one answers
``is_loading: true`` with what is known (the previous list, else the pages received so far) and keeps
loading for the client's next poll. Executions use the same cache through ``bind``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import math
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from nlactions.authentications.credentials import Credentials, CredentialStore
from nlactions.catalog import Action, App, AuthExpired, Choice, ChoiceContext, ChoicePage, NeedSpec, Registry
from nlactions.choices.entry import CachedChoices
from nlactions.choices.failures import LoaderTimedOut, load_failure
from nlactions.choices.filtering import filter_choices
from nlactions.choices.keys import CacheRef, cache_ref, param_value
from nlactions.choices.loads import Load, Loads
from nlactions.choices.prefill import PrefillTarget, find_prefill, prefill_name, valid_prefills
from nlactions.choices.stores import ChoiceStore
from nlactions.errors import BadRequest, NLActionsError, NotFound, listing
from nlactions.execution.choices import ChoiceCache, load_all

HttpFactory = Callable[[httpx.Auth | None], httpx.AsyncClient]
Clock = Callable[[], dt.datetime]

DEFAULT_WAIT_SECONDS = 8.0


def utcnow() -> dt.datetime:
    """Now, in UTC."""
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True, slots=True)
class ChoicesAnswer:
    """What the choices endpoint returns."""

    is_loading: bool
    last_refresh_seconds_ago: int
    results: list[Choice]

    def body(self) -> dict[str, Any]:
        """Zapier's ``{is_loading, last_refresh_seconds_ago, results}`` shape."""
        return {
            "is_loading": self.is_loading,
            "last_refresh_seconds_ago": self.last_refresh_seconds_ago,
            "results": [c.as_dict() for c in self.results],
        }


class ChoiceService:
    """Loads, caches and filters choices of needs; hands executions a cache bound to their account."""

    def __init__(
        self,
        *,
        registry: Registry,
        credentials: CredentialStore,
        store: ChoiceStore,
        http: HttpFactory,
        ttl_seconds: float,
        page_timeout_seconds: float,
        wait_seconds: float = DEFAULT_WAIT_SECONDS,
        clock: Clock = utcnow,
    ):
        self.registry = registry
        self.credentials = credentials
        self.store = store
        self.http = http
        self.ttl_seconds = ttl_seconds
        self.page_timeout_seconds = page_timeout_seconds
        self.wait_seconds = wait_seconds
        self.clock = clock
        self.loads = Loads()

    # -- naming ------------------------------------------------------------------------------

    def find(self, app_key: str, prefill: str) -> PrefillTarget:
        """The need ``prefill`` names in the app; 404 naming the valid prefills otherwise."""
        app = self.registry.get(app_key)
        if app is None:
            raise NotFound(
                f"app '{app_key}' is not an installed app.",
                hint=f"Valid apps: {listing(self.registry.keys(), limit=30)}. GET /api/v2/apps/search/ searches them.",
                code="unknown_app",
            )
        target = find_prefill(app, prefill)
        if target is None:
            valid = valid_prefills(app)
            raise NotFound(
                f"prefill '{prefill}' is not a need with choices in {app.key}.",
                hint=(
                    f"Valid prefills: {listing(valid, limit=30)}." if valid else f"{app.key} has no needs with choices."
                )
                + " A prefill is '<action>.<need>' or the need's own prefill name from action_needs.",
                code="unknown_prefill",
            )
        return target

    @staticmethod
    def dependency_params(target: PrefillTarget, params: Mapping[str, Any]) -> dict[str, Any]:
        """The values of the need's ``depends_on`` needs from ``params``; 400 naming any missing."""
        values = {key: param_value(value) for key, value in params.items()}
        missing = [key for key in target.need.depends_on if values.get(key) in (None, "")]
        if missing:
            names = ", ".join(f"'{key}'" for key in missing)
            raise BadRequest(
                f"params: the choices of '{target.need.key}' depend on {names}; send "
                f"{'its value' if len(missing) == 1 else 'their values'} in params.",
                hint=f'Send e.g. {{"params": {{"{missing[0]}": "<choice id>"}}}}; the choices of '
                f"'{missing[0]}' list the ids.",
                code="missing_dependency",
            )
        return {key: values[key] for key in target.need.depends_on}

    # -- the endpoint ------------------------------------------------------------------------

    async def choices(
        self,
        *,
        account_id: int,
        app_key: str,
        prefill: str,
        params: Mapping[str, Any],
        authentication_id: int | None = None,
        query: str | None = None,
        force_refresh: bool = False,
    ) -> ChoicesAnswer:
        """The prefill's choices for these params, filtered by ``query``, loading them when needed."""
        target = self.find(app_key, prefill)
        depends = self.dependency_params(target, params)
        static = target.need.choices
        if static is not None:
            return ChoicesAnswer(False, 0, filter_choices(CachedChoices(static, self.clock()), query))
        credentials = await self.credentials.for_execution(account_id, target.app, authentication_id)
        ref = self._ref(account_id, credentials, target, depends)
        return await self._answer(target, ref, credentials, depends, query, force_refresh)

    async def _answer(
        self,
        target: PrefillTarget,
        ref: CacheRef,
        credentials: Credentials,
        depends: dict[str, Any],
        query: str | None,
        force_refresh: bool,
    ) -> ChoicesAnswer:
        await self._raise_failure(target, ref, credentials)
        # The running load first: one that finishes while the store is read still hands over its result.
        load = self.loads.get(ref.key)
        entry = await self.store.get(ref)
        if load is None and (force_refresh or not self.is_fresh(entry)):
            load = self._start(target, ref, credentials, depends)
        if load is not None:
            if not await load.wait(self.wait_seconds):
                known = entry if entry is not None else CachedChoices(tuple(load.partial), self.clock())
                ago = self._age(entry) if entry is not None else 0
                return ChoicesAnswer(True, ago, filter_choices(known, query))
            entry = await self._result(target, ref, credentials, load)
        assert entry is not None
        return ChoicesAnswer(False, self._age(entry), filter_choices(entry, query))

    async def _result(
        self, target: PrefillTarget, ref: CacheRef, credentials: Credentials, load: Load
    ) -> CachedChoices:
        """A finished load's entry, or its failure as an API error (collected, so the next call retries)."""
        try:
            return await load.result()
        except Exception as exc:
            self.loads.take_failure(ref.key)
            raise await self._failure(target, credentials, exc) from exc

    async def _raise_failure(self, target: PrefillTarget, ref: CacheRef, credentials: Credentials) -> None:
        """Report, once, a background load that failed since the last request."""
        error = self.loads.take_failure(ref.key)
        if isinstance(error, Exception):
            raise await self._failure(target, credentials, error) from error

    async def _failure(self, target: PrefillTarget, credentials: Credentials, exc: Exception) -> NLActionsError:
        if isinstance(exc, AuthExpired) and credentials.authentication_id is not None:
            await self.credentials.mark_stale(credentials.authentication_id)
        return load_failure(target, exc, credentials.authentication_id)

    # -- for action details ------------------------------------------------------------------

    async def loaded(
        self,
        *,
        account_id: int,
        authentication_id: int | None,
        target: PrefillTarget,
        params: Mapping[str, Any],
    ) -> list[Choice]:
        """Every choice of ``target`` for ``params`` (waiting for the load), through the cache."""
        depends = self.dependency_params(target, params)
        if target.need.choices is not None:
            return list(target.need.choices)
        credentials = await self.credentials.for_execution(account_id, target.app, authentication_id)
        ref = self._ref(account_id, credentials, target, depends)
        await self._raise_failure(target, ref, credentials)
        load = self.loads.get(ref.key)
        entry = await self.store.get(ref)
        if load is None and self.is_fresh(entry):
            assert entry is not None
            return list(entry.choices)
        if load is None:
            load = self._start(target, ref, credentials, depends)
        return list((await self._result(target, ref, credentials, load)).choices)

    # -- for executions ----------------------------------------------------------------------

    def bind(self, *, account_id: int, authentication_id: int | None, app: App, action: Action) -> ChoiceCache:
        """A cache view for one execution in ``account_id`` with ``authentication_id``."""
        return BoundChoiceCache(self, account_id, authentication_id, app, action)

    # -- plumbing ----------------------------------------------------------------------------

    def _ref(
        self, account_id: int, credentials: Credentials, target: PrefillTarget, depends: Mapping[str, Any]
    ) -> CacheRef:
        return cache_ref(
            account_id=account_id,
            authentication_id=credentials.authentication_id,
            app=target.app.key,
            prefill=target.name,
            params=depends,
        )

    def is_fresh(self, entry: CachedChoices | None) -> bool:
        """True when ``entry`` exists and is younger than the TTL."""
        return entry is not None and entry.age_seconds(self.clock()) < self.ttl_seconds

    def _age(self, entry: CachedChoices) -> int:
        return math.floor(entry.age_seconds(self.clock()))

    def _start(self, target: PrefillTarget, ref: CacheRef, credentials: Credentials, depends: dict[str, Any]) -> Load:
        app, need = target.app, target.need

        async def fetch_with(fields: Mapping[str, str], partial: list[Choice]) -> list[Choice]:
            auth = app.auth.httpx_auth(fields) if app.needs_auth else None
            async with self.http(auth) as client:
                return await load_all(self._paged(need, partial), http=client, credentials=fields, params=depends)

        async def fetch(partial: list[Choice]) -> list[Choice]:
            try:
                return await fetch_with(credentials.fields, partial)
            except AuthExpired as exc:
                # The service refused the token (revoked, or expired early): one refresh, one more load.
                renewed = await credentials.renewal.renew(exc.token) if credentials.renewal is not None else None
                if renewed is None:
                    raise
            partial.clear()
            return await fetch_with(renewed, partial)

        return self.loads.start(ref.key, lambda partial: self.load_and_store(ref, fetch, partial))

    def _paged(self, need: NeedSpec, partial: list[Choice]) -> NeedSpec:
        """``need`` with its loader wrapped: a time limit per page, and each page reported as it comes."""
        loader = need.loader
        assert loader is not None
        limit = self.page_timeout_seconds

        async def page(ctx: ChoiceContext) -> ChoicePage:
            try:
                async with asyncio.timeout(limit):
                    result = await loader(ctx)
            except TimeoutError:
                raise LoaderTimedOut(
                    f"a page took longer than {limit:g} s ({len(partial)} choices loaded before it)"
                ) from None
            partial.extend(result.choices)
            return result

        return dataclasses.replace(need, loader=page)

    async def load_and_store(
        self,
        ref: CacheRef,
        fetch: Callable[[list[Choice]], Awaitable[Sequence[Choice]]],
        partial: list[Choice],
    ) -> CachedChoices:
        """Run ``fetch`` to the end, then store its choices stamped with the current time."""
        choices = await fetch(partial)
        entry = CachedChoices(tuple(choices), self.clock())
        await self.store.put(ref, entry)
        return entry

    async def close(self) -> None:
        """Stop running loads and close the store."""
        await self.loads.close()
        await self.store.close()


class BoundChoiceCache:
    """The ``ChoiceCache`` of one execution: the service's cache for one account and authentication."""

    def __init__(
        self, service: ChoiceService, account_id: int, authentication_id: int | None, app: App, action: Action
    ):
        self._service = service
        self._account_id = account_id
        self._authentication_id = authentication_id
        self._app = app
        self._action = action

    async def get_or_load(
        self, need: NeedSpec, params: Mapping[str, Any], load: Callable[[], Awaitable[list[Choice]]]
    ) -> Sequence[Choice]:
        """The cached choices of ``need`` for ``params``, else loaded once with ``load`` and cached."""
        service = self._service
        ref = cache_ref(
            account_id=self._account_id,
            authentication_id=self._authentication_id,
            app=self._app.key,
            prefill=prefill_name(self._action, need),
            params={key: param_value(value) for key, value in params.items()},
        )
        service.loads.take_failure(ref.key)
        running = service.loads.get(ref.key)
        entry = await service.store.get(ref)
        if service.is_fresh(entry):
            assert entry is not None
            return entry.choices
        load_job = running or service.loads.start(
            ref.key, lambda partial: service.load_and_store(ref, lambda _partial: load(), partial)
        )
        return (await load_job.result()).choices
