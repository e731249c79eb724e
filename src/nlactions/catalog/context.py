"""What an action or a choice loader receives when it runs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import httpx

from nlactions.kit.http import local_file, tcp_address


class ServiceContext(Protocol):
    """What both an action's and a choice loader's context give a call to the service: the client and the fields."""

    @property
    def http(self) -> httpx.AsyncClient:
        """The guarded client (with the auth kind's credentials attached, where it attaches any)."""
        ...

    @property
    def credentials(self) -> Mapping[str, str]:
        """The stored authentication's fields."""
        ...


class ActionContext:
    """Runtime of one action: an HTTP client with credentials attached, the credentials, the clock.

    The client is built on first use (``http_factory``), so actions that make no HTTP call cost nothing.
    """

    __slots__ = ("_http", "_http_factory", "account_id", "credentials", "now")

    def __init__(
        self,
        http: httpx.AsyncClient | None = None,
        credentials: Mapping[str, str] | None = None,
        now: dt.datetime | None = None,
        account_id: int | None = None,
        *,
        http_factory: Callable[[], httpx.AsyncClient] | None = None,
    ):
        self._http = http
        self._http_factory = http_factory
        self.credentials: Mapping[str, str] = credentials or {}
        self.now = now or dt.datetime.now(dt.UTC)
        self.account_id = account_id

    @property
    def http(self) -> httpx.AsyncClient:
        """The outbound HTTP client (SSRF guard on, credentials attached)."""
        if self._http is None:
            if self._http_factory is None:
                raise RuntimeError("this ActionContext has no HTTP client")
            self._http = self._http_factory()
        return self._http

    async def tcp_address(self, host: str, port: int) -> str:
        """The address to connect a raw TCP client (SMTP, IMAP, a database) to; SSRF-checked like HTTP."""
        return await tcp_address(self.http, host, port)

    def local_file(self, path: str) -> Path:
        """The real path of a local file (a SQLite database) under the operator's allowed directories.

        Raises ``kit.localfiles.LocalFileRefused`` otherwise (``NLACTIONS_SQLITE_APP_DIRS``).
        """
        return local_file(self.http, path)


@dataclass(slots=True)
class ChoiceContext:
    """Runtime of one choice-loader call: values of ``depends_on`` needs, a query, a page cursor."""

    http: httpx.AsyncClient
    credentials: Mapping[str, str] = field(default_factory=dict)
    params: Mapping[str, Any] = field(default_factory=dict)
    query: str | None = None
    cursor: str | None = None

    async def tcp_address(self, host: str, port: int) -> str:
        """The address to connect a raw TCP client (SMTP, IMAP, a database) to; SSRF-checked like HTTP."""
        return await tcp_address(self.http, host, port)

    def local_file(self, path: str) -> Path:
        """The real path of a local file (a SQLite database) under the operator's allowed directories.

        Raises ``kit.localfiles.LocalFileRefused`` otherwise (``NLACTIONS_SQLITE_APP_DIRS``).
        """
        return local_file(self.http, path)
