"""Cost of the rate-limit check on the hot path: ``RateLimits.admit`` per request, in process.

    python bench/ratelimit_check.py [--requests 20000] [--redis-url redis://127.0.0.1:6379/0]

Admits ``--requests`` requests of one (stub-authenticated) key against the execute budget, yielding to
the event loop after each as a server does, with memory storage and, when ``--redis-url`` answers, Redis
(a fresh key prefix, deleted afterwards). Prints microseconds per admit for each storage and budget.
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid

from nlactions.accounts.service import Caller
from nlactions.ratelimits.quota import Meter
from nlactions.ratelimits.service import Budget, RateLimits
from nlactions.settings import Settings

CALLER = Caller(1, "bench@example.com", "bench", False, 1, frozenset({1}), 1)


class StubAuthenticator:
    """Every key is the bench caller (the check, not the key lookup, is measured)."""

    async def authenticate(self, key: str | None) -> Caller:
        """The bench caller."""
        return CALLER


async def measure(settings: Settings, requests: int) -> float:
    """Microseconds per ``admit`` under these settings."""
    limits = RateLimits.from_settings(settings)
    authenticator = StubAuthenticator()
    try:
        started = time.perf_counter()
        for _ in range(requests):
            await limits.admit(authenticator, "key", "192.0.2.1", Budget.EXECUTE, Meter())
            await asyncio.sleep(0)
        return (time.perf_counter() - started) / requests * 1e6
    finally:
        await limits.close()


async def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    args = parser.parse_args()
    base = Settings(_env_file=None)  # type: ignore[call-arg]
    idle = await measure(base.model_copy(update={"rate_limit_execute": "0"}), args.requests)
    print(f"limits off                       {idle:7.1f} us/request")
    for budget in ("600/minute", "1000000/second"):
        spent = await measure(base.model_copy(update={"rate_limit_execute": budget}), min(args.requests, 600))
        print(f"memory  {budget:<24} {spent:7.1f} us/request")
    prefix = f"nlactions-bench-{uuid.uuid4().hex}"
    redis = base.model_copy(update={"redis_url": args.redis_url, "rate_limit_key_prefix": prefix})
    try:
        spent = await measure(redis.model_copy(update={"rate_limit_execute": "1000000/second"}), args.requests // 10)
    except Exception as exc:
        print(f"redis   skipped ({type(exc).__name__})")
        return
    print(f"redis   {'1000000/second':<24} {spent:7.1f} us/request (round trips to {args.redis_url})")
    import redis.asyncio as aioredis

    client = aioredis.from_url(args.redis_url)
    keys = [key async for key in client.scan_iter(match=f"{prefix}*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()


if __name__ == "__main__":
    asyncio.run(main())
