"""A signed-in console user (ada@acme.test in acme) over ASGI, with an API key for the same account."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from helpers.web import make_user, page_client, sign_in
from nlactions.api.runtime import Runtime


@pytest.fixture
async def console(app: FastAPI, runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    """ada@acme.test, signed in, in account acme."""
    await make_user(runtime)
    async with page_client(app) as http:
        answer = await sign_in(http)
        assert answer.status_code == 303, answer.text
        yield http


@pytest.fixture
async def api(app: FastAPI, runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    """An API client with a key of acme (made for ada, so it sees what the console stores)."""
    from conftest import make_key

    key = await make_key(runtime, account="acme", user="ada@acme.test")
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://nlactions.test", headers={"x-api-key": key.key}
    ) as http:
        yield http
