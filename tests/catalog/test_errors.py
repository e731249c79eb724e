"""UpstreamError's retry information and the Retry-After parser apps share."""

from __future__ import annotations

import datetime as dt

from nlactions.catalog import UpstreamError, retry_after_seconds


def test_retry_after_is_seconds_or_an_http_date() -> None:
    now = dt.datetime(2026, 12, 1, 20, 0, 0, tzinfo=dt.UTC)
    assert retry_after_seconds("30", now=now) == 30.0
    assert retry_after_seconds("Tue, 01 Dec 2026 20:01:30 GMT", now=now) == 90.0
    assert retry_after_seconds("Tue, 01 Dec 2026 19:00:00 GMT", now=now) == 0.0
    assert retry_after_seconds("soon", now=now) is None
    assert retry_after_seconds(None) is None


def test_retryable_defaults_follow_the_status_and_retry_after() -> None:
    assert UpstreamError("x", status_code=429).retryable
    assert UpstreamError("x", status_code=503).retryable
    assert UpstreamError("x", retry_after=5).retryable
    assert not UpstreamError("x", status_code=400).retryable
    assert not UpstreamError("x", status_code=503, retryable=False).retryable
