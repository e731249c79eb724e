"""The console's pages over HTTP, as a browser without JavaScript would use them."""

from __future__ import annotations

import re

import httpx
import httpx2
import pytest
from fastapi import FastAPI
from mcp.client.streamable_http import streamable_http_client

from helpers.apps import recorder
from helpers.web import csrf_of, make_user, page_client
from mcp import Client
from nlactions.api.runtime import Runtime

PAGES = [
    "/console/apps/",
    "/console/apps/?q=message",
    "/console/apps/TestAPI/",
    "/console/connections/",
    "/console/connections/new/",
    "/console/connections/new/?app=KeyedAPI",
    "/console/ai-actions/",
    "/console/ai-actions/new/",
    "/console/ai-actions/new/?app=TestAPI&action=echo",
    "/console/runs/",
    "/console/keys/",
]


@pytest.mark.parametrize("path", PAGES)
async def test_every_page_renders_with_a_strict_policy_and_no_inline_script(
    console: httpx.AsyncClient, path: str
) -> None:
    page = await console.get(path)
    assert page.status_code == 200, page.text
    assert page.headers["content-type"].startswith("text/html")
    csp = page.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp and "unsafe" not in csp
    assert page.headers["cache-control"] == "no-store"
    scripts = re.findall(r"<script[^>]*>", page.text)
    assert scripts and all('src="/static/' in tag for tag in scripts)
    assert not re.search(r"<script[^>]*>\s*[^<\s]", page.text), "inline script"
    assert not re.search(r"\son[a-z]+=", page.text), "inline event handler"
    assert " style=" not in page.text
    assert 'name="viewport"' in page.text
    assert "ada@acme.test" in page.text and "Sign out" in page.text
    for tag in re.findall(r"<(?:input|select|textarea)\b[^>]*>", page.text):
        if 'type="hidden"' in tag or 'type="radio"' in tag or 'type="checkbox"' in tag:
            continue
        ident = re.search(r'id="([^"]+)"', tag)
        assert ident and f'for="{ident.group(1)}"' in page.text, f"unlabelled control {tag}"


@pytest.mark.parametrize("path", [*PAGES, "/console/", "/console/runs/01JBRX2D5N8W0Q7E4H6T9Y3MKC/"])
async def test_signed_out_every_page_sends_you_to_sign_in_and_back(app: FastAPI, path: str) -> None:
    async with page_client(app) as http:
        answer = await http.get(path)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/signin/?next=/console/")


async def test_signing_in_lands_on_apps(console: httpx.AsyncClient) -> None:
    home = await console.get("/console/")
    assert home.headers["location"] == "/console/apps/"


async def test_apps_search_and_an_apps_needs_and_gives(console: httpx.AsyncClient) -> None:
    found = await console.get("/console/apps/?q=ledger%20keyed%20api%20key")
    assert "Keyed" in found.text
    page = await console.get("/console/apps/TestAPI/")
    assert "Send Message" in page.text and "Message Text" in page.text and "<code>channel</code>" in page.text
    assert "Channel ID" in page.text  # a give
    missing = await console.get("/console/apps/NoSuchAPI/")
    assert missing.status_code == 404 and "There is no app" in missing.text


async def test_add_test_rename_and_delete_a_connection(console: httpx.AsyncClient, api: httpx.AsyncClient) -> None:
    form = await console.get("/console/connections/new/?app=KeyedAPI")
    assert 'type="password"' in form.text and 'name="field__api_key"' in form.text
    token = csrf_of(form.text)
    added = await console.post(
        "/console/connections/new/",
        data={"csrf_token": token, "app": "KeyedAPI", "title": "Team key", "field__api_key": "sk-live-verysecret"},
    )
    assert added.status_code == 303, added.text
    detail_url = added.headers["location"].split("?")[0]
    detail = await console.get(added.headers["location"])
    assert "Connection added" in detail.text and "Team key" in detail.text
    assert "sk-live-verysecret" not in detail.text
    listed = await console.get("/console/connections/")
    assert "Team key" in listed.text and "sk-live-verysecret" not in listed.text
    auths = (await api.get("/api/v2/apps/KeyedAPI/auths/")).json()["results"]
    assert [a["title"] for a in auths] == ["Team key"]

    token = csrf_of(detail.text)
    tested = await console.post(f"{detail_url}test/", data={"csrf_token": token})
    assert tested.status_code == 303 and "notice=connection-ok" in tested.headers["location"]
    renamed = await console.post(f"{detail_url}rename/", data={"csrf_token": token, "title": "Ops key"})
    assert renamed.status_code == 303
    assert [a["title"] for a in (await api.get("/api/v2/apps/KeyedAPI/auths/")).json()["results"]] == ["Ops key"]
    deleted = await console.post(f"{detail_url}delete/", data={"csrf_token": token})
    assert deleted.status_code == 303 and deleted.headers["location"].startswith("/console/connections/")
    assert (await api.get("/api/v2/apps/KeyedAPI/auths/")).json()["results"] == []
    assert (await console.get(detail_url)).status_code == 404


