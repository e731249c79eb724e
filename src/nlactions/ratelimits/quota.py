"""Where a budget stands after a request, as the ``RateLimit-*`` response headers say it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Quota:
    """One budget's limit, what is left of it, and the seconds until a used slot frees up."""

    limit: int
    remaining: int
    reset_seconds: int

    def raw_headers(self, *, refused: bool = False) -> list[tuple[bytes, bytes]]:
        """``RateLimit-Limit``, ``-Remaining``, ``-Reset`` (and ``Retry-After`` for a refusal) as ASGI headers."""
        headers = [
            (b"ratelimit-limit", str(self.limit).encode()),
            (b"ratelimit-remaining", str(self.remaining).encode()),
            (b"ratelimit-reset", str(self.reset_seconds).encode()),
        ]
        if refused:
            headers.append((b"retry-after", str(max(1, self.reset_seconds)).encode()))
        return headers


def tightest(quotas: list[Quota]) -> Quota:
    """The budget closest to running out (fewest remaining; of those, the longest wait)."""
    return min(quotas, key=lambda quota: (quota.remaining, -quota.reset_seconds))


@dataclass(slots=True)
class Meter:
    """What one request learnt about its budgets; the front door turns it into response headers."""

    quota: Quota | None = None
    refused: bool = False
    charged: bool = False  # a budget was checked (``quota`` stays None when every limit is off)
