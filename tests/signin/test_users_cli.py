"""``nlactions users create / set-password / list`` against a temporary SQLite database."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from nlactions.cli import cli
from nlactions.signin.passwords import verify_password

runner = CliRunner()


@pytest.fixture(autouse=True)
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh data dir and SQLite file, configured through NLACTIONS_*."""
    path = tmp_path / "cli.db"
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NLACTIONS_SECRET_KEY", raising=False)
    monkeypatch.setenv("NLACTIONS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("NLACTIONS_DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.setenv("COLUMNS", "200")
    return path


def invoke(*args: str, stdin: str | None = None) -> Result:
    """Run ``nlactions ARGS`` in-process with ``stdin`` piped."""
    return runner.invoke(cli, list(args), input=stdin)


def stored_hash(database: Path, email: str) -> str | None:
    """The user's ``password_hash`` column."""
    with sqlite3.connect(database) as db:
        row = db.execute("SELECT password_hash FROM users WHERE email = ?", (email,)).fetchone()
    assert row is not None, f"no user {email}"
    return row[0]


def memberships(database: Path, email: str) -> list[str]:
    """Names of the accounts the user belongs to."""
    with sqlite3.connect(database) as db:
        rows = db.execute(
            "SELECT a.name FROM memberships m JOIN users u ON u.id = m.user_id JOIN accounts a ON a.id = m.account_id "
            "WHERE u.email = ? ORDER BY a.id",
            (email,),
        ).fetchall()
    return [name for (name,) in rows]


def test_create_reads_the_password_from_stdin_and_stores_an_argon2_hash(database: Path) -> None:
    result = invoke("users", "create", "ada@acme.test", "--account", "acme", stdin="correct horse battery\n")
    assert result.exit_code == 0, result.output
    assert "ada@acme.test" in result.stdout and "'acme'" in result.stdout
    digest = stored_hash(database, "ada@acme.test")
    assert digest is not None and digest.startswith("$argon2id$")
    assert "correct horse battery" not in result.output
    assert verify_password("correct horse battery", digest)
    assert not verify_password("correct horse battery\n", digest)
    assert memberships(database, "ada@acme.test") == ["acme"]


def test_create_joins_an_existing_account_and_a_second_one(database: Path) -> None:
    assert invoke("keys", "create", "--account", "acme", "--user", "owner@acme.test").exit_code == 0
    assert invoke("users", "create", "ada@acme.test", "--account", "acme", "--no-password").exit_code == 0
    assert stored_hash(database, "ada@acme.test") is None
    again = invoke("users", "create", "ada@acme.test", "--account", "labs", "--no-password")
    assert again.exit_code == 0, again.output
    assert memberships(database, "ada@acme.test") == ["acme", "labs"]


def test_set_password_replaces_the_hash(database: Path) -> None:
    invoke("users", "create", "ada@acme.test", "--no-password")
    result = invoke("users", "set-password", "ada@acme.test", stdin="a whole new passphrase\n")
    assert result.exit_code == 0, result.output
    assert "Password set for ada@acme.test" in result.stdout
    digest = stored_hash(database, "ada@acme.test")
    assert verify_password("a whole new passphrase", digest)
    listed = invoke("users", "list")
    assert listed.exit_code == 0
    assert "ada@acme.test" in listed.stdout and "set" in listed.stdout and "default" in listed.stdout


@pytest.mark.parametrize("password", ["short\n", "        \n", "\n"])
def test_a_weak_password_is_refused_and_nothing_changes(database: Path, password: str) -> None:
    invoke("users", "create", "ada@acme.test", stdin="first passphrase\n")
    before = stored_hash(database, "ada@acme.test")
    result = invoke("users", "set-password", "ada@acme.test", stdin=password)
    assert result.exit_code == 1
    assert "at least 8 characters" in result.output
    assert stored_hash(database, "ada@acme.test") == before


def test_set_password_for_an_unknown_user_says_how_to_create_it() -> None:
    invoke("migrate")
    result = invoke("users", "set-password", "nobody@acme.test", stdin="a fine passphrase\n")
    assert result.exit_code == 1
    assert "no user 'nobody@acme.test'" in result.output
    assert "nlactions users create nobody@acme.test" in result.output
