"""The OAuth connect flow end to end over HTTP: the CLI registers the client, a browser follows the connect link
through a real (authlib) provider on loopback back to the callback, and SlackAPI runs against its peer with the
tokens, refreshing them before expiry and after a refusal, once, even for concurrent executes (in one process
and in two processes on one PostgreSQL), until the provider revokes them: then ``auth_expired`` with a link
that reconnects.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import re
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import update
from typer.testing import CliRunner

from conftest import make_key
from helpers.oauth_provider import OAuthProvider
from helpers.slack_server import SlackServer
from nlactions.accounts.service import CreatedKey
from nlactions.api.app import create_app
from nlactions.api.runtime import Runtime
from nlactions.catalog import load_registry
from nlactions.cli import cli
from nlactions.db.models import Authentication, ConnectState
from nlactions.settings import Settings

PUBLIC = "http://nlactions.test"
AUTHS = "/api/v2/apps/SlackAPI/auths/"
CONNECT = "/api/v2/apps/SlackAPI/auths/connect/"
EXECUTE = "/api/v2/execute/"
CALLBACK = f"{PUBLIC}/connect/SlackAPI/callback/"
BOT_ID = "U0BOT"
ANA = "U0ANA"
runner = CliRunner()


@pytest.fixture(scope="module")
def slack() -> Iterator[SlackServer]:
    with SlackServer() as server:
        yield server


@pytest.fixture
def provider(slack: SlackServer) -> Iterator[OAuthProvider]:
    """A provider answering in Slack's ``oauth.v2.access`` shape, teaching the Slack peer each token it issues."""
    slack.reset()
    slack.add_member(BOT_ID, "nlbot", real_name="nlactions bot", is_bot=True)
    slack.add_member(ANA, "ana", real_name="Ana Lima", email="ana@acme.test")
    slack.add_channel("C0GENERAL", "general", members=[BOT_ID, ANA])
    with OAuthProvider(scope="chat:write channels:read", user_tokens=True) as server:
        server.redirect_uris.append(CALLBACK)

        def issue(token: dict[str, Any]) -> None:
            if token.get("token_type") == "user":  # a refreshed user token pair
                slack.add_token(token["access_token"], ANA, kind="user")
                return
            slack.add_token(token["access_token"], BOT_ID, kind="bot")
            if "authed_user" in token:
                slack.add_token(token["authed_user"]["access_token"], ANA, kind="user")

        def shape(token: dict[str, Any]) -> dict[str, Any]:
            if token.get("token_type") == "user":
                return {"ok": True, **token}
            extra = {"authed_user": {**token["authed_user"], "id": ANA}} if "authed_user" in token else {}
            return {
                "ok": True,
                **token,
                "token_type": "bot",
                "bot_user_id": BOT_ID,
                "team": {"id": "T0ACME", "name": "Acme"},
                **extra,
            }

        server.on_issue, server.shape = issue, shape
        yield server


@pytest.fixture
def settings(settings: Settings, slack: SlackServer, provider: OAuthProvider) -> Settings:
    return settings.model_copy(
        update={
            "ssrf_allow": [f"127.0.0.1:{slack.port}", f"127.0.0.1:{provider.port}"],
            "public_url": PUBLIC,
        }
    )


def oauth_cli(settings: Settings, *args: str, input: str | None = None) -> Any:
    """``nlactions oauth-apps …`` against the test's database (in a thread: it runs its own event loop)."""
    env = {
        "NLACTIONS_DATABASE_URL": settings.effective_database_url,
        "NLACTIONS_SECRET_KEY": settings.secret_key or "",
        "NLACTIONS_DATA_DIR": str(settings.data_dir),
        "NLACTIONS_PUBLIC_URL": PUBLIC,
    }
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        return runner.invoke(cli, ["oauth-apps", *args], input=input)
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


async def register(settings: Settings, provider: OAuthProvider) -> str:
    result = await asyncio.to_thread(
        oauth_cli,
        settings,
        "set",
        "SlackAPI",
        "--client-id",
        provider.client_id,
        "--client-secret-stdin",
        "--scopes",
        "chat:write,channels:read",
        "--authorize-url",
        provider.authorize_url,
        "--token-url",
        provider.token_url,
        input=provider.client_secret + "\n",
    )
    assert result.exit_code == 0, result.output
    assert provider.client_secret not in result.output
    return str(result.output)


