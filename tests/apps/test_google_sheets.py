"""The Google Sheets app against a local Sheets v4 / Drive v3 / token-endpoint peer on 127.0.0.1."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from helpers.apps import loader_of
from helpers.google_server import GoogleServer, Spreadsheet
from nlactions.apps.google_sheets import app
from nlactions.apps.google_sheets import tokens as token_cache
from nlactions.catalog import (
    Action,
    ActionContext,
    AppError,
    AuthExpired,
    AuthTestFailed,
    ChoiceContext,
    InvalidInput,
    UpstreamError,
    load_registry,
)
from nlactions.catalog.testing import conformance_suite, load_all_choices
from nlactions.kit.http import make_client
from nlactions.kit.ssrf import SSRFGuard
from nlactions.settings import Settings

ROBOT = "sheets-bot@nlactions-test.iam.gserviceaccount.com"
ANA = "ana@acme.test"
OAUTH = "ya29.TESToauthTokenForAna-123456"
AUTHS = "/api/v2/apps/GoogleSheetsV2API/auths/"
EXECUTE = "/api/v2/execute/"
DETAILS = "/api/v2/apps/GoogleSheetsV2API/actions/add_row/"

test_conformance = conformance_suite(app)


@pytest.fixture(scope="module")
def key_pems() -> tuple[str, str]:
    """A fresh RSA key pair for the service account: (private PKCS#8 PEM, public PEM)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


@pytest.fixture(scope="module")
def google() -> Iterator[GoogleServer]:
    """One Google peer for the module; ``store`` refills it before each test."""
    with GoogleServer() as server:
        yield server


@pytest.fixture(autouse=True)
def store(google: GoogleServer, key_pems: tuple[str, str]) -> GoogleServer:
    """The robot service account, ana's OAuth token, a Budget spreadsheet shared with the robot, a private one."""
    google.reset()
    token_cache._cache.clear()
    google.add_account(ROBOT, key_pems[1])
    google.add_token(OAUTH, ANA)
    google.add_spreadsheet(
        "Budget",
        {
            "Expenses": [["name", "amount", "note"], ["Bob", "10", "taxi"], ["Cy", "7"]],
            "Summary": [["total"]],
        },
    )
    google.add_spreadsheet("HR private", {"People": [["name"]]}, shared={ANA})
    return google


def book(google: GoogleServer, title: str) -> Spreadsheet:
    return next(b for b in google.spreadsheets.values() if b.title == title)


def key_json(google: GoogleServer, private: str) -> str:
    """The service account's JSON key file, its token_uri at the peer."""
    return json.dumps(
        {
            "type": "service_account",
            "project_id": "nlactions-test",
            "private_key_id": "k1",
            "private_key": private,
            "client_email": ROBOT,
            "client_id": "1234567890",
            "token_uri": google.token_url,
        }
    )


def creds(google: GoogleServer, key_pems: tuple[str, str], **extra: str) -> dict[str, str]:
    fields = {
        "service_account_json": key_json(google, key_pems[0]),
        "api_base_url": google.base_url,
        "drive_base_url": google.base_url,
    }
    fields.update(extra)
    return {k: v for k, v in fields.items() if v}


async def context(google: GoogleServer, fields: dict[str, str]) -> tuple[httpx.AsyncClient, ActionContext]:
    http = make_client(guard=SSRFGuard([f"127.0.0.1:{google.port}"]), auth=app.auth.httpx_auth(fields), timeout=5)
    return http, ActionContext(http=http, credentials=fields)


@pytest.fixture
async def ctx(google: GoogleServer, key_pems: tuple[str, str]) -> AsyncIterator[ActionContext]:
    """A service-account context whose client may reach the peer's port only."""
    http, context_ = await context(google, creds(google, key_pems))
    async with http:
        yield context_


async def run(ctx: ActionContext, key: str, custom: dict[str, Any] | None = None, **params: Any) -> Any:
    action: Action | None = app.action(key)
    assert action is not None
    return await action.perform(ctx, action.input.model_validate(params).with_custom(custom or {}))


# --- shape and auth ---------------------------------------------------------------------------------


def test_registered_with_oauth2_google_scopes_and_fields() -> None:
    assert load_registry(include_entry_points=False).get("GoogleSheetsV2API") is app
    auth = app.auth
    assert auth.kind == "oauth2"
    assert auth.authorize_url == "https://accounts.google.com/o/oauth2/v2/auth"
    assert auth.token_url == "https://oauth2.googleapis.com/token"
    assert set(auth.scopes) == {
        "https://www.googleapis.com/auth/spreadsheets",
        "https://www.googleapis.com/auth/drive.readonly",
    }
    fields = {f.key: f for f in auth.fields}
    for key in ("access_token", "refresh_token", "service_account_json"):
        assert fields[key].secret and not fields[key].required
    for key in ("api_base_url", "drive_base_url"):
        assert not fields[key].secret and not fields[key].required
    assert sorted(a.key for a in app.actions) == [
        "add_row",
        "create_spreadsheet",
        "create_worksheet",
        "lookup_row",
        "update_row",
    ]


async def test_a_service_account_signs_a_jwt_and_the_token_is_cached(ctx: ActionContext, google: GoogleServer) -> None:
    assert app.auth.test is not None
    assert await app.auth.test(ctx) == ROBOT
    assert await app.auth.test(ctx) == ROBOT
    [claims] = google.token_requests  # verified with the public key; one exchange for two calls
    assert claims["iss"] == ROBOT and claims["aud"] == google.token_url
    assert set(claims["scope"].split()) == set(app.auth.scopes)
    assert [(s.path, s.token.startswith("ya29.peer-1")) for s in google.requests] == [("/drive/v3/about", True)] * 2


async def test_a_token_about_to_expire_is_minted_again(ctx: ActionContext, google: GoogleServer) -> None:
    assert app.auth.test is not None
    google.expires_in = 30  # inside the one-minute margin: never reused
    await app.auth.test(ctx)
    await app.auth.test(ctx)
    assert len(google.token_requests) == 2
    assert [s.token for s in google.requests] == ["ya29.peer-1-sheets-bot", "ya29.peer-2-sheets-bot"]


async def test_an_oauth_access_token_is_used_as_given(google: GoogleServer, key_pems: tuple[str, str]) -> None:
    assert app.auth.test is not None
    http, ctx = await context(google, creds(google, key_pems, service_account_json="", access_token=OAUTH))
    async with http:
        assert await app.auth.test(ctx) == ANA
    assert google.token_requests == [] and [s.token for s in google.requests] == [OAUTH]


@pytest.mark.parametrize("given", ["neither", "both"])
async def test_exactly_one_of_token_and_key_is_needed(
    google: GoogleServer, key_pems: tuple[str, str], given: str
) -> None:
    assert app.auth.test is not None
    extra = {"service_account_json": ""} if given == "neither" else {"access_token": OAUTH}
    http, ctx = await context(google, creds(google, key_pems, **extra))
    async with http:
        with pytest.raises(AuthTestFailed) as caught:
            await app.auth.test(ctx)
    assert f"holds {given} of access_token and service_account_json" in caught.value.message
    assert "exactly one" in caught.value.message and "service_account_json" in (caught.value.hint or "")
    assert google.requests == []


async def test_a_key_of_an_unknown_account_is_refused_without_echoing_it(google: GoogleServer) -> None:
    assert app.auth.test is not None
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = other.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    google.add_account(ROBOT, "-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n")
    http, ctx = await context(google, {**creds(google, ("", "")), "service_account_json": key_json(google, pem)})
    async with http:
        with pytest.raises(AuthTestFailed) as caught:
            await app.auth.test(ctx)
    assert "Google refused the service account" in caught.value.message and ROBOT in caught.value.message
    assert "PRIVATE KEY" not in caught.value.message + (caught.value.hint or "")


async def test_a_bad_token_is_auth_expired(google: GoogleServer, key_pems: tuple[str, str]) -> None:
    http, ctx = await context(google, creds(google, key_pems, service_account_json="", access_token="ya29.old"))
    async with http:
        with pytest.raises(AuthExpired) as caught:
            await run(ctx, "lookup_row", spreadsheet="x", worksheet="y", lookup_column="a", lookup_value="b")
    assert "401 UNAUTHENTICATED" in caught.value.message and "Reconnect" in (caught.value.hint or "")


# --- choices and custom needs -----------------------------------------------------------------------


async def test_spreadsheets_page_to_the_end(ctx: ActionContext, google: GoogleServer) -> None:
    for i in range(250):
        google.add_spreadsheet(f"Report {i:03d}")
    google.requests.clear()
    found = await load_all_choices(
        loader_of(app, "add_row", "spreadsheet"), ChoiceContext(http=ctx.http, credentials=ctx.credentials)
    )
    labels = [c.label for c in found]
    assert len(labels) == 251 and "Budget" in labels and "HR private" not in labels  # not shared with the robot
    assert [s.params.get("pageToken") for s in google.requests] == [None, "100", "200"]
    assert all(
        s.params["q"] == "mimeType='application/vnd.google-apps.spreadsheet' and trashed=false" for s in google.requests
    )


async def test_worksheets_and_columns_follow_the_spreadsheet(ctx: ActionContext, google: GoogleServer) -> None:
    sid = book(google, "Budget").id
    page = await loader_of(app, "add_row", "worksheet")(
        ChoiceContext(http=ctx.http, credentials=ctx.credentials, params={"spreadsheet": sid})
    )
    assert [c.key for c in page.choices] == ["Expenses", "Summary"]
    action = app.action("add_row")
    assert action is not None and action.custom_needs is not None
    specs = await action.custom_needs(
        ChoiceContext(http=ctx.http, credentials=ctx.credentials, params={"spreadsheet": sid, "worksheet": "Expenses"})
    )
    assert [(s.key, s.type, s.required) for s in specs] == [
        ("name", "str", False),
        ("amount", "str", False),
        ("note", "str", False),
    ]
    assert google.requests[-1].path == f"/v4/spreadsheets/{sid}/values/'Expenses'!1:1"


# --- actions ----------------------------------------------------------------------------------------


async def test_add_row_appends_in_header_order(ctx: ActionContext, google: GoogleServer) -> None:
    sid = book(google, "Budget").id
    out = await run(ctx, "add_row", {"amount": 42, "name": "Ana"}, spreadsheet=sid, worksheet="Expenses")
    assert out == {
        "spreadsheet_id": sid,
        "worksheet": "Expenses",
        "row": 4,
        "range": "'Expenses'!A4:C4",
        "name": "Ana",
        "amount": "42",
        "note": "",
    }
    assert google.rows(sid, "Expenses")[-1] == ["Ana", "42", ""]
    append = google.requests[-1]
    assert append.path.endswith(":append") and append.params["valueInputOption"] == "USER_ENTERED"


async def test_a_worksheet_title_with_a_quote_and_spaces(ctx: ActionContext, google: GoogleServer) -> None:
    made = await run(ctx, "create_spreadsheet", title="Notes", worksheet="Ana's list", headers=["item"])
    out = await run(ctx, "add_row", {"item": "=1+1"}, spreadsheet=made["id"], worksheet="Ana's list")
    assert out["row"] == 2 and google.rows(made["id"], "Ana's list") == [["item"], ["=1+1"]]
    assert google.requests[-1].path == f"/v4/spreadsheets/{made['id']}/values/'Ana''s list':append"


async def test_a_refused_service_account_token_is_forgotten(ctx: ActionContext, google: GoogleServer) -> None:
    assert app.auth.test is not None
    await app.auth.test(ctx)
    google.tokens.clear()  # Google revoked it before expires_in
    with pytest.raises(AuthTestFailed):
        await app.auth.test(ctx)
    await app.auth.test(ctx)
    assert len(google.token_requests) == 2


async def test_lookup_row_finds_by_column_value(ctx: ActionContext, google: GoogleServer) -> None:
    sid = book(google, "Budget").id
    [row] = await run(ctx, "lookup_row", spreadsheet=sid, worksheet="Expenses", lookup_column="Name", lookup_value="cy")
    assert row["row"] == 3 and row["name"] == "Cy" and row["amount"] == "7" and row["note"] == ""
    assert (
        await run(ctx, "lookup_row", spreadsheet=sid, worksheet="Expenses", lookup_column="name", lookup_value="Zed")
        == []
    )
    with pytest.raises(InvalidInput) as caught:
        await run(ctx, "lookup_row", spreadsheet=sid, worksheet="Expenses", lookup_column="price", lookup_value="1")
    assert caught.value.need == "lookup_column" and "name, amount, note" in (caught.value.hint or "")


async def test_update_row_changes_only_the_given_cells(ctx: ActionContext, google: GoogleServer) -> None:
    sid = book(google, "Budget").id
    out = await run(ctx, "update_row", {"amount": "12"}, spreadsheet=sid, worksheet="Expenses", row=2)
    assert out["row"] == 2 and out["amount"] == "12" and out["note"] == "taxi"
    assert google.rows(sid, "Expenses")[1] == ["Bob", "12", "taxi"]
    with pytest.raises(InvalidInput) as caught:
        await run(ctx, "update_row", {"amount": "1"}, spreadsheet=sid, worksheet="Expenses", row=1)
    assert caught.value.need == "row"


async def test_create_spreadsheet_and_worksheet_with_headers(ctx: ActionContext, google: GoogleServer) -> None:
    made = await run(ctx, "create_spreadsheet", title="Trips", worksheet="2026", headers=["city", "days"])
    assert made["title"] == "Trips" and made["worksheets"] == ["2026"] and made["id"]
    assert google.rows(made["id"], "2026") == [["city", "days"]]
    tab = await run(ctx, "create_worksheet", spreadsheet=made["id"], title="2027", headers=["city"])
    assert tab["title"] == "2027" and tab["index"] == 1 and isinstance(tab["id"], int)
    assert google.rows(made["id"], "2027") == [["city"]]


# --- errors -----------------------------------------------------------------------------------------


async def test_a_spreadsheet_not_shared_says_to_share_it_with_the_service_account(
    ctx: ActionContext, google: GoogleServer
) -> None:
    sid = book(google, "HR private").id
    with pytest.raises(UpstreamError) as caught:
        await run(ctx, "add_row", {"name": "x"}, spreadsheet=sid, worksheet="People")
    assert "403 PERMISSION_DENIED" in caught.value.message
    assert f"Share spreadsheet {sid} with the service account {ROBOT}" in (caught.value.hint or "")
    assert not caught.value.retryable


async def test_an_unknown_spreadsheet_or_worksheet_is_named(ctx: ActionContext, google: GoogleServer) -> None:
    with pytest.raises(UpstreamError) as caught:
        await run(ctx, "add_row", {"name": "x"}, spreadsheet="nope123", worksheet="Sheet1")
    assert "404 NOT_FOUND" in caught.value.message and "'nope123'" in caught.value.message
    with pytest.raises(AppError) as missing:
        await run(ctx, "add_row", {"name": "x"}, spreadsheet=book(google, "Budget").id, worksheet="Nope")
    assert "No worksheet 'Nope'" in missing.value.message


async def test_a_rate_limit_says_when_to_retry(ctx: ActionContext, google: GoogleServer) -> None:
    google.rate_limit(30)
    with pytest.raises(UpstreamError) as caught:
        await run(ctx, "add_row", {"name": "x"}, spreadsheet=book(google, "Budget").id, worksheet="Expenses")
    assert caught.value.retry_after == 30 and caught.value.retryable and "(in 30 s)" in caught.value.message
    assert "RESOURCE_EXHAUSTED" in caught.value.message


# --- through the API --------------------------------------------------------------------------------


@pytest.fixture
def settings(settings: Settings, google: GoogleServer) -> Settings:
    return settings.model_copy(update={"ssrf_allow": [f"127.0.0.1:{google.port}"]})


async def connect(client: httpx.AsyncClient, fields: dict[str, str]) -> httpx.Response:
    return await client.post(AUTHS, json={"title": "Sheets", "fields": fields})


def add_row(instructions: str, **params: Any) -> dict[str, Any]:
    """An execute body for add_row with the spreadsheet and worksheet guessed by name."""
    guessed = {"spreadsheet": {"mode": "guess", "value": "budget"}, "worksheet": {"mode": "guess", "value": "expenses"}}
    return {
        "app": "GoogleSheetsV2API",
        "action": "add_row",
        "instructions": instructions,
        "params": {**guessed, **params},
    }


async def test_add_a_row_from_instructions_through_execute(
    client: httpx.AsyncClient, google: GoogleServer, key_pems: tuple[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    """Spreadsheet and worksheet guessed through their loaders; the columns read from ``name=Ana, amount=42``."""
    caplog.set_level(logging.DEBUG)
    created = await connect(client, creds(google, key_pems))
    assert created.status_code == 201, created.text
    assert created.json()["label"] == ROBOT
    response = await client.post(EXECUTE, json=add_row("add a row with name=Ana, amount=42"))
    data = response.json()
    assert data["status"] == "success", data
    sid = book(google, "Budget").id
    assert data["resolved_params"] == {"spreadsheet": sid, "worksheet": "Expenses", "name": "Ana", "amount": "42"}
    assert google.rows(sid, "Expenses")[-1] == ["Ana", "42", ""]
    text = response.text + created.text + caplog.text
    assert "PRIVATE KEY" not in text and "ya29.peer" not in text and key_pems[0][40:80] not in text


async def test_the_plain_phrase_with_the_columns_locked(
    client: httpx.AsyncClient, google: GoogleServer, key_pems: tuple[str, str]
) -> None:
    """Locked columns are written as given, whatever the instructions say."""
    assert (await connect(client, creds(google, key_pems))).status_code == 201
    locked = {"name": {"mode": "locked", "value": "Ana"}, "amount": {"mode": "locked", "value": "42"}}
    data = (await client.post(EXECUTE, json=add_row("add a row with name Ana and amount 42", **locked))).json()
    assert data["status"] == "success", data
    assert google.rows(book(google, "Budget").id, "Expenses")[-1] == ["Ana", "42", ""]


async def test_the_plain_phrase_fills_the_columns_from_the_instructions(
    client: httpx.AsyncClient, google: GoogleServer, key_pems: tuple[str, str]
) -> None:
    """ "with name Ana and amount 42": each value follows its column's label; the row is written."""
    assert (await connect(client, creds(google, key_pems))).status_code == 201
    data = (await client.post(EXECUTE, json=add_row("add a row with name Ana and amount 42"))).json()
    assert data["status"] == "success", data
    assert data["resolved_params"]["name"] == "Ana" and data["resolved_params"]["amount"] == "42"
    assert "note" not in data["resolved_params"] or not data["resolved_params"]["note"]
    assert google.rows(book(google, "Budget").id, "Expenses")[-1] == ["Ana", "42", ""]


async def test_a_row_with_no_column_values_is_not_added(
    client: httpx.AsyncClient, google: GoogleServer, key_pems: tuple[str, str]
) -> None:
    """Where the resolver abstains on every column, nothing is written: the error names the columns."""
    assert (await connect(client, creds(google, key_pems))).status_code == 201
    before = list(google.rows(book(google, "Budget").id, "Expenses"))
    data = (await client.post(EXECUTE, json=add_row("add a row"))).json()
    assert data["status"] == "error", data
    assert "the columns are: name, amount, note" in data["error"]
    assert google.rows(book(google, "Budget").id, "Expenses") == before


async def test_a_rate_limit_through_execute_says_when(
    client: httpx.AsyncClient, google: GoogleServer, key_pems: tuple[str, str]
) -> None:
    assert (await connect(client, creds(google, key_pems))).status_code == 201
    google.rate_limit(45)
    data = (await client.post(EXECUTE, json=add_row("add a row with name=Ana"))).json()
    assert data["status"] == "error" and "(in 45 s)" in data["error"]


async def test_a_spreadsheet_not_shared_through_execute_names_the_service_account(
    client: httpx.AsyncClient, google: GoogleServer, key_pems: tuple[str, str]
) -> None:
    assert (await connect(client, creds(google, key_pems))).status_code == 201
    sid = book(google, "HR private").id
    body = add_row(
        "add a row with name=Ana",
        spreadsheet={"mode": "locked", "value": sid},
        worksheet={"mode": "locked", "value": "People"},
        name={"mode": "locked", "value": "Ana"},
    )
    response = await client.post(EXECUTE, json=body)
    data = response.json()
    assert response.status_code < 500, response.text
    assert ROBOT in response.text and "PERMISSION_DENIED" in response.text, data


async def test_action_details_list_the_columns_once_spreadsheet_and_worksheet_are_given(
    client: httpx.AsyncClient, google: GoogleServer, key_pems: tuple[str, str]
) -> None:
    assert (await connect(client, creds(google, key_pems))).status_code == 201
    sid = book(google, "Budget").id
    bare = (await client.post(DETAILS, json={"params": {}})).json()["results"][0]
    assert [n["key"] for n in bare["action_needs"]] == ["spreadsheet", "worksheet"]
    given = (await client.post(DETAILS, json={"params": {"spreadsheet": sid, "worksheet": "Expenses"}})).json()
    needs = {n["key"]: n for n in given["results"][0]["action_needs"]}
    assert list(needs) == ["spreadsheet", "worksheet", "name", "amount", "note"]
    assert needs["amount"]["custom_field"] is True


async def test_connecting_with_neither_field_is_a_400_naming_both(
    client: httpx.AsyncClient, google: GoogleServer
) -> None:
    response = await connect(client, {"api_base_url": google.base_url, "drive_base_url": google.base_url})
    assert response.status_code == 400
    body = response.json()
    assert "access_token" in body["error"] and "service_account_json" in body["error"]


async def test_add_row_through_a_stored_action_and_v1(
    client: httpx.AsyncClient, google: GoogleServer, key_pems: tuple[str, str]
) -> None:
    """The stored action keeps the spreadsheet and worksheet hints; each run reads its own columns."""
    assert (await connect(client, creds(google, key_pems))).status_code == 201
    stored = {
        "app": "GoogleSheetsV2API",
        "action": "add_row",
        "params": {"spreadsheet": "budget", "worksheet": "expenses"},
        "meta": {},
    }
    response = await client.post("/api/v2/ai-actions/", json=stored)
    assert response.status_code == 200, response.text
    action_id = response.json()["id"]
    v2 = await client.post(
        f"/api/v2/ai-actions/{action_id}/execute/", json={"instructions": "add a row with name=Ana, amount=42"}
    )
    assert v2.json()["status"] == "success", v2.json()
    v1 = await client.post(
        f"/api/v1/exposed/{action_id}/execute/", json={"instructions": "add a row with name=Bo, amount=7, note=lunch"}
    )
    assert v1.status_code == 200 and v1.json()["status"] == "success", v1.text
    assert google.rows(book(google, "Budget").id, "Expenses")[-2:] == [["Ana", "42", ""], ["Bo", "7", "lunch"]]
