"""The ``nlactions`` command against a temporary SQLite database configured through the environment."""

from __future__ import annotations

import asyncio
import json
import os
import re
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner, Result

from nlactions.api.app import create_app
from nlactions.cli import cli
from nlactions.settings import Settings

KEY_LINE = re.compile(r"^nla_[A-Za-z0-9_-]{20,}$")
ULID = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")
runner = CliRunner()


@pytest.fixture(autouse=True)
def environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Settings come from NLACTIONS_* only: a fresh data dir and SQLite file; returns the DB path."""
    for name in ("NLACTIONS_SECRET_KEY", "NLACTIONS_HOST", "NLACTIONS_PORT", "NLACTIONS_LLM_MODEL"):
        monkeypatch.delenv(name, raising=False)
    database = tmp_path / "cli.db"
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setenv("NLACTIONS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("NLACTIONS_DATABASE_URL", f"sqlite:///{database}")
    monkeypatch.setenv("NLACTIONS_API_KEY_CACHE_SECONDS", "0")
    monkeypatch.setenv("COLUMNS", "200")
    return database


def invoke(*args: str) -> Result:
    """Run ``nlactions ARGS`` in-process; stdout and stderr separately."""
    return runner.invoke(cli, list(args))


def create_key(account: str = "acme") -> str:
    """``keys create``; the key is the last stdout line."""
    result = invoke("keys", "create", "--account", account)
    assert result.exit_code == 0, result.output
    return result.stdout.strip().splitlines()[-1]


def test_migrate_creates_the_schema_and_is_idempotent(environment: Path) -> None:
    first = invoke("migrate")
    assert first.exit_code == 0, first.output
    assert "up to date" in first.stdout
    with sqlite3.connect(environment) as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"accounts", "api_keys", "execution_logs", "alembic_version"} <= tables
    again = invoke("migrate")
    assert again.exit_code == 0, again.output


def test_keys_create_prints_the_key_alone_on_the_last_line() -> None:
    result = invoke("keys", "create", "--account", "X", "--user", "x@example.test", "--name", "ci")
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert KEY_LINE.match(lines[-1]), lines
    assert "account 'X'" in result.stdout
    assert lines[-1] not in result.stderr


def test_keys_list_shows_prefixes_never_whole_keys() -> None:
    keys = [create_key("acme"), create_key("other")]
    listed = invoke("keys", "list")
    assert listed.exit_code == 0, listed.output
    for key in keys:
        assert key[:10] in listed.stdout
        assert key not in listed.stdout
        assert key[:12] not in listed.stdout, "more of the key than its prefix is shown"
    only = invoke("keys", "list", "--account", "other")
    assert keys[1][:10] in only.stdout
    assert keys[0][:10] not in only.stdout


def test_keys_list_of_an_unknown_account_is_a_readable_error() -> None:
    result = invoke("keys", "list", "--account", "nobody")
    assert result.exit_code == 1
    assert "no account named 'nobody'" in result.stderr
    assert "Traceback" not in result.output


async def status_with(key: str) -> int:
    """The status a started app on the same database answers to an authenticated call."""
    app = create_app(Settings())
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://cli.test") as http:
            response = await http.get("/api/v2/auth/check/", headers={"x-api-key": key})
    return response.status_code


async def test_revoked_key_gets_401_from_the_server() -> None:
    key, kept = await asyncio.to_thread(create_key), await asyncio.to_thread(create_key)
    assert await status_with(key) == 200
    revoked = await asyncio.to_thread(invoke, "keys", "revoke", key[:10])
    assert revoked.exit_code == 0, revoked.output
    assert "Revoked key" in revoked.stdout
    assert await status_with(key) == 401
    assert await status_with(kept) == 200
    listed = await asyncio.to_thread(invoke, "keys", "list")
    rows = {k: next(line for line in listed.stdout.splitlines() if k[:10] in line) for k in (key, kept)}
    stamp = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d")
    assert len(stamp.findall(rows[key])) == 2, "created and revoked"
    assert len(stamp.findall(rows[kept])) == 1, "created only"


def test_revoking_an_unknown_key_is_a_readable_error() -> None:
    result = invoke("keys", "revoke", "nla_nothing")
    assert result.exit_code == 1
    assert "no API key 'nla_nothing'" in result.stderr
    assert "Traceback" not in result.output


def test_apps_lists_the_built_in_apps_and_actions() -> None:
    result = invoke("apps")
    assert result.exit_code == 0, result.output
    actions: dict[str, set[str]] = {}
    app = ""
    for line in result.stdout.splitlines():
        cells = [cell.strip() for cell in line.split("│")]  # '', app, name, auth, action, type, description, ''
        if len(cells) == 8:
            app = cells[1] or app
            if cells[4]:
                actions.setdefault(app, set()).add(cells[4])
    assert {"text", "number", "date"} <= actions.get("FormatterAPI", set()), result.stdout
    assert {"get", "post", "put"} <= actions.get("WebhookAPI", set()), result.stdout


def run_json(*args: str) -> dict[str, Any]:
    """``nlactions run ARGS`` parsed as the JSON it prints."""
    result = invoke("run", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_run_executes_an_action_and_prints_json() -> None:
    create_key("default")
    data = run_json("FormatterAPI", "text", "--lock", "transform=uppercase", "--lock", "input=abc")
    assert data["status"] == "success"
    assert data["results"][0]["output"] == "ABC"
    assert ULID.match(data["execution_log_id"])
    assert data["error"] is None


def test_run_guesses_from_hints_and_previews() -> None:
    create_key("default")
    data = run_json("FormatterAPI", "text", "--guess", "transform=upper case", "--lock", "input=abc", "--preview")
    assert data["status"] == "preview"
    assert data["resolved_params"]["transform"] == "uppercase"
    assert data["results"] == []


def test_run_with_an_unknown_app_is_a_readable_error() -> None:
    create_key("default")
    result = invoke("run", "NoSuchAPI", "text", "--lock", "input=abc")
    assert result.exit_code == 1
    assert "'NoSuchAPI' is not an installed app" in result.stderr
    assert "FormatterAPI" in result.stderr, "the error lists the valid apps"
    assert "Traceback" not in result.output


async def status_of(key: str, path: str) -> int:
    """The status a started app on the same database answers to ``GET path`` with ``key``."""
    app = create_app(Settings())
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://cli.test") as http:
            response = await http.get(path, headers={"x-api-key": key})
    return response.status_code


def listed_row(key: str) -> list[str]:
    """The cells of ``keys list``'s row for ``key``."""
    listed = invoke("keys", "list")
    assert listed.exit_code == 0, listed.output
    line = next(line for line in listed.stdout.splitlines() if key[:10] in line)
    return [cell.strip() for cell in line.split("│")[1:-1]]