@pytest.fixture
async def browser(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A browser without an API key: nlactions through ASGI, every other host over the network."""
    async with httpx.AsyncClient(mounts={PUBLIC: httpx.ASGITransport(app=app)}, follow_redirects=True) as http:
        yield http


async def connect_link(client: httpx.AsyncClient, slack: SlackServer, **body: Any) -> str:
    response = await client.post(CONNECT, json={"fields": {"api_base_url": slack.base_url}, **body})
    assert response.status_code == 201, response.text
    link: str = response.json()["connect_url"]
    assert link.startswith(f"{PUBLIC}/connect/SlackAPI/?state=")
    return link


async def connected(
    settings: Settings,
    provider: OAuthProvider,
    client: httpx.AsyncClient,
    browser: httpx.AsyncClient,
    slack: SlackServer,
) -> dict[str, Any]:
    await register(settings, provider)
    page = await browser.get(await connect_link(client, slack))
    assert page.status_code == 200, page.text
    assert "Slack connected" in page.text and "Acme / nlbot" in page.text
    assert 'href="/console/connections/"' in page.text  # the way back to the console
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert page.headers["referrer-policy"] == "no-referrer"  # the code and state stay out of Referer
    listed = (await client.get(AUTHS)).json()["results"]
    assert len(listed) == 1
    return dict(listed[0])


def message(text: str, **extra: Any) -> dict[str, Any]:
    return {
        "instructions": "post it",
        "app": "SlackAPI",
        "action": "channel_message",
        "params": {"channel": {"mode": "locked", "value": "C0GENERAL"}, "text": {"mode": "locked", "value": text}},
        **extra,
    }


async def expire(runtime: Runtime, auth_id: int) -> None:
    async with runtime.sessions() as session, session.begin():
        await session.execute(
            update(Authentication)
            .where(Authentication.id == auth_id)
            .values(token_expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1))
        )


def bot_tokens(slack: SlackServer) -> list[str]:
    return [seen.token for seen in slack.requests if seen.method == "chat.postMessage"]


async def test_connect_execute_refresh_revoke_reconnect(
    settings: Settings,
    provider: OAuthProvider,
    client: httpx.AsyncClient,
    browser: httpx.AsyncClient,
    slack: SlackServer,
    runtime: Runtime,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    auth = await connected(settings, provider, client, browser, slack)
    assert auth["title"] == "Acme / nlbot" and auth["stale"] is False and auth["token_expires_at"] is not None
    assert auth["last_refreshed_at"] is None and auth["last_failure"] is None
    # The authorize request asked for the registered scopes (Slack's comma-separated) and the user scopes.
    asked = provider.authorize_requests[-1]
    assert asked["scope"] == "chat:write,channels:read" and asked["redirect_uri"] == CALLBACK
    assert "user_scope" in asked and "code_challenge" not in asked  # Slack: no PKCE declared

    first = await client.post(EXECUTE, json=message("Ahoy"))
    assert first.json()["status"] == "success", first.text
    assert slack.posted("C0GENERAL")[-1]["text"] == "Ahoy"
    assert bot_tokens(slack)[-1] == provider.access_tokens[0]
    # authed_user's token became user_token: auth.test was called with it when the connection was checked.
    assert any(seen.token.startswith("xoxp-user-") for seen in slack.requests if seen.method == "auth.test")

    # Expired (the service refuses it too): two concurrent executes refresh once, both post with the new token.
    await expire(runtime, auth["id"])
    slack.revoked.add(provider.access_tokens[0])
    provider.refresh_delay = 0.3
    both = await asyncio.gather(client.post(EXECUTE, json=message("one")), client.post(EXECUTE, json=message("two")))
    assert [r.json()["status"] for r in both] == ["success", "success"], [r.text for r in both]
    assert provider.refreshes == 1 and provider.refresh_attempts == 1
    assert bot_tokens(slack)[-2:] == [provider.access_tokens[1]] * 2
    health = (await client.get(AUTHS)).json()["results"][0]
    assert health["last_refreshed_at"] is not None and health["stale"] is False

    # Refused by the service (not yet expired; marked stale already, as a refused choices load does):
    # refreshed once, then run again, and no longer stale.
    provider.refresh_delay = 0
    async with runtime.sessions() as session, session.begin():
        await session.execute(update(Authentication).where(Authentication.id == auth["id"]).values(is_stale=True))
    slack.revoked.add(provider.access_tokens[1])
    again = await client.post(EXECUTE, json=message("after a refusal"))
    assert again.json()["status"] == "success", again.text
    assert provider.refreshes == provider.refresh_attempts == 2 and bot_tokens(slack)[-1] == provider.access_tokens[2]
    assert (await client.get(AUTHS)).json()["results"][0]["stale"] is False

    # Revoked at the provider: auth_expired, marked stale, and a link that reconnects it.
    provider.revoke_all()
    slack.revoked.add(provider.access_tokens[2])
    refused = (await client.post(EXECUTE, json=message("never posted"))).json()
    assert refused["status"] == "error" and refused["error"].startswith("auth_expired: ")
    found = re.search(r"(http://nlactions\.test/connect/SlackAPI/\?state=[\w-]+)", refused["error"])
    assert found, refused["error"]
    stale = (await client.get(AUTHS)).json()["results"][0]
    assert stale["stale"] is True and stale["is_stale"] is True
    assert "invalid_grant" in stale["last_failure"]["message"]
    assert not any(token in str(stale) for token in provider.access_tokens)

    page = await browser.get(found.group(1))
    assert page.status_code == 200 and "Slack reconnected" in page.text, page.text
    after = (await client.get(AUTHS)).json()["results"]
    assert [a["id"] for a in after] == [auth["id"]] and after[0]["stale"] is False and after[0]["last_failure"] is None
    back = await client.post(EXECUTE, json=message("reconnected"))
    assert back.json()["status"] == "success", back.text
    assert bot_tokens(slack)[-1] == provider.access_tokens[-1]
    # The server's own logs (the peer's authlib server logs what it issues: not ours to judge).
    ours = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("authlib.oauth2.rfc6749"))
    refresh_tokens = [f["refresh_token"] for f in provider.token_requests if "refresh_token" in f]
    leaked = [s for s in [provider.client_secret, *provider.access_tokens, *refresh_tokens] if s in ours]
    assert leaked == []


async def test_two_processes_on_one_database_refresh_once(
    settings: Settings,
    provider: OAuthProvider,
    client: httpx.AsyncClient,
    browser: httpx.AsyncClient,
    slack: SlackServer,
    runtime: Runtime,
    key: CreatedKey,
) -> None:
    if settings.effective_database_url.startswith("sqlite"):
        pytest.skip("two server processes share a PostgreSQL database")
    auth = await connected(settings, provider, client, browser, slack)
    await expire(runtime, auth["id"])
    slack.revoked.add(provider.access_tokens[0])
    provider.refresh_delay = 0.3
    other: FastAPI = create_app(settings, registry=load_registry(), migrate=False)
    async with other.router.lifespan_context(other):
        transport = httpx.ASGITransport(app=other)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://other.test", headers={"x-api-key": key.key}
        ) as second:
            both = await asyncio.gather(
                client.post(EXECUTE, json=message("from one")), second.post(EXECUTE, json=message("from two"))
            )
    assert [r.json()["status"] for r in both] == ["success", "success"], [r.text for r in both]
    assert provider.refreshes == 1 and provider.refresh_attempts == 1
    assert bot_tokens(slack)[-2:] == [provider.access_tokens[1]] * 2


CHANNELS = "/api/v2/apps/SlackAPI/choices/channel_message.channel/"


async def test_a_refused_token_is_refreshed_once_for_choices_then_auth_expired_naming_the_reconnect(
    settings: Settings,
    provider: OAuthProvider,
    client: httpx.AsyncClient,
    browser: httpx.AsyncClient,
    slack: SlackServer,
) -> None:
    auth = await connected(settings, provider, client, browser, slack)
    # Revoked at Slack before its expiry, the refresh token still good: refreshed once, the list loads.
    slack.revoked.add(provider.access_tokens[0])
    listed = await client.post(CHANNELS, json={"params": {}})
    assert listed.status_code == 200, listed.text
    assert [c["key"] for c in listed.json()["results"]] == ["C0GENERAL"]
    assert provider.refreshes == provider.refresh_attempts == 1
    loaded_with = [seen.token for seen in slack.requests if seen.method == "conversations.list"]
    assert loaded_with == [provider.access_tokens[0], provider.access_tokens[1]]
    assert (await client.get(AUTHS)).json()["results"][0]["stale"] is False

    # Both revoked: one refresh attempt, then auth_expired (412) naming how to reconnect; never a 5xx.
    provider.revoke_all()
    slack.revoked.add(provider.access_tokens[1])
    refused = await client.post(CHANNELS, params={"force_refresh": "true"}, json={"params": {}})
    assert refused.status_code == 412, refused.text
    body = refused.json()
    assert body["code"] == "auth_expired" and "token_revoked" in body["error"]
    assert f'POST {CONNECT} with {{"authentication_id": {auth["id"]}}}' in body["hint"]
    assert provider.refresh_attempts == 2 and provider.refreshes == 1
    stale = (await client.get(AUTHS)).json()["results"][0]
    assert stale["stale"] is True and "invalid_grant" in stale["last_failure"]["message"]
    assert not any(token in refused.text for token in provider.access_tokens)


async def test_a_choice_load_an_execution_triggers_is_refreshed_once_after_a_refusal(
    settings: Settings,
    provider: OAuthProvider,
    client: httpx.AsyncClient,
    browser: httpx.AsyncClient,
    slack: SlackServer,
) -> None:
    await connected(settings, provider, client, browser, slack)
    slack.revoked.add(provider.access_tokens[0])
    guessed = message("Ahoy")
    guessed["params"]["channel"] = {"mode": "guess", "value": "#general"}
    ran = await client.post(EXECUTE, json=guessed)
    assert ran.json()["status"] == "success", ran.text
    assert slack.posted("C0GENERAL")[-1]["text"] == "Ahoy"
    assert provider.refreshes == provider.refresh_attempts == 1
    assert bot_tokens(slack)[-1] == provider.access_tokens[1]


def status(text: str) -> dict[str, Any]:
    return {
        "instructions": "set it",
        "app": "SlackAPI",
        "action": "set_status",
        "params": {"status_text": {"mode": "locked", "value": text}},
    }


def user_tokens(slack: SlackServer) -> list[str]:
    return [seen.token for seen in slack.requests if seen.method == "users.profile.set"]


async def rewrite_fields(runtime: Runtime, auth_id: int, **changes: str) -> None:
    async with runtime.sessions() as session, session.begin():
        row = await session.get(Authentication, auth_id)
        assert row is not None
        row.secret = runtime.box.seal({**runtime.box.open(row.secret), **changes})


async def test_the_rotating_user_token_is_refreshed_after_a_refusal_and_before_expiry_once(
    settings: Settings,
    provider: OAuthProvider,
    client: httpx.AsyncClient,
    browser: httpx.AsyncClient,
    slack: SlackServer,
    runtime: Runtime,
) -> None:
    auth = await connected(settings, provider, client, browser, slack)
    # Slack's code exchange gave a user token pair with its expiry: all three were kept.
    async with runtime.sessions() as session:
        row = await session.get(Authentication, auth["id"])
        assert row is not None
        stored = runtime.box.open(row.secret)
    assert stored["user_token"] == provider.user_access_tokens[0] and stored["user_refresh_token"].startswith("rt-")
    assert float(stored["user_token_expires_at"]) > dt.datetime.now(dt.UTC).timestamp() + 3000

    first = await client.post(EXECUTE, json=status("lunch"))
    assert first.json()["status"] == "success", first.text
    assert user_tokens(slack) == [provider.user_access_tokens[0]]

    # The user token revoked at Slack: two concurrent executes refresh it once (with the user's refresh
    # token at the same token URL); the bot token is left alone.
    slack.revoked.add(provider.user_access_tokens[0])
    provider.refresh_delay = 0.3
    both = await asyncio.gather(client.post(EXECUTE, json=status("one")), client.post(EXECUTE, json=status("two")))
    assert [r.json()["status"] for r in both] == ["success", "success"], [r.text for r in both]
    assert provider.user_refreshes == provider.refreshes == provider.refresh_attempts == 1
    assert user_tokens(slack)[-2:] == [provider.user_access_tokens[1]] * 2
    assert len(provider.access_tokens) == 1  # no bot refresh
    refreshed_with = [f["refresh_token"] for f in provider.token_requests if f.get("grant_type") == "refresh_token"]
    assert refreshed_with == [stored["user_refresh_token"]]

    # About to expire (by its stored expiry): refreshed before use, so Slack never sees the old one again.
    provider.refresh_delay = 0
    await rewrite_fields(runtime, auth["id"], user_token_expires_at=str(int(dt.datetime.now(dt.UTC).timestamp())))
    before = len(user_tokens(slack))
    due = await client.post(EXECUTE, json=status("soon"))
    assert due.json()["status"] == "success", due.text
    assert provider.user_refreshes == 2 and user_tokens(slack)[before:] == [provider.user_access_tokens[2]]
    bot = await client.post(EXECUTE, json=message("the bot token still works"))
    assert bot.json()["status"] == "success" and bot_tokens(slack)[-1] == provider.access_tokens[0]

    # Its refresh token refused too: auth_expired with the reconnect link, the authentication stale.
    provider.revoke_all()
    slack.revoked.add(provider.user_access_tokens[2])
    refused = (await client.post(EXECUTE, json=status("never"))).json()
    assert refused["status"] == "error" and refused["error"].startswith("auth_expired: ")
    assert "http://nlactions.test/connect/SlackAPI/?state=" in refused["error"]
    stale = (await client.get(AUTHS)).json()["results"][0]
    assert stale["stale"] is True and "user token" in stale["last_failure"]["message"]
    secrets_seen = [*provider.user_access_tokens, *provider.access_tokens, stored["user_refresh_token"]]
    assert not any(token in str(stale) + str(refused) for token in secrets_seen)


async def test_a_link_works_once(
    settings: Settings,
    provider: OAuthProvider,
    client: httpx.AsyncClient,
    browser: httpx.AsyncClient,
    slack: SlackServer,
) -> None:
    await register(settings, provider)
    link = await connect_link(client, slack)
    to_provider = await browser.get(link, follow_redirects=False)
    assert to_provider.status_code == 302 and to_provider.headers["location"].startswith(provider.authorize_url)
    back = await browser.get(to_provider.headers["location"], follow_redirects=False)
    callback = back.headers["location"]
    assert callback.startswith(CALLBACK)
    assert (await browser.get(callback)).status_code == 200
    reused = await browser.get(callback)
    assert reused.status_code == 400 and "already used" in reused.text
    assert len((await client.get(AUTHS)).json()["results"]) == 1


async def test_an_expired_link_is_refused(
    settings: Settings,
    provider: OAuthProvider,
    client: httpx.AsyncClient,
    browser: httpx.AsyncClient,
    slack: SlackServer,
    runtime: Runtime,
) -> None:
    await register(settings, provider)
    link = await connect_link(client, slack)
    async with runtime.sessions() as session, session.begin():
        await session.execute(update(ConnectState).values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)))
    page = await browser.get(link)
    assert page.status_code == 400 and "expired" in page.text
    assert provider.authorize_requests == []


async def test_a_denied_authorization_connects_nothing(
    settings: Settings,
    provider: OAuthProvider,
    client: httpx.AsyncClient,
    browser: httpx.AsyncClient,
    slack: SlackServer,
) -> None:
    await register(settings, provider)
    provider.decision = "deny"
    page = await browser.get(await connect_link(client, slack))
    assert page.status_code == 400 and "You declined to authorize Slack" in page.text
    assert (await client.get(AUTHS)).json()["results"] == []


async def test_unknown_state_and_another_apps_callback_are_refused(
    settings: Settings,
    provider: OAuthProvider,
    client: httpx.AsyncClient,
    browser: httpx.AsyncClient,
    slack: SlackServer,
) -> None:
    await register(settings, provider)
    state = (await connect_link(client, slack)).split("state=")[1]
    elsewhere = await browser.get(f"{PUBLIC}/connect/GoogleSheetsV2API/callback/", params={"state": state, "code": "x"})
    assert elsewhere.status_code == 404 and "not known" in elsewhere.text
    bogus = await browser.get(CALLBACK, params={"state": "nope", "code": "x"})
    assert bogus.status_code == 404
    missing = await browser.get(CALLBACK)
    assert missing.status_code == 400 and "no state" in missing.text
    # The SlackAPI state still works: the refused callbacks did not use it.
    assert (await browser.get(f"{PUBLIC}/connect/SlackAPI/?state={state}")).status_code == 200


async def test_a_failed_code_exchange_says_so(
    settings: Settings,
    provider: OAuthProvider,
    client: httpx.AsyncClient,
    browser: httpx.AsyncClient,
    slack: SlackServer,
) -> None:
    await register(settings, provider)
    state = (await connect_link(client, slack)).split("state=")[1]
    page = await browser.get(CALLBACK, params={"state": state, "code": "not-a-code"})
    assert page.status_code == 400 and "refused to exchange the authorization code: invalid_grant" in page.text


async def test_reconnecting_another_accounts_authentication_is_404(
    settings: Settings,
    provider: OAuthProvider,
    client: httpx.AsyncClient,
    browser: httpx.AsyncClient,
    slack: SlackServer,
    runtime: Runtime,
    app: FastAPI,
) -> None:
    auth = await connected(settings, provider, client, browser, slack)
    other = await make_key(runtime, account="globex", user="eve@globex.test")
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url=PUBLIC, headers={"x-api-key": other.key}
    ) as eve:
        refused = await eve.post(CONNECT, json={"authentication_id": auth["id"]})
    assert refused.status_code == 404 and "error" in refused.json()


async def test_connect_needs_a_registered_client_and_an_oauth_app(client: httpx.AsyncClient) -> None:
    unregistered = await client.post(CONNECT, json={})
    assert unregistered.status_code == 400
    body = unregistered.json()
    assert body["code"] == "connect_not_configured" and "nlactions oauth-apps set SlackAPI" in body["hint"]
    secret_field = await client.post(CONNECT, json={"fields": {"access_token": "xoxb-1"}})
    assert secret_field.status_code == 400
    no_oauth = await client.post("/api/v2/apps/WebhookAPI/auths/connect/", json={})
    assert no_oauth.status_code == 400
    assert (await client.post(CONNECT, json={"authentication_id": 0})).status_code == 422


async def test_cli_lists_and_removes_without_showing_the_secret(settings: Settings, provider: OAuthProvider) -> None:
    output = await register(settings, provider)
    assert f"Redirect URI to register with the provider: {CALLBACK}" in output
    listed = await asyncio.to_thread(oauth_cli, settings, "list")
    assert listed.exit_code == 0 and "SlackAPI" in listed.output and provider.client_id in listed.output
    assert provider.client_secret not in listed.output
    removed = await asyncio.to_thread(oauth_cli, settings, "remove", "SlackAPI")
    assert removed.exit_code == 0
    again = await asyncio.to_thread(oauth_cli, settings, "remove", "SlackAPI")
    assert again.exit_code == 1


async def test_the_token_endpoint_is_reached_through_the_ssrf_guard(
    settings: Settings,
    provider: OAuthProvider,
    client: httpx.AsyncClient,
    browser: httpx.AsyncClient,
    slack: SlackServer,
) -> None:
    result = await asyncio.to_thread(
        oauth_cli,
        settings,
        "set",
        "SlackAPI",
        "--client-id",
        provider.client_id,
        "--client-secret-stdin",
        "--authorize-url",
        provider.authorize_url,
        "--token-url",
        "http://127.0.0.1:9/token",
        input=provider.client_secret + "\n",
    )
    assert result.exit_code == 0, result.output
    page = await browser.get(await connect_link(client, slack))
    assert page.status_code == 400 and "NLACTIONS_SSRF_ALLOW" in page.text, page.text
    assert (await client.get(AUTHS)).json()["results"] == []