async def test_a_connection_missing_a_field_says_which(console: httpx.AsyncClient) -> None:
    token = csrf_of((await console.get("/console/connections/new/?app=KeyedAPI")).text)
    refused = await console.post(
        "/console/connections/new/", data={"csrf_token": token, "app": "KeyedAPI", "title": "x"}
    )
    assert refused.status_code == 400
    assert "api_key" in refused.text
    assert refused.headers["content-type"].startswith("text/html")


async def test_a_form_without_its_token_is_refused(console: httpx.AsyncClient, api: httpx.AsyncClient) -> None:
    refused = await console.post(
        "/console/connections/new/", data={"app": "KeyedAPI", "title": "x", "field__api_key": "sk-1234567"}
    )
    assert refused.status_code == 403 and "csrf_token" in refused.text
    forged = await console.post("/console/keys/", data={"csrf_token": "forged-token", "name": "x"})
    assert forged.status_code == 403
    assert (await api.get("/api/v2/apps/KeyedAPI/auths/")).json()["results"] == []


async def _create_echo(console: httpx.AsyncClient, description: str = "Greet the team") -> str:
    page = await console.get("/console/ai-actions/new/?app=TestAPI&action=echo")
    token = csrf_of(page.text)
    saved = await console.post(
        "/console/ai-actions/new/",
        data={
            "csrf_token": token,
            "app": "TestAPI",
            "action": "echo",
            "description": description,
            "mode__channel": "fixed",
            "pick__channel": "C002",
            "mode__text": "guess",
            "hint__text": "",
            "mode__count": "ignore",
            "mode__note": "guess",
            "hint__note": "a short note",
            "mode__password": "guess",
            "intent": "save",
        },
    )
    assert saved.status_code == 303, saved.text
    return saved.headers["location"].split("/")[3]


async def test_create_an_ai_action_with_a_fixed_and_a_guessed_need(
    console: httpx.AsyncClient, api: httpx.AsyncClient
) -> None:
    form = await console.get("/console/ai-actions/new/?app=TestAPI&action=echo")
    assert '<option value="C002">random (C002)</option>' in form.text  # the picker's static choices
    ident = await _create_echo(console)
    stored = (await api.get(f"/api/v2/ai-actions/{ident}/")).json()
    assert stored["description"] == "Greet the team"
    assert stored["params"]["channel"] == {"mode": "locked", "value": "C002"}
    assert stored["params"]["count"]["mode"] == "ignored"
    assert stored["params"]["note"] == "a short note"
    assert set(stored["params"]) == {"channel", "count", "note"}  # text is left to the instructions
    edit = await console.get(f"/console/ai-actions/{ident}/")
    assert '<option value="C002" selected>' in edit.text
    assert 'name="mode__count" value="ignore" checked' in edit.text
    assert 'value="a short note"' in edit.text


async def test_preview_then_run_shows_each_need_and_where_it_came_from(
    console: httpx.AsyncClient, api: httpx.AsyncClient
) -> None:
    ident = await _create_echo(console)
    token = csrf_of((await console.get(f"/console/ai-actions/{ident}/")).text)
    recorder.calls.clear()
    preview = await console.post(
        f"/console/ai-actions/{ident}/try/",
        data={"csrf_token": token, "instructions": 'say "hello team"', "intent": "preview"},
    )
    assert preview.status_code == 200, preview.text
    table = preview.text.split('id="resolved"', 1)[1].split("</table>", 1)[0]
    assert "C002" in table and "locked" in table
    assert "hello team" in table and "instructions" in table
    assert "Run it now" in preview.text and recorder.calls == []
    ran = await console.post(
        f"/console/ai-actions/{ident}/try/",
        data={"csrf_token": token, "instructions": 'say "hello team"', "intent": "run"},
    )
    assert ran.status_code == 200
    assert '<span class="badge success">success</span>' in ran.text
    assert recorder.calls and recorder.calls[-1]["channel"] == "C002"
    log_id = re.search(r'href="/console/runs/([0-9A-Z]{26})/"', ran.text)
    assert log_id
    logged = (await api.get(f"/api/v2/execute/log/{log_id.group(1)}/")).json()
    assert logged["status"] == "success" and logged["ai_action_id"] == ident


