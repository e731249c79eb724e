"""Client ID Metadata Documents: a client_id that is a URL whose JSON names the client and its redirect URIs.

Fetched through the SSRF-guarded client (so private addresses need the allow-list) and cached briefly,
failures included, so a client_id cannot make the server fetch in a loop.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from urllib.parse import urlsplit

import httpx

from nlactions.kit.expiring import ExpiringCache
from nlactions.oauth.clients import LOOPBACK_HOSTS, ClientView, check_redirect_uris
from nlactions.oauth.scopes import DEFAULT_SCOPE, SCOPES, split_scope

MAX_DOCUMENT_BYTES = 64 * 1024
MAX_CACHED = 1000


class DocumentRefused(ValueError):
    """The client_id URL did not give a usable metadata document (the message says why)."""


def is_document_url(client_id: str | None) -> bool:
    """Whether a client_id names a metadata document: https (or http on a loopback host) with a path."""
    if not client_id or len(client_id) > 2000:
        return False
    try:
        parts = urlsplit(client_id)
        host = parts.hostname
    except ValueError:
        return False
    secure = parts.scheme == "https" or (parts.scheme == "http" and host in LOOPBACK_HOSTS)
    return bool(secure and host and parts.path not in ("", "/") and not parts.fragment)


class ClientDocuments:
    """Fetches and caches client ID metadata documents."""

    def __init__(self, http: Callable[[], httpx.AsyncClient], ttl_seconds: float):
        self._http = http
        self._ttl = ttl_seconds
        self._cache: ExpiringCache[ClientView | str] = ExpiringCache(MAX_CACHED)

    async def client(self, url: str) -> ClientView:
        """The client the document at ``url`` describes; ``DocumentRefused`` saying why not."""
        found = self._cache.get(url)
        if found is None:
            found = await self._fetch(url)
            self._cache.put(url, found, self._ttl)
        if isinstance(found, str):
            raise DocumentRefused(found)
        return found

    async def _fetch(self, url: str) -> ClientView | str:
        try:
            async with self._http() as http:
                response = await http.get(url, headers={"Accept": "application/json"}, follow_redirects=False)
        except httpx.HTTPError as exc:
            return f"client_id: the client metadata document at {url} could not be fetched ({exc})."
        if response.status_code != 200:
            return f"client_id: the client metadata document at {url} answered HTTP {response.status_code}, not 200."
        if len(response.content) > MAX_DOCUMENT_BYTES:
            return f"client_id: the client metadata document at {url} is over {MAX_DOCUMENT_BYTES} bytes."
        try:
            document = json.loads(response.content)
        except ValueError:
            return f"client_id: the client metadata document at {url} is not JSON."
        return _client_of(url, document)


def _client_of(url: str, document: object) -> ClientView | str:
    where = f"the client metadata document at {url}"
    if not isinstance(document, dict):
        return f"client_id: {where} is not a JSON object."
    if document.get("client_id") != url:
        return f"client_id: {where} names client_id {document.get('client_id')!r}, not its own URL."
    method = document.get("token_endpoint_auth_method", "none")
    if method != "none":
        return (
            f"token_endpoint_auth_method: {where} asks for {method!r}; a metadata-document client is public ('none')."
        )
    try:
        uris = check_redirect_uris(document.get("redirect_uris"))
    except ValueError as exc:
        return f"{exc} (in {where})"
    name = document.get("client_name")
    asked = document.get("scope")
    scope = " ".join(s for s in split_scope(asked if isinstance(asked, str) else None) if s in SCOPES)
    return ClientView(
        client_id=url,
        name=name[:200] if isinstance(name, str) and name.strip() else (urlsplit(url).hostname or url),
        redirect_uris=tuple(uris),
        scope=scope or DEFAULT_SCOPE,
        origin="document",
    )
