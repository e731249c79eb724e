"""Browser-like HTTP clients for the server-rendered pages: cookies kept, CSRF tokens read from forms."""

from __future__ import annotations

import re

import httpx
from fastapi import FastAPI

from nlactions.api.runtime import Runtime
from nlactions.signin import service as signin

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
PASSWORD = "correct horse battery"


def csrf_of(html: str) -> str:
    """The CSRF token of the first form on a page."""
    found = CSRF.search(html)
    assert found, "no csrf_token field on the page"
    return found.group(1)


def page_client(app: FastAPI, *, address: str = "127.0.0.1", https: bool = False) -> httpx.AsyncClient:
    """A client through ASGI from ``address`` that keeps cookies and does not follow redirects."""
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=(address, 50000)),
        base_url=("https" if https else "http") + "://nlactions.test",
        follow_redirects=False,
    )


async def make_user(
    runtime: Runtime, email: str = "ada@acme.test", account: str = "acme", password: str | None = PASSWORD
) -> None:
    """A user in ``account`` (both made if new), with ``password`` when given."""
    async with runtime.sessions() as session, session.begin():
        await signin.create_user(session, email=email, account_name=account)
        if password is not None:
            await signin.set_password(session, email=email, password=password)


async def sign_in(
    http: httpx.AsyncClient, email: str = "ada@acme.test", password: str = PASSWORD, next_path: str = ""
) -> httpx.Response:
    """GET the sign-in page for its token, then POST the form; the answer (a 303 when it worked)."""
    page = await http.get("/signin/")
    form = {"csrf_token": csrf_of(page.text), "email": email, "password": password, "next": next_path}
    return await http.post("/signin/", data=form)
