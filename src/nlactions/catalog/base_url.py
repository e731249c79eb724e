"""An optional ``api_base_url`` auth field, for self-hosted editions of a service and for tests."""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from nlactions.catalog.auth import AuthField
from nlactions.catalog.errors import AppError

BASE_URL_KEY = "api_base_url"


def base_url_field(
    default: str, *, key: str = BASE_URL_KEY, label: str = "API Base URL", help_text: str = ""
) -> AuthField:
    """An optional, non-secret auth field holding the service's API base URL; empty means ``default``."""
    lead = f"{help_text.rstrip()} " if help_text else ""
    return AuthField(
        key,
        label,
        secret=False,
        required=False,
        help_text=f"{lead}Leave empty for {default}.",
    )


def read_base_url(credentials: Mapping[str, str], default: str, *, key: str = BASE_URL_KEY) -> str:
    """The base URL stored in ``credentials`` (without a trailing slash), else ``default``.

    Raises ``AppError`` naming the field when the stored value is not an absolute http(s) URL.
    """
    raw = (credentials.get(key) or "").strip()
    if not raw:
        return default.rstrip("/")
    problem = f"{key}: {raw!r} is not an absolute http:// or https:// URL without a query or fragment."
    try:
        url = httpx.URL(raw)
    except httpx.InvalidURL:
        raise AppError(problem, hint=f"Reconnect with a URL like {default}, or leave {key} empty.") from None
    if url.scheme not in ("http", "https") or not url.host or url.query or url.fragment:
        raise AppError(problem, hint=f"Reconnect with a URL like {default}, or leave {key} empty.")
    return raw.rstrip("/")
