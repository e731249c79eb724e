"""The console in a real browser: Playwright driving Debian's Chromium against a live uvicorn server.

A person signs in, adds a connection by form and another through the OAuth connect flow (a local authlib
provider and Slack peer), creates an AI action with a fixed and a guessed need, previews and runs it, finds
the run in Runs and rates it. Every page is saved as a screenshot under
``tests/artifacts/`` (desktop and phone widths) for a person to look at.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from cryptography.fernet import Fernet

from connect.test_connect import provider, slack  # noqa: F401  (fixtures: the local provider and Slack peer)
from helpers.oauth_provider import OAuthProvider
from helpers.slack_server import SlackServer

CHROMIUM = Path(os.environ.get("NLACTIONS_TEST_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
TESTS = Path(__file__).resolve().parents[1]
EMAIL, PASSWORD = "ada@acme.test", "correct horse battery"

if not CHROMIUM.exists() and not os.environ.get("CI"):
    pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium); CI installs it", allow_module_level=True)

from playwright.async_api import Browser, Page, async_playwright, expect  # noqa: E402


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def server(
    tmp_path_factory: pytest.TempPathFactory,
    provider: OAuthProvider,  # noqa: F811
    slack: SlackServer,  # noqa: F811
) -> Iterator[str]:
    """``nlactions`` with the test apps on a free loopback port (SQLite in a temporary data dir); its URL.

    The Slack peer and the provider are allowed past the SSRF guard, and the provider's client is registered
    for SlackAPI with ``nlactions oauth-apps set``, as an operator would.
    """
    data = tmp_path_factory.mktemp("browser")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    provider.redirect_uris.append(f"{url}/connect/SlackAPI/callback/")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("NLACTIONS_")},
        "NLACTIONS_DATA_DIR": str(data / "data"),
        "NLACTIONS_DATABASE_URL": f"sqlite:///{data / 'console.db'}",
        "NLACTIONS_SECRET_KEY": Fernet.generate_key().decode(),
        "NLACTIONS_PUBLIC_URL": url,
        "NLACTIONS_SSRF_ALLOW": f"127.0.0.1:{slack.port},127.0.0.1:{provider.port}",
        "PYTHONPATH": str(TESTS) + os.pathsep + os.environ.get("PYTHONPATH", ""),
    }
    cli = [sys.executable, "-c", "from nlactions.cli import main; main()"]
    made = subprocess.run(
        [*cli, "users", "create", EMAIL, "--account", "acme"],
        input=PASSWORD + "\n",
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert made.returncode == 0, made.stderr
    client = [
        *("--client-id", provider.client_id, "--client-secret-stdin", "--scopes", "chat:write,channels:read"),
        *("--authorize-url", provider.authorize_url, "--token-url", provider.token_url),
    ]
    registered = subprocess.run(
        [*cli, "oauth-apps", "set", "SlackAPI", *client],
        input=provider.client_secret + "\n",
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert registered.returncode == 0, registered.stdout + registered.stderr
    process = subprocess.Popen(
        [sys.executable, str(TESTS / "helpers" / "console_server.py"), str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 90
    while True:
        try:
            if httpx.get(f"{url}/api/v2/health/", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"the server did not start: {process.stderr.read().decode() if process.stderr else ''}")
        time.sleep(0.2)
    try:
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    """Headless Chromium (Debian's, not a Playwright download)."""
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        try:
            yield launched
        finally:
            await launched.close()


async def shot(page: Page, name: str) -> None:
    """Save the whole page as ``tests/artifacts/<name>.png``."""
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


async def test_a_person_connects_builds_tries_and_rates_an_ai_action(
    server: str,
    browser: Browser,
    slack: SlackServer,  # noqa: F811
) -> None:
    context = await browser.new_context(base_url=server, viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    problems: list[str] = []
    # Script errors, and any stylesheet, script or image that failed to load (pages may answer 4xx on purpose).
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on(
        "response",
        lambda r: (
            problems.append(f"{r.status} {r.url}")
            if r.status >= 400 and r.request.resource_type != "document"
            else None
        ),
    )

    # Sign in: a wrong password first, then the right one; we land on Apps.
    await page.goto("/console/connections/")
    await expect(page).to_have_url(re.compile(r"/signin/\?next=/console/connections/"))
    await page.get_by_label("Email").fill(EMAIL)
    await page.get_by_label("Password").fill("not my password")
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("alert")).to_have_text("Wrong email or password.")
    await shot(page, "01-signin-wrong-password")
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page).to_have_url(f"{server}/console/connections/")

    # Apps: search, then an app's needs and gives.
    await page.get_by_role("navigation").get_by_role("link", name="Apps").click()
    await page.get_by_label("Search apps and actions").fill("message")
    await page.get_by_role("button", name="Search").click()
    await shot(page, "02-apps-search")
    await page.get_by_role("link", name="Test", exact=True).click()
    await expect(page.get_by_role("heading", name="Send Message write")).to_be_visible()
    await shot(page, "03-app-details")

    # Connections: add one by form; the secret is never shown again.
    await page.get_by_role("navigation").get_by_role("link", name="Connections").click()
    await page.get_by_role("link", name="New Keyed connection").click()
    await page.get_by_label("Title").fill("Team key")
    await page.get_by_label("API Key").fill("sk-browser-secret-123")
    await shot(page, "04-connection-form")
    await page.get_by_role("button", name="Test and save").click()
    await expect(page.get_by_role("status")).to_contain_text("Connection added")
    assert "sk-browser-secret-123" not in await page.content()
    await page.get_by_role("button", name="Test it").click()
    await expect(page.get_by_role("status")).to_contain_text("accepted")
    await shot(page, "05-connection")

    # Connect Slack with OAuth: a Continue link to the provider, which approves and sends the browser back.
    await page.get_by_role("navigation").get_by_role("link", name="Connections").click()
    await page.get_by_role("link", name="New Slack connection").click()
    oauth = page.locator("form#connect-oauth")
    await oauth.get_by_label("API Base URL").fill(slack.base_url)
    await shot(page, "05a-connect-oauth-form")
    await oauth.get_by_role("button", name="Connect Slack with OAuth").click()
    await expect(page.get_by_role("heading", name="Connect Slack")).to_be_visible()
    await shot(page, "05b-connect-continue")
    await page.get_by_role("link", name="Continue to Slack").click()
    await expect(page.get_by_role("heading", name="Slack connected")).to_be_visible()
    await shot(page, "05c-connect-done")
    await page.goto("/console/connections/")
    await expect(page.get_by_role("link", name="Acme / nlbot")).to_be_visible()
    await shot(page, "05d-connections")

    # AI actions: Test: Send Message, channel fixed through the searchable picker, text guessed.
    await page.get_by_role("navigation").get_by_role("link", name="AI actions").click()
    await page.get_by_role("link", name="Create an AI action").click()
    await page.get_by_label("Search actions").fill("send message")
    await page.get_by_label("Action", exact=True).select_option("TestAPI.echo")
    await page.get_by_role("button", name="Next").click()
    await page.get_by_label("Description").fill("Post to random")
    channel = page.locator("fieldset#need-channel")
    await channel.get_by_label("Fixed value").first.check()
    await expect(channel.locator("[data-mode-panel=guess]")).to_be_hidden()  # our script shows one mode at a time
    await channel.get_by_role("searchbox", name="Search choices").fill("rand")
    await expect(channel.locator("option[value=C001]")).to_be_hidden()
    await channel.get_by_role("combobox", name="Fixed value").select_option("C002")
    text_need = page.locator("fieldset#need-text")
    await expect(text_need.get_by_label("Let AI guess")).to_be_checked()
    await page.locator("fieldset#need-count").get_by_label("Ignore").check()
    await shot(page, "06-ai-action-form")
    await page.get_by_role("button", name="Save AI action").click()
    await expect(page.get_by_role("status")).to_contain_text("AI action saved")

    # Try it: preview (need by need, with where each came from), then run.
    await page.get_by_label("Instructions").fill('say "hello from the browser"')
    await page.get_by_role("button", name="Preview", exact=True).click()
    resolved = page.locator("table#resolved")
    await expect(resolved).to_contain_text("C002")
    await expect(resolved).to_contain_text("locked")
    await expect(resolved).to_contain_text("hello from the browser")
    await expect(page.locator("#outcome .badge")).to_have_text("preview")
    await page.locator("#outcome").scroll_into_view_if_needed()
    await shot(page, "07-ai-action-preview")
    await page.get_by_role("button", name="Run it now").click()
    await expect(page.locator("#outcome .badge")).to_have_text("success")
    await shot(page, "08-ai-action-run")

    # Runs: the run is the newest; open it and rate it.
    await page.get_by_role("navigation").get_by_role("link", name="Runs").click()
    await expect(page.locator("table#runs tbody tr").first).to_contain_text("success")
    await shot(page, "09-runs")
    await page.locator("table#runs tbody tr").first.get_by_role("link").first.click()
    await expect(page.locator("#instructions")).to_have_text('say "hello from the browser"')
    await page.get_by_label("Good").check()
    await page.get_by_label("Feedback").fill("Right channel, right words.")
    await page.get_by_role("button", name="Save rating").click()
    await expect(page.get_by_role("status")).to_contain_text("rating is saved")
    await expect(page.get_by_label("Feedback")).to_have_value("Right channel, right words.")
    await shot(page, "10-run")

    # Keys & MCP: a new key is shown once, with the MCP configuration filled in.
    await page.get_by_role("navigation").get_by_role("link", name="Keys & MCP").click()
    await page.get_by_label("Name").fill("laptop agent")
    await page.get_by_role("button", name="Create key").click()
    key = (await page.locator("#new-key-value").inner_text()).strip()
    assert key.startswith("nla_")
    await expect(page.locator("#mcp-desktop")).to_contain_text(key)
    await shot(page, "11-keys")
    async with httpx.AsyncClient(base_url=server) as http:
        check = await http.get("/api/v2/auth/check/", headers={"x-api-key": key})
        assert check.json()["email"] == EMAIL
        runs = (await http.get("/api/v2/execute/log/", headers={"x-api-key": key})).json()["results"]
    assert runs[0]["status"] == "success" and runs[0]["rating"] == 1
    assert runs[0]["feedback"] == "Right channel, right words."

    # Readable on a phone.
    phone = await browser.new_context(
        base_url=server, viewport={"width": 390, "height": 844}, storage_state=await context.storage_state()
    )
    small = await phone.new_page()
    for path, name in (("/console/ai-actions/", "12-phone-ai-actions"), ("/console/runs/", "13-phone-runs")):
        await small.goto(path)
        width = await small.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} scrolls sideways on a phone ({width} px)"
        await shot(small, name)
    await phone.close()

    # Sign out.
    await page.get_by_role("button", name="Sign out").click()
    await expect(page).to_have_url(f"{server}/signin/")
    await context.close()
    assert problems == [], problems
