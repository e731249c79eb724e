"""The bearer token of a connection: a pasted OAuth access token, or one minted for a service account.

A service account signs a JWT assertion (google-auth's RSASigner and ``jwt.encode``) and exchanges it at
its key's ``token_uri`` through ``ctx.http`` (so the SSRF guard vets the token endpoint too). Minted
tokens are cached in process until shortly before they expire.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping
from typing import Any

import httpx
from google.auth import crypt, jwt

from nlactions.catalog import AppError, AuthExpired, ServiceContext, UpstreamError

SCOPES = ("https://www.googleapis.com/auth/spreadsheets", "https://www.googleapis.com/auth/drive.readonly")
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
DEFAULT_TOKEN_URI = "https://oauth2.googleapis.com/token"
EXPIRY_MARGIN = 60.0
ASSERTION_LIFETIME = 3600
FIELDS_HINT = (
    "Reconnect the GoogleSheetsV2API authentication with exactly one of access_token (an OAuth access token) "
    "or service_account_json (the service account's JSON key file, pasted whole)."
)

_cache: dict[str, tuple[str, float]] = {}


def _key_file(raw: str) -> dict[str, str]:
    """The service-account key's fields; an AppError naming what is missing (never echoing the key)."""
    try:
        data: Any = json.loads(raw)
    except ValueError:
        raise AppError("service_account_json is not JSON.", hint=FIELDS_HINT) from None
    if not isinstance(data, dict):
        raise AppError("service_account_json is not a JSON object (a service account key file).", hint=FIELDS_HINT)
    missing = [k for k in ("client_email", "private_key") if not isinstance(data.get(k), str) or not data.get(k)]
    if missing:
        raise AppError(
            f"service_account_json has no {' or '.join(missing)}, so it is not a service account key file.",
            hint="In the Google Cloud console, open IAM & Admin > Service Accounts > Keys > Add key > JSON, "
            "and paste the downloaded file's contents.",
        )
    return {k: str(v) for k, v in data.items() if isinstance(v, str)}


def service_account_email(credentials: Mapping[str, str]) -> str | None:
    """The service account's ``client_email`` when the connection holds a key, else None."""
    raw = (credentials.get("service_account_json") or "").strip()
    if not raw:
        return None
    try:
        return _key_file(raw)["client_email"]
    except AppError:
        return None


def _assertion(key: Mapping[str, str], token_uri: str, now: int) -> bytes:
    try:
        signer = crypt.RSASigner.from_string(key["private_key"], key.get("private_key_id"))
    except (ValueError, TypeError):
        raise AppError(
            "service_account_json: its private_key is not a PEM RSA private key.",
            hint="Paste the JSON key file exactly as downloaded.",
        ) from None
    claims = {
        "iss": key["client_email"],
        "scope": " ".join(SCOPES),
        "aud": token_uri,
        "iat": now,
        "exp": now + ASSERTION_LIFETIME,
    }
    encoded: bytes = jwt.encode(signer, claims)
    return encoded


async def _mint(ctx: ServiceContext, key: Mapping[str, str]) -> tuple[str, float]:
    token_uri = key.get("token_uri") or DEFAULT_TOKEN_URI
    assertion = _assertion(key, token_uri, int(time.time()))
    response = await ctx.http.post(
        token_uri, data={"grant_type": JWT_BEARER, "assertion": assertion.decode("ascii")}, auth=httpx.Auth()
    )
    try:
        body: Any = response.json()
    except ValueError:
        body = None
    if response.status_code >= 500 or not isinstance(body, dict):
        raise UpstreamError(
            f"Google's token endpoint answered {response.status_code} without a token; try again later.",
            status_code=response.status_code,
        )
    if response.status_code >= 400 or not isinstance(body.get("access_token"), str):
        said = str(body.get("error_description") or body.get("error") or response.status_code)
        raise AuthExpired(
            f"Google refused the service account {key['client_email']}'s token request: {said}.",
            hint="Check that the key is current (not deleted in IAM & Admin > Service Accounts > Keys) and "
            "reconnect with the JSON key file.",
        )
    expires_in = body.get("expires_in")
    lifetime = float(expires_in) if isinstance(expires_in, int | float) else 3600.0
    return str(body["access_token"]), time.monotonic() + lifetime


async def bearer_token(ctx: ServiceContext) -> str:
    """The token to send: ``access_token`` as given, or a (cached) service-account token."""
    access = (ctx.credentials.get("access_token") or "").strip()
    raw = (ctx.credentials.get("service_account_json") or "").strip()
    if bool(access) == bool(raw):
        given = "both" if access else "neither"
        raise AppError(
            f"The connection holds {given} of access_token and service_account_json; exactly one is needed.",
            hint=FIELDS_HINT,
        )
    if access:
        return access
    key = _key_file(raw)
    cache_key = hashlib.sha256(raw.encode()).hexdigest()
    cached = _cache.get(cache_key)
    if cached is not None and cached[1] - EXPIRY_MARGIN > time.monotonic():
        return cached[0]
    token, expires = await _mint(ctx, key)
    _cache[cache_key] = (token, expires)
    return token


def forget(credentials: Mapping[str, str]) -> None:
    """Drop the cached token of a service-account connection (after Google refused it)."""
    raw = (credentials.get("service_account_json") or "").strip()
    _cache.pop(hashlib.sha256(raw.encode()).hexdigest(), None)
