"""The sign-in pages over HTTP: sessions, CSRF, throttling, safe redirects, cookie flags."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from itsdangerous import URLSafeTimedSerializer
from starlette.responses import PlainTextResponse

from helpers.web import PASSWORD, csrf_of, make_user, page_client, sign_in
from nlactions.accounts import repository as repo
from nlactions.api.runtime import Runtime
from nlactions.settings import Settings
from nlactions.signin import service as signin
from nlactions.signin.deps import UserDep
from nlactions.web.session import COOKIE


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Three failed sign-ins a minute."""
    return settings.model_copy(update={"rate_limit_signin": "3/minute"})


@pytest.fixture
async def private(app: FastAPI) -> FastAPI:
    """The app with a page that needs a signed-in user and says who it is and where they act."""

    async def whoami(user: UserDep) -> PlainTextResponse:
        return PlainTextResponse(f"{user.email} in {user.account_name}")

    app.add_api_route("/private/", whoami, methods=["GET"])
    return app


@pytest.fixture
async def http(private: FastAPI, runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    """A cookie-keeping client; user ada@acme.test exists with PASSWORD."""
    await make_user(runtime)
    async with page_client(private) as client:
        yield client


async def test_signing_in_sets_a_session_that_private_pages_accept(http: httpx.AsyncClient) -> None:
    before = await http.get("/private/")
    assert before.status_code == 303
    assert before.headers["location"] == "/signin/?next=/private/"

    answer = await sign_in(http, next_path="/private/")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/private/"
    page = await http.get("/private/")
    assert page.status_code == 200
    assert page.text == "ada@acme.test in acme"
    # Signed in, the sign-in page sends the user on.
    assert (await http.get("/signin/?next=/private/")).headers["location"] == "/private/"


async def test_the_sign_in_page_is_a_form_with_a_strict_policy(http: httpx.AsyncClient) -> None:
    page = await http.get("/signin/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert page.headers["x-frame-options"] == "DENY"
    assert '<label for="email">' in page.text and '<label for="password">' in page.text
    assert "<script>" not in page.text and "style=" not in page.text
    assert (await http.get("/static/nlactions.css")).status_code == 200


@pytest.mark.parametrize(
    ("email", "password"),
    [("ada@acme.test", "wrong password!"), ("nobody@acme.test", PASSWORD), ("ADA@acme.test ", "x")],
)
async def test_a_wrong_email_or_password_gets_one_generic_message(
    http: httpx.AsyncClient, email: str, password: str
) -> None:
    answer = await sign_in(http, email, password, next_path="/private/")
    assert answer.status_code == 400
    assert "Wrong email or password." in answer.text
    assert (await http.get("/private/")).status_code == 303


async def test_a_user_without_a_password_cannot_sign_in(http: httpx.AsyncClient, runtime: Runtime) -> None:
    await make_user(runtime, "bob@acme.test", password=None)
    answer = await sign_in(http, "bob@acme.test", "")
    assert answer.status_code == 400
    answer = await sign_in(http, "bob@acme.test", "anything at all")
    assert "Wrong email or password." in answer.text


async def test_failed_sign_ins_are_throttled_per_email(http: httpx.AsyncClient, private: FastAPI) -> None:
    for _ in range(3):
        assert (await sign_in(http, password="wrong password!")).status_code == 400
    refused = await sign_in(http)  # even the right password waits
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) >= 1
    assert "Too many failed sign-ins" in refused.text
    assert refused.headers["content-type"].startswith("text/html")
    # Another address is refused too: the email's budget is spent.
    async with page_client(private, address="10.0.0.9") as other:
        assert (await sign_in(other)).status_code == 429


async def test_failed_sign_ins_are_throttled_per_address(http: httpx.AsyncClient, runtime: Runtime) -> None:
    await make_user(runtime, "eve@acme.test")
    for email in ("a@x.test", "b@x.test", "c@x.test"):
        assert (await sign_in(http, email, "wrong password!")).status_code == 400
    assert (await sign_in(http, "eve@acme.test")).status_code == 429


async def test_a_sign_in_without_or_with_a_wrong_csrf_token_is_a_403_page(http: httpx.AsyncClient) -> None:
    page = await http.get("/signin/")
    token = csrf_of(page.text)
    missing = await http.post("/signin/", data={"email": "ada@acme.test", "password": PASSWORD})
    assert missing.status_code == 403
    assert "csrf_token" in missing.text and missing.headers["content-type"].startswith("text/html")
    wrong = await http.post(
        "/signin/", data={"csrf_token": token + "x", "email": "ada@acme.test", "password": PASSWORD}
    )
    assert wrong.status_code == 403
    assert "does not match" in wrong.text
    assert (await http.get("/private/")).status_code == 303


async def test_a_token_from_another_session_is_refused(http: httpx.AsyncClient, private: FastAPI) -> None:
    async with page_client(private) as attacker:
        token = csrf_of((await attacker.get("/signin/")).text)
    await http.get("/signin/")
    forged = await http.post("/signin/", data={"csrf_token": token, "email": "ada@acme.test", "password": PASSWORD})
    assert forged.status_code == 403


async def test_a_form_posted_without_any_cookie_is_refused(private: FastAPI, runtime: Runtime) -> None:
    await make_user(runtime)
    async with page_client(private) as http:
        token = csrf_of((await http.get("/signin/")).text)
        http.cookies.clear()
        answer = await http.post("/signin/", data={"csrf_token": token, "email": "ada@acme.test", "password": PASSWORD})
    assert answer.status_code == 403
    assert "cookie is missing" in answer.text


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.test/",
        "//evil.test/console/",
        "/\\evil.test",
        "javascript:alert(1)",
        "/%0d%0aSet-Cookie:x=1",
        "/\tevil",
        "http:/evil.test",
    ],
)
async def test_next_never_leaves_the_site(http: httpx.AsyncClient, target: str) -> None:
    answer = await sign_in(http, next_path=target)
    assert answer.status_code == 303
    location = answer.headers["location"]
    assert location == "/console/" or (location.startswith("/") and not location.startswith("//")), location
    assert "evil" not in location or location.startswith("/%")


