"""OAuth dynamic client registrations, counted per client address: registering is open, so it is bounded."""

from __future__ import annotations

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


class RegistrationThrottle:
    """Spends one registration of an address's budget; ``RateLimited`` (429) once it is spent."""

    def __init__(self, storage: Storage, items: list[RateLimitItem]):
        self._windows = cast(MovingWindowSupport, storage)
        self._items = items

    async def take(self, address: str) -> None:
        """Count one registration from ``address``, or refuse it."""
        for item in self._items:
            key, amount, expiry = item.key_for(f"oauth_register:address:{address}"), item.amount, item.get_expiry()
            try:
                if await self._windows.acquire_entry(key, amount, expiry):
                    continue
                start, _count = await self._windows.get_moving_window(key, amount, expiry)
            except StorageError as exc:
                log.warning("registration throttle not checked: storage unavailable (%s)", type(exc).__name__)
                return
            wait = max(1, math.ceil(start + expiry - time.time()))
            raise RateLimited(
                f"Too many client registrations from your address ({amount} {window_words(item)} allowed); "
                f"retry in {wait} s.",
                limit=amount,
                retry_after=wait,
                hint="Register once and keep the client_id; the administrator sets this limit with "
                "NLACTIONS_RATE_LIMIT_OAUTH_REGISTER.",
            )
