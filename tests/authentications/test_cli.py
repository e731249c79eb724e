"""`nlactions auths …` against a temporary SQLite database, with the test apps installed as a plugin."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from helpers.basic_server import BasicServer
from nlactions.cli import cli

PASSWORD = "cli-secret-passw0rd-77"
runner = CliRunner()


@pytest.fixture(scope="module")
def server() -> Iterator[BasicServer]:
    """The loopback vendor API, accepting alice / PASSWORD."""
    with BasicServer(password=PASSWORD) as running:
        yield running


@pytest.fixture(autouse=True)
def environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings from the environment (a fresh SQLite file) and the test apps installed via entry points."""
    plugin = tmp_path / "plugin"
    dist = plugin / "nlactions_test_apps-0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: nlactions-test-apps\nVersion: 0\n")
    (dist / "entry_points.txt").write_text(
        "[nlactions.apps]\nloopback = helpers.apps:loopback_app\nkeyed = helpers.apps:keyed_app\n"
    )
    monkeypatch.syspath_prepend(str(plugin))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NLACTIONS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("NLACTIONS_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("NLACTIONS_SSRF_ALLOW", '["127.0.0.1:*"]')
    monkeypatch.delenv("NLACTIONS_SECRET_KEY", raising=False)
    monkeypatch.setenv("COLUMNS", "200")
    created = invoke("keys", "create")
    assert created.exit_code == 0, created.output


def invoke(*args: str, input: str | None = None) -> Result:
    return runner.invoke(cli, list(args), input=input)


def add(server: BasicServer, title: str = "work", password: str = PASSWORD, *extra: str) -> Result:
    fields = [
        "--field",
        f"server={server.url}",
        "--field",
        "username=alice",
        "--field",
        f"password={password}",
    ]
    return invoke("auths", "add", "LoopbackAPI", "--title", title, *fields, *extra)


def created_id(result: Result) -> int:
    found = re.search(r"Created authentication (\d+)", result.output)
    assert found, result.output
    return int(found.group(1))


def test_add_prompts_secret_fields_hidden_and_the_action_runs(server: BasicServer) -> None:
    result = invoke(
        "auths",
        "add",
        "LoopbackAPI",
        "--title",
        "work",
        "--field",
        f"server={server.url}",
        input="alice\n" + PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    assert "Username:" in result.output and "Password:" in result.output
    assert PASSWORD not in result.output
    assert "(label: Alice Example)" in result.output
    created_id(result)
    ran = invoke("run", "LoopbackAPI", "profile")
    assert ran.exit_code == 0, ran.output
    assert json.loads(ran.output)["results"] == [{"name": "Alice Example", "username": "alice"}]


def test_list_update_remove(server: BasicServer) -> None:
    first = created_id(add(server, "work"))
    second = created_id(add(server, "home"))
    listed = invoke("auths", "list")
    assert listed.exit_code == 0, listed.output
    assert "LoopbackAPI" in listed.output and "work" in listed.output and "home" in listed.output
    assert "admin@localhost" in listed.output
    assert PASSWORD not in listed.output
    assert "LoopbackAPI" not in invoke("auths", "list", "KeyedAPI").output

    renamed = invoke("auths", "update", str(first), "--title", "office")
    assert renamed.exit_code == 0, renamed.output
    assert "office" in renamed.output
    assert "office" in invoke("auths", "list", "LoopbackAPI").output

    server.password = "rotated-77"
    try:
        reconnected = invoke(
            "auths",
            "update",
            str(first),
            "--reconnect",
            "--field",
            f"server={server.url}",
            input="alice\nrotated-77\n",
        )
        assert reconnected.exit_code == 0, reconnected.output
        assert "rotated-77" not in reconnected.output
        ran = invoke("run", "LoopbackAPI", "profile", "--authentication-id", str(first))
        assert json.loads(ran.output)["status"] == "success"
    finally:
        server.password = PASSWORD

    removed = invoke("auths", "remove", str(second))
    assert removed.exit_code == 0 and f"Removed authentication {second}" in removed.output
    again = invoke("auths", "remove", str(second))
    assert again.exit_code == 1
    assert f"no authentication {second}" in again.output


def test_refused_credentials_are_not_stored(server: BasicServer) -> None:
    result = add(server, "bad", "wrong-password-77")
    assert result.exit_code == 1
    assert "did not accept these credentials" in result.output
    assert "401 Unauthorized" in result.output
    assert "wrong-password-77" not in result.output
    assert "LoopbackAPI" not in invoke("auths", "list").output


@pytest.mark.parametrize(
    ("args", "code", "fragment"),
    [
        (["auths", "add", "FormatterAPI", "--title", "t"], 1, "needs no authentication"),
        (["auths", "add", "NoSuchAPI", "--title", "t"], 1, "Valid apps:"),
        (["auths", "add", "KeyedAPI", "--title", "t", "--field", "nokey"], 2, "KEY=VALUE"),
        (["auths", "add", "KeyedAPI", "--title", "t", "--field", "token=x"], 1, "'token' is not a field"),
        (["auths", "add", "KeyedAPI", "--title", "t", "-f", "api_key=x", "--account", "nope"], 1, "no user"),
        (["auths", "update", "1"], 1, "no authentication 1"),
        (["auths", "list", "--account", "nope"], 1, "no account named 'nope'"),
    ],
)
def test_mistakes_are_explained(args: list[str], code: int, fragment: str) -> None:
    result = invoke(*args)
    assert result.exit_code == code, result.output
    assert fragment in result.output


def test_account_option_scopes_update_and_remove(server: BasicServer) -> None:
    auth_id = created_id(add(server))
    assert invoke("keys", "create", "--account", "other", "--user", "eve@other.test").exit_code == 0
    assert "LoopbackAPI" not in invoke("auths", "list", "--account", "other").output
    elsewhere = invoke("auths", "remove", str(auth_id), "--account", "other")
    assert elsewhere.exit_code == 1 and "in account 'other'" in elsewhere.output
    nothing = invoke("auths", "update", str(auth_id), "--account", "default")
    assert nothing.exit_code == 1 and "title, fields or both" in nothing.output
    assert invoke("auths", "remove", str(auth_id), "--account", "default").exit_code == 0
