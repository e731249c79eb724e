"""Connect with OAuth from the console: the button appears once the operator registered a client, a link the
person follows goes through a real (authlib) provider on loopback and back, and the connection is listed."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from connect.test_connect import PUBLIC, provider, register, slack  # noqa: F401  (fixtures)
from helpers.oauth_provider import OAuthProvider
from helpers.slack_server import SlackServer
from helpers.web import csrf_of
from nlactions.settings import Settings


@pytest.fixture
def settings(settings: Settings, slack: SlackServer, provider: OAuthProvider) -> Settings:  # noqa: F811
    """The provider and the Slack peer past the SSRF guard; links built for the test's host."""
    return settings.model_copy(
        update={"ssrf_allow": [f"127.0.0.1:{slack.port}", f"127.0.0.1:{provider.port}"], "public_url": PUBLIC}
    )


@pytest.fixture
async def browser(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A browser tab following links: nlactions through ASGI, the provider over the network."""
    async with httpx.AsyncClient(mounts={PUBLIC: httpx.ASGITransport(app=app)}, follow_redirects=True) as http:
        yield http


async def test_connect_and_reconnect_slack_from_the_console(
    console: httpx.AsyncClient,
    browser: httpx.AsyncClient,
    settings: Settings,
    provider: OAuthProvider,  # noqa: F811
    slack: SlackServer,  # noqa: F811
) -> None:
    before = await console.get("/console/connections/new/?app=SlackAPI")
    assert "with OAuth" not in before.text, "no button before the operator registers a client"
    await register(settings, provider)
    form = await console.get("/console/connections/new/?app=SlackAPI")
    assert "Connect Slack with OAuth" in form.text
    oauth_form = form.text.split('id="connect-oauth"', 1)[1].split("</form>", 1)[0]
    assert 'name="field__api_base_url"' in oauth_form  # a person may point the flow at a proxy
    assert "user_token_expires_at" not in oauth_form, "the flow fills the user token's expiry itself"
    started = await console.post(
        "/console/connections/connect/",
        data={"csrf_token": csrf_of(form.text), "app": "SlackAPI", "field__api_base_url": slack.base_url},
    )
    assert started.status_code == 200, started.text
    link = re.search(r'id="continue" href="([^"]+)"', started.text)
    assert link and link.group(1).startswith(f"{PUBLIC}/connect/SlackAPI/?state=")
    landed = await browser.get(link.group(1).replace("&amp;", "&"))
    assert landed.status_code == 200 and "Slack connected" in landed.text, landed.text

    listed = await console.get("/console/connections/")
    assert "Acme / nlbot" in listed.text
    detail_url = re.search(r'href="(/console/connections/\d+/)">Acme / nlbot', listed.text)
    assert detail_url
    detail = await console.get(detail_url.group(1))
    assert "Reconnect with OAuth" in detail.text
    again = await console.post(
        "/console/connections/connect/",
        data={
            "csrf_token": csrf_of(detail.text),
            "app": "SlackAPI",
            "authentication_id": detail_url.group(1).split("/")[3],
        },
    )
    relink = re.search(r'id="continue" href="([^"]+)"', again.text)
    assert relink, again.text
    relanded = await browser.get(relink.group(1).replace("&amp;", "&"))
    assert "Slack reconnected" in relanded.text, relanded.text
    rows = re.findall(r'href="/console/connections/(\d+)/"', (await console.get("/console/connections/")).text)
    assert rows == [detail_url.group(1).split("/")[3]], "reconnecting replaced the tokens of the same connection"


async def test_an_app_without_oauth_or_an_unknown_one_is_refused(console: httpx.AsyncClient) -> None:
    token = csrf_of((await console.get("/console/connections/new/?app=KeyedAPI")).text)
    refused = await console.post("/console/connections/connect/", data={"csrf_token": token, "app": "KeyedAPI"})
    assert refused.status_code == 400 and "does not connect with OAuth" in refused.text
    unknown = await console.post("/console/connections/connect/", data={"csrf_token": token, "app": "Nope"})
    assert unknown.status_code == 400
