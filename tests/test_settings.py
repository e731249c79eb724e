"""Settings from the environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import stray_settings
from nlactions.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("127.0.0.1", ["127.0.0.1"]), ("10.0.0.0/8, hooks.local", ["10.0.0.0/8", "hooks.local"]), ('["::1"]', ["::1"])],
)
def test_ssrf_allow_from_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, raw: str, expected: list[str]) -> None:
    monkeypatch.setenv("NLACTIONS_SSRF_ALLOW", raw)
    assert Settings(_env_file=None, data_dir=tmp_path).ssrf_allow == expected  # type: ignore[call-arg]


def test_database_url_defaults_to_sqlite_in_data_dir(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path)  # type: ignore[call-arg]
    assert settings.effective_database_url == f"sqlite+aiosqlite:///{tmp_path / 'nlactions.db'}"


def test_plain_postgres_url_gets_the_async_driver(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path, database_url="postgresql://u@h:5432/db")  # type: ignore[call-arg]
    assert settings.effective_database_url == "postgresql+asyncpg://u@h:5432/db"


def test_dotenv_is_honoured(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("NLACTIONS_PORT=9123\nNLACTIONS_HOST=0.0.0.0\n")
    monkeypatch.chdir(tmp_path)
    settings = Settings(data_dir=tmp_path)
    assert (settings.host, settings.port) == ("0.0.0.0", 9123)


def test_the_suite_sees_none_of_the_callers_settings() -> None:
    assert stray_settings(os.environ) == {}


def test_settings_exported_in_the_shell_do_not_break_the_suite(tmp_path: Path) -> None:
    exported = {
        "NLACTIONS_PORT": "8100",
        "NLACTIONS_HOST": "0.0.0.0",
        "NLACTIONS_DATABASE_URL": "sqlite:////nonexistent/x.db",
        "NLACTIONS_LLM_MODEL": "openai:gpt-4o",
        "NLACTIONS_RATE_LIMIT_EXECUTE": "1/minute",
    }
    chosen = [
        f"{__file__}::{name}"
        for name in ("test_dotenv_is_honoured", "test_the_suite_sees_none_of_the_callers_settings")
    ]
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider", *chosen],
        cwd=ROOT,
        env={**os.environ, **exported},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "2 passed" in run.stdout