async def test_next_keeps_a_path_with_its_query(http: httpx.AsyncClient) -> None:
    answer = await sign_in(http, next_path="/console/runs/?status=error&page=2")
    assert answer.headers["location"] == "/console/runs/?status=error&page=2"


async def test_the_session_cookie_is_httponly_lax_and_secure_over_https(private: FastAPI, runtime: Runtime) -> None:
    await make_user(runtime)
    async with page_client(private) as plain:
        cookie = (await sign_in(plain)).headers["set-cookie"].lower()
    assert cookie.startswith(COOKIE + "=")
    assert "httponly" in cookie and "samesite=lax" in cookie and "path=/" in cookie
    assert "secure" not in cookie
    async with page_client(private, https=True) as tls:
        first = await tls.get("/signin/")
        assert "secure" in first.headers["set-cookie"].lower()
        answer = await sign_in(tls)
        assert "secure" in answer.headers["set-cookie"].lower()
        assert "httponly" in answer.headers["set-cookie"].lower()


async def test_a_tampered_cookie_counts_as_signed_out(http: httpx.AsyncClient) -> None:
    await sign_in(http)
    value = http.cookies[COOKIE]
    http.cookies.set(COOKIE, value[:-2] + ("AA" if not value.endswith("AA") else "BB"), domain="nlactions.test")
    assert (await http.get("/private/")).status_code == 303


async def test_signing_out_ends_the_session_and_needs_the_token(http: httpx.AsyncClient) -> None:
    await sign_in(http)
    assert (await http.post("/signout/", data={})).status_code == 403
    assert (await http.get("/private/")).status_code == 200
    page = await http.get("/signin/?next=/private/")
    assert page.status_code == 303  # signed in: no form; the token is the session's
    token = await _session_token(http)
    out = await http.post("/signout/", data={"csrf_token": token})
    assert out.status_code == 303 and out.headers["location"] == "/signin/"
    assert (await http.get("/private/")).status_code == 303


async def _session_token(http: httpx.AsyncClient) -> str:
    """The signed-in session's CSRF token, read from the cookie as the pages embed it."""
    _valid, data = URLSafeTimedSerializer("unused").loads_unsafe(http.cookies[COOKIE])
    assert isinstance(data, dict)
    return str(data["c"])


async def test_a_password_change_ends_open_sessions(http: httpx.AsyncClient, runtime: Runtime) -> None:
    await sign_in(http)
    assert (await http.get("/private/")).status_code == 200
    async with runtime.sessions() as session, session.begin():
        await signin.set_password(session, email="ada@acme.test", password="a brand new passphrase")
    assert (await http.get("/private/")).status_code == 303
    assert (await sign_in(http, password="a brand new passphrase")).status_code == 303


async def test_the_account_switcher_reaches_only_the_users_accounts(http: httpx.AsyncClient, runtime: Runtime) -> None:
    await make_user(runtime, account="acme-labs")  # ada joins a second account
    await make_user(runtime, "mallory@globex.test", account="globex")
    await sign_in(http)
    assert (await http.get("/private/")).text == "ada@acme.test in acme"
    async with runtime.sessions() as session:
        labs = await repo.account_by_name(session, "acme-labs")
        globex = await repo.account_by_name(session, "globex")
    assert labs is not None and globex is not None
    token = await _session_token(http)
    moved = await http.post(
        "/signin/account/", data={"csrf_token": token, "account_id": str(labs.id), "next": "/private/"}
    )
    assert moved.status_code == 303 and moved.headers["location"] == "/private/"
    assert (await http.get("/private/")).text == "ada@acme.test in acme-labs"
    token = await _session_token(http)
    refused = await http.post("/signin/account/", data={"csrf_token": token, "account_id": str(globex.id)})
    assert refused.status_code == 403
    assert (await http.get("/private/")).text == "ada@acme.test in acme-labs"
    no_token = await http.post("/signin/account/", data={"account_id": str(labs.id)})
    assert no_token.status_code == 403