async def test_a_choose_from_list_and_an_unknown_choice(console: httpx.AsyncClient, api: httpx.AsyncClient) -> None:
    token = csrf_of((await console.get("/console/ai-actions/new/?app=TestAPI&action=echo")).text)
    base = {"csrf_token": token, "app": "TestAPI", "action": "echo", "intent": "save"}
    chosen = await console.post(
        "/console/ai-actions/new/", data={**base, "mode__channel": "choose", "choose__channel": ["C001", "C003"]}
    )
    assert chosen.status_code == 303
    ident = chosen.headers["location"].split("/")[3]
    assert (await api.get(f"/api/v2/ai-actions/{ident}/")).json()["params"]["channel"] == ["C001", "C003"]
    empty = await console.post("/console/ai-actions/new/", data={**base, "mode__channel": "choose"})
    assert empty.status_code == 400 and "tick at least one choice" in empty.text
    unknown = await console.post(
        "/console/ai-actions/new/", data={**base, "mode__channel": "fixed", "fixed__channel": "C999"}
    )
    assert unknown.status_code == 400 and "C999" in unknown.text and "not among the choices" in unknown.text


async def test_refreshing_choices_loads_a_dependent_needs_choices(console: httpx.AsyncClient) -> None:
    page = await console.get("/console/ai-actions/new/?app=TestAPI&action=assign")
    assert '<option value="T3">Design (T3)</option>' in page.text  # loaded through every page of the loader
    assert "depend on team" in page.text
    token = csrf_of(page.text)
    refreshed = await console.post(
        "/console/ai-actions/new/",
        data={
            "csrf_token": token,
            "app": "TestAPI",
            "action": "assign",
            "mode__team": "fixed",
            "pick__team": "T1",
            "intent": "refresh",
        },
    )
    assert refreshed.status_code == 200
    assert '<option value="T1-ada">Ada (T1-ada)</option>' in refreshed.text
    assert '<option value="T1" selected>' in refreshed.text


async def test_output_is_escaped(console: httpx.AsyncClient) -> None:
    ident = await _create_echo(console, description='<script>alert("x")</script>')
    listed = await console.get("/console/ai-actions/")
    assert '<script>alert("x")</script>' not in listed.text
    assert "&lt;script&gt;alert(" in listed.text
    assert ident in listed.text


async def test_runs_filter_paginate_and_rate(console: httpx.AsyncClient, api: httpx.AsyncClient) -> None:
    body = {
        "instructions": "say hi",
        "app": "TestAPI",
        "action": "echo",
        "params": {"channel": {"mode": "locked", "value": "C001"}, "text": {"mode": "locked", "value": "hi"}},
    }
    ids = [(await api.post("/api/v2/execute/", json=body)).json()["execution_log_id"] for _ in range(27)]
    failed = (await api.post("/api/v2/execute/", json={**body, "action": "boom", "params": {}})).json()
    assert failed["status"] == "error"
    first = await console.get("/console/runs/")
    assert first.text.index(failed["execution_log_id"]) < first.text.index(ids[-1])  # newest first
    assert ids[0] not in first.text
    older = re.search(r'href="(/console/runs/\?cursor=[^"]+)" rel="next"', first.text)
    assert older
    second = await console.get(older.group(1).replace("&amp;", "&"))
    assert ids[0] in second.text and "Newest" in second.text
    errors = await console.get("/console/runs/?status=error")
    assert failed["execution_log_id"] in errors.text and ids[-1] not in errors.text
    by_action = await console.get("/console/runs/?app=TestAPI&action=boom")
    assert failed["execution_log_id"] in by_action.text and ids[-1] not in by_action.text
    bad_cursor = await console.get("/console/runs/?cursor=nonsense")
    assert bad_cursor.status_code == 400 and "cursor" in bad_cursor.text

    run = await console.get(f"/console/runs/{ids[-1]}/")
    assert "say hi" in run.text and "Resolving took" in run.text and "locked" in run.text
    token = csrf_of(run.text)
    rated = await console.post(
        f"/console/runs/{ids[-1]}/rate/", data={"csrf_token": token, "rating": "-1", "feedback": "wrong channel"}
    )
    assert rated.status_code == 303
    logged = (await api.get(f"/api/v2/execute/log/{ids[-1]}/")).json()
    assert (logged["rating"], logged["feedback"]) == (-1, "wrong channel")
    refused = await console.post(f"/console/runs/{ids[-1]}/rate/", data={"csrf_token": token, "rating": "5"})
    assert refused.status_code == 400 and "rating" in refused.text
    assert (await console.get("/console/runs/not-a-run/")).status_code == 404


