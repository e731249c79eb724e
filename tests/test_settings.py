"""Settings from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlactions.settings import Settings


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
