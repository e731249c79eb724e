"""Fixtures of the MCP tests: a live server on a loopback port."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from helpers.live_server import Live, serve_live
from nlactions.settings import Settings


@pytest.fixture
async def live(settings: Settings) -> AsyncIterator[Live]:
    """The app (with the test apps) served by uvicorn on a free 127.0.0.1 port, keys for acme and globex."""
    async with serve_live(settings) as server:
        yield server