async def test_a_new_key_is_shown_once_works_and_can_be_revoked(console: httpx.AsyncClient, app: FastAPI) -> None:
    await _create_echo(console)
    token = csrf_of((await console.get("/console/keys/")).text)
    made = await console.post("/console/keys/", data={"csrf_token": token, "name": "laptop agent"})
    assert made.status_code == 200
    key = re.search(r'<pre id="new-key-value">(nla_[^<]+)</pre>', made.text)
    assert key
    assert f"x-api-key: {key.group(1)}" in made.text  # the MCP configs are filled in
    assert f"&#34;x-api-key&#34;: &#34;{key.group(1)}&#34;" in made.text
    assert "/mcp/" in made.text and "/mcp/agentic/" in made.text
    again = await console.get("/console/keys/")
    assert key.group(1) not in again.text and "laptop agent" in again.text
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://nlactions.test") as http:
        check = await http.get("/api/v2/auth/check/", headers={"x-api-key": key.group(1)})
        assert check.json()["email"] == "ada@acme.test"
        key_id = re.search(r'action="/console/keys/(\d+)/revoke/"', again.text)
        assert key_id
        # The MCP URL the page shows answers to the new key: the AI action the console made is a tool.
        mcp_path = re.search(r'<code id="mcp-managed">http://nlactions\.test(/[^<]*)</code>', made.text)
        assert mcp_path and mcp_path.group(1) == "/mcp/"
        async with (
            httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), headers={"x-api-key": key.group(1)}) as raw,
            Client(streamable_http_client(f"http://nlactions.test{mcp_path.group(1)}", http_client=raw)) as mcp,
        ):
            tools = (await mcp.list_tools()).tools
        assert len(tools) == 1 and "C002" in (tools[0].description or "")
        revoked = await console.post(f"/console/keys/{key_id.group(1)}/revoke/", data={"csrf_token": token})
        assert revoked.status_code == 303
        assert (await http.get("/api/v2/auth/check/", headers={"x-api-key": key.group(1)})).status_code == 401


async def test_the_account_switcher_scopes_every_page(console: httpx.AsyncClient, runtime: Runtime) -> None:
    await _create_echo(console, description="Acme greeting")
    await make_user(runtime, account="acme-labs", password=None)  # ada joins a second account
    page = await console.get("/console/ai-actions/")
    assert "Acme greeting" in page.text
    switch = re.search(r'<option value="(\d+)">acme-labs</option>', page.text)
    assert switch, "the switcher lists the user's second account"
    moved = await console.post(
        "/signin/account/",
        data={"csrf_token": csrf_of(page.text), "account_id": switch.group(1), "next": "/console/ai-actions/"},
    )
    assert moved.headers["location"] == "/console/ai-actions/"
    labs = await console.get("/console/ai-actions/")
    assert "Acme greeting" not in labs.text and "No AI action yet" in labs.text


async def test_console_errors_are_pages(console: httpx.AsyncClient) -> None:
    missing = await console.get("/console/no-such-page/")
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("text/html")
    assert "Page not found" in missing.text
    too_long = await console.get("/console/runs/?app=" + "x" * 200)
    assert too_long.status_code == 400 and "app (query parameter)" in too_long.text
    assert too_long.headers["content-type"].startswith("text/html")
    api_missing = await console.get("/api/v2/no-such-endpoint/")
    assert api_missing.json()["error"] == "No such endpoint."


ODD_FORMS: list[dict[str, str | list[str]]] = [
    {},
    {"app": "TestAPI", "action": "echo", "mode__channel": "fixed", "fixed__channel": "\x00" * 3, "intent": "save"},
    {"app": "TestAPI", "action": "echo", "mode__count": "fixed", "fixed__count": "many", "intent": "save"},
    {"app": "TestAPI", "action": "echo", "mode__channel": "bogus", "authentication_id": "99999999999999999999"},
    {"app": "KeyedAPI", "title": "x" * 5000, "field__api_key": "é" * 20000},
    {"app": "NoSuchAPI", "action": "nope", "rating": "1.5", "feedback": "x" * 20_000, "instructions": "y" * 30_000},
]


@pytest.mark.parametrize("form", ODD_FORMS)
async def test_odd_forms_never_break_a_page(console: httpx.AsyncClient, form: dict[str, str | list[str]]) -> None:
    ident = await _create_echo(console)
    token = csrf_of((await console.get("/console/keys/")).text)
    run = await console.post(f"/console/ai-actions/{ident}/try/", data={"csrf_token": token, "intent": "preview"})
    log_id = re.search(r'href="/console/runs/([0-9A-Z]{26})/"', run.text)
    assert log_id
    paths = [
        "/console/connections/new/",
        "/console/ai-actions/new/",
        f"/console/ai-actions/{ident}/",
        f"/console/ai-actions/{ident}/try/",
        f"/console/runs/{log_id.group(1)}/rate/",
        "/console/keys/",
        "/console/keys/abc/revoke/",
        "/console/connections/1/rename/",
        "/signin/account/",
    ]
    for path in paths:
        answer = await console.post(path, data={"csrf_token": token, **form})
        assert answer.status_code < 500, (path, answer.status_code, answer.text[:500])
        assert answer.status_code == 303 or answer.headers["content-type"].startswith("text/html"), path
