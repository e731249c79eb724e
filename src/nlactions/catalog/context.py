"""What an action or a choice loader receives when it runs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx


@dataclass(slots=True)
class ActionContext:
    """Runtime of one action: an HTTP client with credentials attached, the credentials, the clock."""

    http: httpx.AsyncClient
    credentials: Mapping[str, str] = field(default_factory=dict)
    now: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    account_id: int | None = None


@dataclass(slots=True)
class ChoiceContext:
    """Runtime of one choice-loader call: values of ``depends_on`` needs, a query, a page cursor."""

    http: httpx.AsyncClient
    credentials: Mapping[str, str] = field(default_factory=dict)
    params: Mapping[str, Any] = field(default_factory=dict)
    query: str | None = None
    cursor: str | None = None
