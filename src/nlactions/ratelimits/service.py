"""The rate-limit check every front door calls once per request, after the key is known.

Budgets (moving windows of the ``limits`` library): executes and reads, each per API key and per
account; and failed authentications per client address, checked before any key lookup.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol, cast

from limits import RateLimitItem
from limits.aio.storage import MemoryStorage, MovingWindowSupport, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError

from nlactions.accounts.service import Caller
from nlactions.errors import RateLimited, Unauthorized
from nlactions.ratelimits.notation import parse_budget, window_words
from nlactions.ratelimits.quota import Meter, Quota, tightest
from nlactions.ratelimits.registration import RegistrationThrottle
from nlactions.ratelimits.signin import SignInThrottle
from nlactions.ratelimits.storage import build_storage
from nlactions.settings import Settings

MAX_BLOCKED = 10_000

log = logging.getLogger(__name__)


class Budget(StrEnum):
    """Which budget a request spends: running or previewing an action, or anything else."""

    EXECUTE = "execute"
    READ = "read"


class Authenticator(Protocol):
    """Turns an API key or OAuth access token into a caller (``oauth.authenticator.CallerAuthenticator``)."""

    async def authenticate(self, key: str | None) -> Caller:
        """The caller for ``key``; ``Unauthorized`` otherwise."""
        ...


@dataclass(frozen=True, slots=True)
class Rule:
    """One limit of a budget and whom it counts: an API key, an account or a client address."""

    item: RateLimitItem
    scope: str
    budget: str
    setting: str
    expiry: int = 0  # the item's window in seconds (filled in by ``__post_init__``)

    def __post_init__(self) -> None:
        object.__setattr__(self, "expiry", self.item.get_expiry())


NOUNS = {"execute": ("execute", "executes"), "read": ("read request", "read requests")}
SCOPES = {"key": "this API key", "account": "this account (shared by all its API keys)"}


class RateLimits:
    """Counts requests against their budgets; refuses with ``RateLimited`` (429) when one is spent."""

    def __init__(
        self,
        storage: Storage,
        *,
        execute: list[RateLimitItem],
        read: list[RateLimitItem],
        failed_auth: list[RateLimitItem],
        signin: list[RateLimitItem] | None = None,
        oauth_register: list[RateLimitItem] | None = None,
    ):
        self._storage = storage
        self.signin = SignInThrottle(storage, signin or [])
        self.registration = RegistrationThrottle(storage, oauth_register or [])
        self._limiter = MovingWindowRateLimiter(storage)  # also checks the storage has moving windows
        self._windows = cast(MovingWindowSupport, storage)
        # Memory storage answers without waiting; a shared store is asked about every rule at once.
        self._concurrent = not isinstance(storage, MemoryStorage)
        self._rules: dict[Budget, list[Rule]] = {
            budget: [
                Rule(item, scope, budget.value, f"NLACTIONS_RATE_LIMIT_{budget.name}")
                for scope in ("key", "account")
                for item in items
            ]
            for budget, items in ((Budget.EXECUTE, execute), (Budget.READ, read))
        }
        self._failed_auth = [
            Rule(item, "address", "failed_auth", "NLACTIONS_RATE_LIMIT_FAILED_AUTH") for item in failed_auth
        ]
        self._blocked: dict[str, tuple[float, int]] = {}

    @classmethod
    def from_settings(cls, settings: Settings) -> RateLimits:
        """Budgets from the ``rate_limit_*`` settings; Redis storage when ``redis_url`` is set, else memory."""
        storage = build_storage(settings)
        return cls(
            storage,
            execute=parse_budget(settings.rate_limit_execute),
            read=parse_budget(settings.rate_limit_read),
            failed_auth=parse_budget(settings.rate_limit_failed_auth),
            signin=parse_budget(settings.rate_limit_signin),
            oauth_register=parse_budget(settings.rate_limit_oauth_register),
        )

    async def admit(
        self, authenticator: Authenticator, key: str | None, address: str, budget: Budget, meter: Meter
    ) -> Caller:
        """Authenticate ``key`` and spend one of ``budget``; ``meter`` gets the quota for the response headers.

        A refused key counts against ``address``; once its failed-auth budget is spent, every keyed request
        from that address is a 429 without a key lookup until the window frees up.
        """
        try:
            if key:
                self._refuse_blocked(address)
            try:
                caller = await authenticator.authenticate(key)
            except Unauthorized:
                if key:
                    meter.quota = await self._failed(address)
                raise
            if budget is Budget.EXECUTE:
                caller.require_execute()
            meter.quota = await self.charge(budget, key_id=caller.meter_id, account_id=caller.default_account_id)
            meter.charged = True
            return caller
        except RateLimited as exc:
            meter.quota, meter.refused = Quota(exc.limit, 0, exc.retry_after), True
            raise

    async def charge(self, budget: Budget, *, key_id: int | str, account_id: int) -> Quota | None:
        """Spend one request of ``budget`` for the key (or OAuth grant) and its account; the tightest quota, or 429."""
        rules = self._rules[budget]
        if not rules:
            return None
        ids = {"key": str(key_id), "account": str(account_id)}
        try:
            if self._concurrent:
                taken = await asyncio.gather(*(self._take(rule, ids[rule.scope]) for rule in rules))
            else:
                taken = [await self._take(rule, ids[rule.scope]) for rule in rules]
        except StorageError as exc:
            _unavailable(exc)
            return None
        for rule, (ok, quota) in zip(rules, taken, strict=True):
            if not ok:
                raise self._refusal(rule, quota)
        return tightest([quota for _, quota in taken])

    async def address_quota(self, address: str) -> Quota | None:
        """The failed-auth budget of ``address`` without spending it (for routes that need no key)."""
        if not self._failed_auth:
            return None
        quotas: list[Quota] = []
        for rule in self._failed_auth:
            try:
                stats = await self._limiter.get_window_stats(rule.item, f"{rule.budget}:{rule.scope}:{address}")
            except StorageError as exc:
                _unavailable(exc)
                return None
            remaining = max(0, stats.remaining)
            reset = 0 if remaining == rule.item.amount else _seconds_until(stats.reset_time)
            quotas.append(Quota(rule.item.amount, remaining, reset))
        return tightest(quotas)

    async def close(self) -> None:
        """Close the storage's connections (Redis); memory storage has none."""
        bridge = getattr(self._storage, "bridge", None)
        client = getattr(bridge, "storage", None)
        if client is not None and hasattr(client, "aclose"):
            await client.aclose()

    async def _take(self, rule: Rule, ident: str) -> tuple[bool, Quota]:
        # MovingWindowRateLimiter's hit and get_window_stats, on the storage directly with the key built once.
        who = f"{rule.budget}:{rule.scope}:{ident}"  # one identifier: the library's key building is per part
        key, amount = rule.item.key_for(who), rule.item.amount
        ok = await self._windows.acquire_entry(key, amount, rule.expiry)
        start, count = await self._windows.get_moving_window(key, amount, rule.expiry)
        return ok, Quota(amount, max(0, amount - count), _seconds_until(start + rule.expiry))

    async def _failed(self, address: str) -> Quota | None:
        if not self._failed_auth:
            return None
        try:
            taken = [(rule, *await self._take(rule, address)) for rule in self._failed_auth]
        except StorageError as exc:
            _unavailable(exc)
            return None
        refused = [(rule, quota) for rule, ok, quota in taken if not ok]
        spent = [(rule, quota) for rule, ok, quota in taken if ok and quota.remaining == 0]
        if refused or spent:
            rule, quota = (refused or spent)[0]
            if len(self._blocked) >= MAX_BLOCKED:
                self._blocked.clear()
            self._blocked[address] = (time.time() + max(1, quota.reset_seconds), rule.item.amount)
            if refused:
                raise self._refusal(rule, quota)
        return tightest([quota for _, _, quota in taken])

    def _refuse_blocked(self, address: str) -> None:
        blocked = self._blocked.get(address)
        if blocked is None:
            return
        until, limit = blocked
        if until <= time.time():
            del self._blocked[address]
            return
        rule = next(r for r in self._failed_auth if r.item.amount == limit)
        raise self._refusal(rule, Quota(limit, 0, _seconds_until(until)))

    def _refusal(self, rule: Rule, quota: Quota) -> RateLimited:
        wait = max(1, quota.reset_seconds)
        window = window_words(rule.item)
        if rule.scope == "address":
            return RateLimited(
                f"Too many requests with an invalid API key from your address ({rule.item.amount} {window} "
                f"allowed); retry in {wait} s.",
                limit=rule.item.amount,
                retry_after=wait,
                hint="Check the API key you send (x-api-key header or 'Authorization: Bearer <key>'); "
                "requests from this address are refused until then, whatever their key.",
            )
        singular, plural = NOUNS[rule.budget]
        return RateLimited(
            f"Rate limit of {rule.item.amount} {plural} {window} for {SCOPES[rule.scope]} reached; retry in {wait} s.",
            limit=rule.item.amount,
            retry_after=wait,
            hint=f"Wait {wait} s (the Retry-After header) before the next {singular} and spread calls out; "
            f"the server's administrator sets this limit with {rule.setting}.",
        )


def _unavailable(exc: StorageError) -> None:
    """The shared store is down: let the request through (an outage of Redis is no reason to refuse it)."""
    log.warning("rate limits not checked: storage unavailable (%s)", type(exc.storage_error).__name__)


def _seconds_until(when: float) -> int:
    return max(0, math.ceil(when - time.time()))