async def test_a_key_created_for_an_account_reaches_that_account_only() -> None:
    await asyncio.to_thread(create_key, "default")
    made = await asyncio.to_thread(invoke, "keys", "create", "--account", "beta")
    assert made.exit_code == 0, made.output
    assert re.search(r"^Created key \d+ for account 'beta' only \(id 2\)\.$", made.stdout, re.M), made.stdout
    beta = made.stdout.strip().splitlines()[-1]
    assert "this account" in await asyncio.to_thread(listed_row, beta)
    # admin@localhost is a member of 'default' (id 1) too, but this key was made for 'beta'.
    assert await status_of(beta, "/api/v2/ai-actions/?account_id=2") == 200
    assert await status_of(beta, "/api/v2/ai-actions/?account_id=1") == 403
    assert await status_of(beta, "/api/v2/apps/WebhookAPI/auths/?account_id=1") == 403


async def test_keys_create_all_accounts_says_so_and_reaches_every_account_of_the_user() -> None:
    await asyncio.to_thread(create_key, "default")
    made = await asyncio.to_thread(invoke, "keys", "create", "--account", "beta", "--all-accounts")
    assert made.exit_code == 0, made.output
    assert "reaching all accounts of admin@localhost" in made.stdout
    wide = made.stdout.strip().splitlines()[-1]
    assert KEY_LINE.match(wide)
    assert "all accounts" in await asyncio.to_thread(listed_row, wide)
    assert await status_of(wide, "/api/v2/ai-actions/?account_id=1") == 200
    assert await status_of(wide, "/api/v2/ai-actions/?account_id=2") == 200


def test_run_on_a_fresh_data_dir_creates_the_default_account_without_printing_a_key() -> None:
    result = invoke("run", "FormatterAPI", "text", "--lock", "transform=uppercase", "--lock", "input=abc")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["results"][0]["output"] == "ABC", "stdout is the JSON alone"
    assert "Created account 'default' for admin@localhost" in result.stderr
    assert "nlactions keys create" in result.stderr
    assert "nla_" not in result.output, "run never shows a key"
    listed = invoke("keys", "list", "--account", "default")
    assert "first key" in listed.stdout
    again = invoke("run", "FormatterAPI", "text", "--lock", "transform=lowercase", "--lock", "input=ABC")
    assert again.exit_code == 0, again.output
    assert "Created account" not in again.stderr


def test_run_as_a_user_outside_the_account_is_a_readable_error() -> None:
    create_key("default")
    invoke("keys", "create", "--account", "other", "--user", "bob@other.test")
    result = invoke("run", "FormatterAPI", "text", "--lock", "input=abc", "--user", "bob@other.test")
    assert result.exit_code == 1
    assert "no user 'bob@other.test' in account 'default'" in result.stderr
    assert "Traceback" not in result.output


def mode(path: Path) -> int:
    """The permission bits of ``path``."""
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def usual_umask() -> Iterator[None]:
    """Run with the common umask 022, under which files would otherwise be world-readable."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


@pytest.mark.usefixtures("usual_umask")
def test_migrate_on_a_fresh_data_dir_makes_it_and_the_database_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NLACTIONS_DATABASE_URL")
    data = tmp_path / "data"
    result = invoke("migrate")
    assert result.exit_code == 0, result.output
    database = data / "nlactions.db"
    assert (mode(data), mode(database), mode(data / "secret.key")) == (0o700, 0o600, 0o600)
    with sqlite3.connect(database) as db:  # WAL: a writer creates -wal and -shm
        db.execute("INSERT INTO users (email, name, is_staff, created_at) VALUES ('x@y.test', 'x', 0, '2026-01-01')")
        assert (mode(data / "nlactions.db-wal"), mode(data / "nlactions.db-shm")) == (0o600, 0o600)
    db.close()


@pytest.mark.usefixtures("usual_umask")
def test_a_database_outside_the_data_dir_is_private_too(environment: Path, tmp_path: Path) -> None:
    result = invoke("migrate")
    assert result.exit_code == 0, result.output
    assert (mode(tmp_path / "data"), mode(environment)) == (0o700, 0o600)
