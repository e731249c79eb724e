"""Registering clients: the CLI, the account-scoped API (revoking a client ends its tokens), and per-grant limits."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy import update
from typer.testing import CliRunner, Result

from conftest import make_key
from helpers.oauth import EXECUTE_SCOPE, api_client, mint_token
from nlactions.accounts import repository as accounts_repo
from nlactions.api.runtime import Runtime
from nlactions.cli import cli
from nlactions.db.models import OAuthToken

runner = CliRunner()


def invoke(*args: str) -> Result:
    """Run ``nlactions ARGS`` in-process."""
    return runner.invoke(cli, list(args))


@pytest.fixture
def cli_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI's settings from NLACTIONS_* only, on a fresh SQLite file."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NLACTIONS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("NLACTIONS_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("COLUMNS", "250")


def test_the_cli_registers_lists_and_revokes_clients(cli_environment: None) -> None:
    assert invoke("keys", "create", "--account", "acme").exit_code == 0
    made = invoke(
        "oauth",
        "clients",
        "create",
        "--name",
        "Build bot",
        "--account",
        "acme",
        "--redirect-uri",
        "https://bot.example/cb",
        "--redirect-uri",
        "http://127.0.0.1:9000/cb",
    )
    assert made.exit_code == 0, made.output
    assert "confidential" in made.stdout
    secret = made.stdout.strip().splitlines()[-1]
    assert secret.startswith("nlcs_")
    client_id = next(line.split(": ", 1)[1] for line in made.stdout.splitlines() if line.startswith("client_id: "))

    public = invoke(
        "oauth",
        "clients",
        "create",
        "--name",
        "Desktop",
        "--account",
        "acme",
        "--public",
        "--redirect-uri",
        "http://localhost:5555/cb",
        "--scope",
        "openid",
    )
    assert public.exit_code == 0 and "public (PKCE, no secret)" in public.stdout
    assert "nlcs_" not in public.stdout

    listed = invoke("oauth", "clients", "list", "--account", "acme")
    assert client_id in listed.stdout and "Build bot" in listed.stdout and "Desktop" in listed.stdout
    assert secret not in listed.stdout

    assert invoke("oauth", "clients", "revoke", client_id).exit_code == 0
    assert client_id not in invoke("oauth", "clients", "list").stdout
    again = invoke("oauth", "clients", "revoke", client_id)
    assert again.exit_code == 1 and "client_id" in again.stderr

    bad = invoke(
        "oauth", "clients", "create", "--name", "Bad", "--account", "acme", "--redirect-uri", "http://x.example/"
    )
    assert bad.exit_code == 1 and "redirect_uris" in bad.stderr and "https" in bad.stderr
    scope = invoke(
        "oauth",
        "clients",
        "create",
        "--name",
        "S",
        "--account",
        "acme",
        "--redirect-uri",
        "https://s.example/cb",
        "--scope",
        "admin",
    )
    assert scope.exit_code == 1 and "unknown scope admin" in scope.stderr
    nowhere = invoke(
        "oauth", "clients", "create", "--name", "N", "--account", "ghost", "--redirect-uri", "https://s.example/cb"
    )
    assert nowhere.exit_code == 1 and "ghost" in nowhere.stderr


async def test_the_api_registers_clients_in_the_callers_account_and_revoking_ends_their_tokens(
    app: FastAPI, runtime: Runtime
) -> None:
    key = await make_key(runtime)
    async with api_client(app, headers={"x-api-key": key.key}) as api:
        made = await api.post(
            "/api/v2/oauth/clients/", json={"name": "CI", "redirect_uris": ["https://ci.example/cb"], "public": True}
        )
        assert made.status_code == 201, made.text
        client = made.json()
        assert client["client_secret"] is None and client["token_endpoint_auth_method"] == "none"
        assert client["account_id"] == key.account_id
        listed = (await api.get("/api/v2/oauth/clients/")).json()["results"]
        assert [c["client_id"] for c in listed] == [client["client_id"]]
        assert "client_secret" not in listed[0]

        refused = await api.post("/api/v2/oauth/clients/", json={"name": "x", "redirect_uris": ["ftp://x/"]})
        assert refused.status_code == 400 and refused.json()["error"].startswith("redirect_uris:")
        strict = await api.post("/api/v2/oauth/clients/", json={"name": "x", "redirect_uris": "https://x/"})
        assert strict.status_code == 422

        # A token of that client works until the client is revoked.
        async with runtime.sessions() as session:
            user = await accounts_repo.user_by_email(session, "owner@acme.test")
        assert user is not None
        token = await mint_token(runtime, user.id, key.account_id)
        async with runtime.sessions() as session, session.begin():
            await session.execute(update(OAuthToken).values(client_id=client["client_id"]))
        async with api_client(app, headers={"Authorization": f"Bearer {token}"}) as bearer:
            assert (await bearer.get("/api/v2/auth/check/")).status_code == 200
            assert (await api.delete(f"/api/v2/oauth/clients/{client['client_id']}/")).json() is True
            after = await bearer.get("/api/v2/auth/check/")
            assert after.status_code == 401 and "revoked" in after.json()["error"]
        assert (await api.delete(f"/api/v2/oauth/clients/{client['client_id']}/")).status_code == 404


@pytest.mark.parametrize("settings_update", [{"rate_limit_read": "3/minute"}])
async def test_rate_limits_count_each_grant_like_a_key(
    app: FastAPI, runtime: Runtime, settings_update: dict[str, str]
) -> None:
    key = await make_key(runtime)
    async with runtime.sessions() as session:
        user = await accounts_repo.user_by_email(session, "owner@acme.test")
    assert user is not None
    app.state.rate_limits = type(app.state.rate_limits).from_settings(
        runtime.settings.model_copy(update=settings_update)
    )
    first = await mint_token(runtime, user.id, key.account_id, EXECUTE_SCOPE)
    async with api_client(app, headers={"Authorization": f"Bearer {first}"}) as api:
        answers = [await api.get("/api/v2/auth/check/") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[0].headers["ratelimit-limit"] == "3"
    # The per-account budget is shared by the key and every token of the account: it is spent too.
    async with api_client(app, headers={"x-api-key": key.key}) as api:
        assert (await api.get("/api/v2/auth/check/")).status_code == 429


@pytest.mark.parametrize(
    ("uri", "words"),
    [
        ("http://client.example/cb", "must be https"),
        ("https://client.example/cb#x", "fragment"),
        ("https://client.example;script-src:*/cb", "';' or ','"),
        ("https://user:pw@client.example/cb", "user name or password"),
        ("https://client.example/c b", "percent-encode"),
        ("javascript:alert(1)", "must be https"),
    ],
)
async def test_redirect_uris_that_could_mislead_are_refused(
    app: FastAPI, runtime: Runtime, uri: str, words: str
) -> None:
    key = await make_key(runtime)
    async with api_client(app, headers={"x-api-key": key.key}) as api:
        answer = await api.post("/api/v2/oauth/clients/", json={"name": "x", "redirect_uris": [uri]})
        registered = await api.post("/oauth/register/", json={"redirect_uris": [uri]})
    assert answer.status_code == 400 and words in answer.json()["error"], answer.text
    assert registered.status_code == 400, registered.text
    assert registered.json()["error"] in ("invalid_redirect_uri", "invalid_client_metadata")
