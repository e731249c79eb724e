"""Turning a service's failed HTTP response into the catalog error an agent can act on.

Rate limits are read from the headers services share: ``Retry-After`` (seconds or an HTTP date),
and ``X-RateLimit-Remaining: 0`` with ``X-RateLimit-Reset`` (epoch seconds) or ``RateLimit-Reset``
(seconds from now).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import httpx

from nlactions.catalog.errors import AppError, AuthExpired, UpstreamError, retry_after_seconds

EXCERPT_CHARS = 200


def _number(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def retry_delay(response: httpx.Response, now: dt.datetime | None = None) -> float | None:
    """Seconds to wait before retrying, from the response's rate-limit headers; None when they say nothing."""
    now = now or dt.datetime.now(dt.UTC)
    headers = response.headers
    seconds = retry_after_seconds(headers.get("retry-after"), now=now)
    if seconds is not None:
        return seconds
    remaining = headers.get("x-ratelimit-remaining", headers.get("ratelimit-remaining"))
    if remaining is not None and remaining.strip() == "0":
        reset = _number(headers.get("x-ratelimit-reset"))
        if reset is not None:
            return max(reset - now.timestamp(), 0.0)
        delta = _number(headers.get("ratelimit-reset"))
        if delta is not None:
            return max(delta, 0.0)
    return None


def is_rate_limited(response: httpx.Response) -> bool:
    """True for a 429, or a 403 whose headers say the rate limit is spent or when to retry."""
    if response.status_code == 429:
        return True
    if response.status_code != 403:
        return False
    headers = response.headers
    remaining = headers.get("x-ratelimit-remaining", headers.get("ratelimit-remaining"))
    return "retry-after" in headers or (remaining is not None and remaining.strip() == "0")


def when_to_retry(delay: float | None, now: dt.datetime | None = None) -> str:
    """``"retry after 21:05:07 UTC (in 60 s)"``, or a plain "wait a minute" when the delay is unknown."""
    if delay is None:
        return "wait at least a minute and retry"
    now = now or dt.datetime.now(dt.UTC)
    seconds = math.ceil(delay)
    moment = (now + dt.timedelta(seconds=seconds)).astimezone(dt.UTC)
    return f"retry after {moment:%Y-%m-%d %H:%M:%S} UTC (in {seconds} s)"


def error_message(response: httpx.Response) -> str:
    """The service's own words: a JSON body's ``message`` (or ``error``), else a short text excerpt."""
    try:
        body: Any = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        for key in ("message", "error_description", "error", "detail"):
            value = body.get(key)
            if isinstance(value, str) and value.strip():
                return " ".join(value.split())
    text = " ".join(response.text.split())
    return text[:EXCERPT_CHARS] + ("…" if len(text) > EXCERPT_CHARS else "")


def rate_limit_error(
    response: httpx.Response, *, service: str, delay: float | None = None, now: dt.datetime | None = None
) -> UpstreamError:
    """An UpstreamError saying the service is rate limiting and when to retry (``delay`` overrides headers)."""
    delay = retry_delay(response, now) if delay is None else delay
    said = error_message(response)
    return UpstreamError(
        f"{service} is rate limiting these requests ({response.status_code}"
        + (f": {said}" if said else "")
        + f"); {when_to_retry(delay, now)}.",
        hint="Do not retry before then: retrying early extends the limit.",
        status_code=response.status_code,
        retry_after=delay,
        retryable=True,
    )


def status_error(
    response: httpx.Response, *, service: str, hint: str | None = None, now: dt.datetime | None = None
) -> AppError:
    """The catalog error for a failed response: AuthExpired (401), a rate limit saying when, else UpstreamError."""
    said = error_message(response)
    phrase = f" {response.reason_phrase}" if response.reason_phrase else ""
    head = f"{service} answered {response.status_code}{phrase}" + (f": {said}" if said else "")
    if response.status_code == 401:
        return AuthExpired(f"{head}.", hint=hint or "Reconnect the authentication with valid credentials.")
    if is_rate_limited(response):
        return rate_limit_error(response, service=service, now=now)
    if response.status_code >= 500:
        hint = hint or "The service failed; try again later."
    return UpstreamError(f"{head}.", hint=hint, status_code=response.status_code)
