"""Failed web sign-ins, counted per client address and per email; once either is spent, sign-in waits."""

from __future__ import annotations

import hashlib
import logging
import math
import time
from typing import cast

from limits import RateLimitItem
from limits.aio.storage import MovingWindowSupport, Storage
from limits.errors import StorageError

from nlactions.errors import RateLimited
from nlactions.ratelimits.notation import window_words

log = logging.getLogger(__name__)


class SignInThrottle:
    """Counts failed sign-ins; ``check`` refuses (429) while an address's or an email's budget is spent."""

    def __init__(self, storage: Storage, items: list[RateLimitItem]):
        self._windows = cast(MovingWindowSupport, storage)
        self._items = items

    async def check(self, address: str, email: str) -> None:
        """``RateLimited`` when too many sign-ins failed lately from ``address`` or for ``email``."""
        for item in self._items:
            for who in self._whos(address, email):
                try:
                    key, amount, expiry = item.key_for(who), item.amount, item.get_expiry()
                    start, count = await self._windows.get_moving_window(key, amount, expiry)
                except StorageError as exc:
                    log.warning("sign-in throttle not checked: storage unavailable (%s)", type(exc).__name__)
                    return
                if count >= item.amount:
                    wait = max(1, math.ceil(start + item.get_expiry() - time.time()))
                    raise RateLimited(
                        f"Too many failed sign-ins ({item.amount} {window_words(item)} allowed); "
                        f"try again in {wait} s.",
                        limit=item.amount,
                        retry_after=wait,
                        hint="Check the email and password; an administrator can set a new password with "
                        "`nlactions users set-password EMAIL`.",
                    )

    async def failed(self, address: str, email: str) -> None:
        """Count one failed sign-in against ``address`` and ``email``."""
        for item in self._items:
            for who in self._whos(address, email):
                try:
                    await self._windows.acquire_entry(item.key_for(who), item.amount, item.get_expiry())
                except StorageError as exc:
                    log.warning("sign-in failure not counted: storage unavailable (%s)", type(exc).__name__)
                    return

    @staticmethod
    def _whos(address: str, email: str) -> tuple[str, str]:
        # The email is hashed: a shared store never holds the addresses people typed.
        digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
        return f"signin:address:{address}", f"signin:email:{digest}"
