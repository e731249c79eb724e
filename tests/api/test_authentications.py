"""/api/v2/apps/{app}/auths/: create, list, update, delete; verification against a real loopback server;
secrets kept out of responses, the database column and logs; account isolation; execute's 412 cases."""

from __future__ import annotations

import base64
import datetime as dt
import logging
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from conftest import make_key
from helpers.apps import loopback_app
from helpers.basic_server import BasicServer
from nlactions.accounts.service import CreatedKey
from nlactions.api.runtime import Runtime
from nlactions.db.models import Authentication, ExecutionLog
from nlactions.settings import Settings

PASSWORD = "correct-horse-battery-9431"
AUTHENTICATION_KEYS = {
    "id",
    "account_id",
    "customuser_id",
    "date",
    "lastchanged",
    "title",
    "label",
    "selected_api",
    "url",
    "is_invite_only",
    "is_private",
    "is_stale",
    "is_shared",
    "shared_with_all",
    "members",
    "groups",
    "permissions",
    # health of OAuth tokens (ours, beyond Zapier's AuthenticationT)
    "stale",
    "token_expires_at",
    "last_refreshed_at",
    "last_failure",
}
AUTHS = "/api/v2/apps/LoopbackAPI/auths/"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The shared settings, with outbound HTTP to 127.0.0.1 allowed (the loopback server lives there)."""
    return settings.model_copy(update={"ssrf_allow": ["127.0.0.1:*"]})


@pytest.fixture
def app(app: FastAPI) -> FastAPI:
    """The shared started app with the Basic-auth test app installed too."""
    app.state.runtime.registry.add(loopback_app)
    return app


@pytest.fixture(scope="module")
def server() -> Iterator[BasicServer]:
    """The loopback vendor API, accepting alice / PASSWORD."""
    with BasicServer(password=PASSWORD) as running:
        yield running


@pytest.fixture(autouse=True)
def fresh_password(server: BasicServer) -> None:
    """Undo a rotation a previous test made."""
    server.password = PASSWORD


def creds(server: BasicServer, password: str = PASSWORD, **extra: str) -> dict[str, str]:
    return {"server": server.url, "username": "alice", "password": password, **extra}


async def create(
    client: httpx.AsyncClient, server: BasicServer, title: str = "Alice", **headers: str
) -> dict[str, Any]:
    response = await client.post(AUTHS, json={"title": title, "fields": creds(server)}, headers=headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def run_profile(authentication_id: int | None = None, app: str = "LoopbackAPI") -> dict[str, Any]:
    body: dict[str, Any] = {"instructions": "", "app": app, "action": "profile"}
    if app == "KeyedAPI":
        body["action"] = "whoami"
    if authentication_id is not None:
        body["authentication_id"] = authentication_id
    return body


async def test_create_returns_authentication_verified_by_the_service(
    client: httpx.AsyncClient, server: BasicServer, key: CreatedKey
) -> None:
    created = await create(client, server, title="Alice at the loopback")
    assert set(created) == AUTHENTICATION_KEYS
    assert created["title"] == "Alice at the loopback"
    assert created["label"] == "Alice Example"
    assert created["selected_api"] == "LoopbackAPI"
    assert created["account_id"] == key.account_id
    assert isinstance(created["customuser_id"], int)
    assert created["url"] is None
    assert created["is_stale"] is False
    assert created["is_shared"] is False and created["shared_with_all"] is False
    assert created["members"] == [] and created["groups"] == []
    assert created["permissions"]["use"] is True and created["permissions"]["share"] is False
    date = dt.datetime.fromisoformat(created["date"])
    assert date.tzinfo is not None
    assert abs(dt.datetime.now(dt.UTC) - date) < dt.timedelta(minutes=5)
    expected = "Basic " + base64.b64encode(f"alice:{PASSWORD}".encode()).decode()
    assert server.seen_authorization[-1] == expected


async def test_list_update_delete_round_trip(client: httpx.AsyncClient, server: BasicServer) -> None:
    first = await create(client, server, title="first")
    second = await create(client, server, title="second")
    listed = (await client.get(AUTHS)).json()
    assert listed["last_refresh_seconds_ago"] is None and listed["message"] is None
    assert [a["id"] for a in listed["results"]] == [first["id"], second["id"]]

    renamed = await client.put(f"{AUTHS}{first['id']}/", json={"title": "  renamed  "})
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["title"] == "renamed"
    assert renamed.json()["label"] == "Alice Example"
    assert renamed.json()["lastchanged"] >= first["lastchanged"]

    deleted = await client.delete(f"{AUTHS}{first['id']}/")
    assert deleted.status_code == 200 and deleted.json() is True
    assert [a["id"] for a in (await client.get(AUTHS)).json()["results"]] == [second["id"]]
    again = await client.delete(f"{AUTHS}{first['id']}/")
    assert again.status_code == 404
    assert str(first["id"]) in again.json()["error"]


async def test_paths_without_trailing_slash_work(client: httpx.AsyncClient, server: BasicServer) -> None:
    created = (await client.post(AUTHS.rstrip("/"), json={"title": "t", "fields": creds(server)})).json()
    assert (await client.get(AUTHS.rstrip("/"))).json()["results"][0]["id"] == created["id"]
    assert (await client.delete(f"{AUTHS}{created['id']}")).json() is True


async def test_refused_credentials_are_400_with_the_service_answer_and_not_stored(
    client: httpx.AsyncClient, server: BasicServer, runtime: Runtime
) -> None:
    response = await client.post(AUTHS, json={"title": "bad", "fields": creds(server, "wrong-password")})
    assert response.status_code == 400
    error = response.json()
    assert error["code"] == "authentication_test_failed"
    assert "Loopback did not accept these credentials" in error["error"]
    assert "401 Unauthorized: Invalid username or password" in error["error"]
    assert "wrong-password" not in response.text
    assert (await client.get(AUTHS)).json()["results"] == []
    async with runtime.sessions() as session:
        assert list(await session.scalars(select(Authentication))) == []


async def test_unreachable_service_is_400(client: httpx.AsyncClient) -> None:
    with BasicServer() as gone:
        url = gone.url
    response = await client.post(
        AUTHS, json={"title": "t", "fields": {"server": url, "username": "a", "password": "b"}}
    )
    assert response.status_code == 400
    assert "could not reach 127.0.0.1 (ConnectError)" in response.json()["error"]


async def test_verification_goes_through_the_ssrf_guard(client: httpx.AsyncClient) -> None:
    fields = {"server": "http://10.0.0.1:9", "username": "a", "password": "b"}
    response = await client.post(AUTHS, json={"title": "t", "fields": fields})
    assert response.status_code == 400
    assert "Refused to connect to 10.0.0.1" in response.json()["error"]
    assert "to allow it" in response.json()["error"]


async def test_authentication_of_an_uninstalled_app_can_still_be_deleted(
    client: httpx.AsyncClient, server: BasicServer, runtime: Runtime
) -> None:
    auth_id = (await create(client, server))["id"]
    async with runtime.sessions() as session, session.begin():
        row = await session.get(Authentication, auth_id)
        assert row is not None
        row.app = "RetiredAPI"
    listed = await client.get("/api/v2/apps/RetiredAPI/auths/")
    assert listed.status_code == 400 and "Valid apps:" in listed.json()["hint"]
    assert (await client.delete(f"{AUTHS}{auth_id}/")).status_code == 404
    deleted = await client.delete(f"/api/v2/apps/RetiredAPI/auths/{auth_id}/")
    assert deleted.status_code == 200 and deleted.json() is True


@pytest.mark.parametrize(
    ("path", "fields", "fragments"),
    [
        (AUTHS, {"token": "x"}, ["'token' is not a field", "Valid fields: server", "username", "password"]),
        (AUTHS, {"server": "http://127.0.0.1:1", "username": "alice"}, ["'password' (Password)", "required"]),
        (AUTHS, {"server": "http://127.0.0.1:1", "username": "alice", "password": ""}, ["'password'"]),
        ("/api/v2/apps/FormatterAPI/auths/", {"api_key": "x"}, ["needs no authentication"]),
        (
            "/api/v2/apps/NoSuchAPI/auths/",
            {"api_key": "x"},
            ["'NoSuchAPI' is not an installed app", "Valid apps:"],
        ),
    ],
    ids=["unknown-field", "missing-field", "empty-field", "no-auth-app", "unknown-app"],
)
async def test_bad_fields_are_400_naming_them(
    client: httpx.AsyncClient, path: str, fields: dict[str, str], fragments: list[str]
) -> None:
    response = await client.post(path, json={"title": "t", "fields": fields})
    assert response.status_code == 400, response.text
    error = response.json()
    text = error["error"] + " " + error.get("hint", "")
    for fragment in fragments:
        assert fragment in text


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        ({"fields": {}}, "title: it is required"),
        ({"title": "   ", "fields": {}}, "title"),
        ({"title": "t", "fields": {"password": 5}}, "fields.password"),
        ({"title": "t", "fields": {}, "extra": 1}, "extra: it is not an accepted field"),
    ],
)
async def test_malformed_bodies_are_422(client: httpx.AsyncClient, payload: dict[str, Any], fragment: str) -> None:
    response = await client.post(AUTHS, json=payload)
    assert response.status_code == 422
    assert fragment in response.json()["error"]


async def test_no_auth_app_lists_nothing_with_a_message(client: httpx.AsyncClient) -> None:
    data = (await client.get("/api/v2/apps/FormatterAPI/auths/")).json()
    assert data["results"] == []
    assert "needs no authentication" in data["message"]
    unknown = await client.get("/api/v2/apps/NoSuchAPI/auths/")
    assert unknown.status_code == 400 and "Valid apps:" in unknown.json()["hint"]


async def test_secret_never_in_responses_db_or_logs(
    client: httpx.AsyncClient, server: BasicServer, runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    basic = base64.b64encode(f"alice:{PASSWORD}".encode()).decode()
    bodies = []
    created = await client.post(AUTHS, json={"title": "t", "fields": creds(server)})
    bodies.append(created.text)
    auth_id = created.json()["id"]
    bodies.append((await client.get(AUTHS)).text)
    bodies.append((await client.put(f"{AUTHS}{auth_id}/", json={"fields": creds(server)})).text)
    bodies.append((await client.put(f"{AUTHS}{auth_id}/", json={"fields": creds(server, "nope-9431")})).text)
    bodies.append((await client.post("/api/v2/execute/", json=run_profile(auth_id))).text)
    for text in bodies:
        assert PASSWORD not in text and basic not in text and "nope-9431" not in text
    async with runtime.sessions() as session:
        row = await session.get(Authentication, auth_id)
    assert row is not None
    assert PASSWORD not in row.secret and "alice" not in row.secret
    assert runtime.box.open(row.secret) == creds(server)
    async with runtime.sessions() as session:
        logs = list(await session.scalars(select(ExecutionLog)))
    assert logs and all(PASSWORD not in str(log.input_params) + str(log.response) for log in logs)
    assert caplog.records, "the test should capture the server's logs"
    logged = caplog.text + " ".join(str(r.args) for r in caplog.records)
    assert PASSWORD not in logged and basic not in logged and "nope-9431" not in logged


async def test_update_replaces_fields_whole_and_reverifies(
    client: httpx.AsyncClient, server: BasicServer, runtime: Runtime
) -> None:
    auth_id = (await create(client, server))["id"]
    partial = await client.put(f"{AUTHS}{auth_id}/", json={"fields": {"password": PASSWORD}})
    assert partial.status_code == 400
    assert "'server'" in partial.json()["error"] and "'username'" in partial.json()["error"]
    refused = await client.put(f"{AUTHS}{auth_id}/", json={"title": "x", "fields": creds(server, "bad")})
    assert refused.status_code == 400 and "did not accept" in refused.json()["error"]
    async with runtime.sessions() as session:
        row = await session.get(Authentication, auth_id)
    assert row is not None and row.title == "Alice"
    assert runtime.box.open(row.secret)["password"] == PASSWORD
    empty = await client.put(f"{AUTHS}{auth_id}/", json={})
    assert empty.status_code == 400 and "title, fields or both" in empty.json()["error"]


async def test_refused_use_marks_stale_and_new_fields_clear_it(client: httpx.AsyncClient, server: BasicServer) -> None:
    auth_id = (await create(client, server))["id"]
    ok = (await client.post("/api/v2/execute/", json=run_profile())).json()
    assert ok["status"] == "success" and ok["results"] == [{"name": "Alice Example", "username": "alice"}]

    server.password = "rotated-at-the-service"
    failed = (await client.post("/api/v2/execute/", json=run_profile())).json()
    assert failed["status"] == "error"
    assert "refused the stored authentication" in failed["error"]
    [listed] = (await client.get(AUTHS)).json()["results"]
    assert listed["is_stale"] is True

    renamed = (await client.put(f"{AUTHS}{auth_id}/", json={"title": "still stale"})).json()
    assert renamed["is_stale"] is True
    fixed = await client.put(f"{AUTHS}{auth_id}/", json={"fields": creds(server, "rotated-at-the-service")})
    assert fixed.status_code == 200 and fixed.json()["is_stale"] is False
    again = (await client.post("/api/v2/execute/", json=run_profile())).json()
    assert again["status"] == "success"


async def test_other_account_cannot_see_change_or_use_it(
    client: httpx.AsyncClient, server: BasicServer, runtime: Runtime
) -> None:
    auth_id = (await create(client, server))["id"]
    other = {"x-api-key": (await make_key(runtime, account="other", user="eve@other.test")).key}
    assert (await client.get(AUTHS, headers=other)).json()["results"] == []
    missing_id = auth_id + 1000
    for method, suffix, payload in (
        ("PUT", "/", {"title": "mine now"}),
        ("PUT", "/", {"fields": creds(server)}),
        ("DELETE", "/", None),
    ):
        theirs = await client.request(method, f"{AUTHS}{auth_id}{suffix}", json=payload, headers=other)
        nobody = await client.request(method, f"{AUTHS}{missing_id}{suffix}", json=payload, headers=other)
        assert theirs.status_code == nobody.status_code == 404
        assert theirs.json()["error"].replace(str(auth_id), "N") == nobody.json()["error"].replace(str(missing_id), "N")
    used = await client.post("/api/v2/execute/", json=run_profile(auth_id), headers=other)
    assert used.status_code == 412
    [still] = (await client.get(AUTHS)).json()["results"]
    assert still["title"] == "Alice"


async def test_wrong_app_in_the_path_is_404(client: httpx.AsyncClient, server: BasicServer) -> None:
    auth_id = (await create(client, server))["id"]
    response = await client.delete(f"/api/v2/apps/KeyedAPI/auths/{auth_id}/")
    assert response.status_code == 404
    assert len((await client.get(AUTHS)).json()["results"]) == 1


async def test_only_owned_lists_the_callers_own(
    client: httpx.AsyncClient, server: BasicServer, runtime: Runtime, key: CreatedKey
) -> None:
    colleague = await make_key(runtime, account="acme", user="colleague@acme.test")
    assert colleague.account_id == key.account_id
    mine = (await create(client, server, title="mine"))["id"]
    theirs = (await create(client, server, title="theirs", **{"x-api-key": colleague.key}))["id"]

    def ids(response: httpx.Response) -> list[int]:
        return [a["id"] for a in response.json()["results"]]

    assert ids(await client.get(AUTHS)) == [mine, theirs]
    assert ids(await client.get(AUTHS, params={"only_owned": "false"})) == [mine, theirs]
    assert ids(await client.get(AUTHS, params={"only_owned": "true"})) == [mine]
    assert ids(await client.get(AUTHS, params={"only_owned": "true"}, headers={"x-api-key": colleague.key})) == [theirs]


async def test_account_id_selects_the_account_and_refuses_others(
    client: httpx.AsyncClient, server: BasicServer, runtime: Runtime, key: CreatedKey
) -> None:
    await create(client, server)
    mine = await client.get(AUTHS, params={"account_id": key.account_id})
    assert len(mine.json()["results"]) == 1
    other = await make_key(runtime, account="other", user="eve@other.test")
    refused = await client.get(AUTHS, params={"account_id": other.account_id})
    assert refused.status_code == 403
    posted = await client.post(
        AUTHS, params={"account_id": other.account_id}, json={"title": "t", "fields": creds(server)}
    )
    assert posted.status_code == 403


async def test_execute_without_an_authentication_is_412_saying_how_to_add_one(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/api/v2/execute/", json=run_profile())
    assert response.status_code == 412
    error = response.json()
    assert "LoopbackAPI" in error["error"] and "none exists" in error["error"]
    assert "POST /api/v2/apps/LoopbackAPI/auths/" in error["hint"]
    assert "nlactions auths add LoopbackAPI" in error["hint"]


async def test_execute_with_several_authentications_needs_an_id(client: httpx.AsyncClient, server: BasicServer) -> None:
    first = (await create(client, server, title="one"))["id"]
    second = (await create(client, server, title="two"))["id"]
    response = await client.post("/api/v2/execute/", json=run_profile())
    assert response.status_code == 412
    assert f"({first}, {second})" in response.json()["error"]
    assert "authentication_id" in response.json()["error"]
    chosen = (await client.post("/api/v2/execute/", json=run_profile(second))).json()
    assert chosen["status"] == "success"


async def test_execute_with_an_id_of_another_app_or_unknown_is_412(
    client: httpx.AsyncClient, server: BasicServer
) -> None:
    loopback_id = (await create(client, server))["id"]
    keyed = await client.post(
        "/api/v2/apps/KeyedAPI/auths/", json={"title": "key", "fields": {"api_key": "sk-test-5678"}}
    )
    assert keyed.status_code == 201 and keyed.json()["label"] is None
    wrong_app = await client.post("/api/v2/execute/", json=run_profile(loopback_id, app="KeyedAPI"))
    assert wrong_app.status_code == 412
    assert f"authentication_id {loopback_id} is not an authentication for KeyedAPI" in wrong_app.json()["error"]
    unknown = await client.post("/api/v2/execute/", json=run_profile(loopback_id + 1000))
    assert unknown.status_code == 412, unknown.text
    out_of_range = await client.post("/api/v2/execute/", json=run_profile(2**70))
    assert out_of_range.status_code == 422
    assert "authentication_id" in out_of_range.json()["error"]
    ran = (await client.post("/api/v2/execute/", json=run_profile(app="KeyedAPI"))).json()
    assert ran["results"] == [{"key_seen": "5678"}]


async def test_openapi_documents_the_endpoints(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    item = spec["paths"]["/api/v2/apps/{app}/auths/"]
    one = spec["paths"]["/api/v2/apps/{app}/auths/{auth_id}/"]
    operations = [item["get"], item["post"], one["put"], one["delete"]]
    assert [op["summary"] for op in operations] == [
        "List Authentications For App",
        "Create Authentication",
        "Update Authentication",
        "Delete Authentication",
    ]
    for op in operations:
        assert {"400", "401", "404" if op in (one["put"], one["delete"]) else "403"} <= set(op["responses"])
    assert "201" in item["post"]["responses"]
    for op in (item["post"], one["put"]):
        ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
        assert spec["components"]["schemas"][ref]["examples"]
