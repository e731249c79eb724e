"""The ``nlactions`` command against a temporary SQLite database configured through the environment."""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
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
