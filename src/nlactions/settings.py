"""Settings read from the environment (``NLACTIONS_*``) and an optional ``.env`` file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

from platformdirs import user_data_dir
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from nlactions.kit.ssrf import parse_allow_entry
from nlactions.ratelimits.notation import check_budget


def default_data_dir() -> Path:
    """Return the per-user data directory nlactions uses when none is configured."""
    return Path(user_data_dir("nlactions", appauthor=False))


class ConnectClientSetting(BaseModel):
    """One app's OAuth client in ``NLACTIONS_CONNECT_CLIENTS``."""

    model_config = ConfigDict(extra="forbid")

    client_id: str = Field(min_length=1, max_length=500)
    client_secret: SecretStr
    scopes: list[str] | None = None
    user_scopes: list[str] | None = None
    authorize_url: str | None = None
    token_url: str | None = None


class Settings(BaseSettings):
    """Every knob of the server; no I/O happens at construction."""

    model_config = SettingsConfigDict(env_prefix="NLACTIONS_", env_file=".env", extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    data_dir: Path = Field(default_factory=default_data_dir)
    database_url: str | None = None
    secret_key: str | None = None
    redis_url: str | None = None
    log_level: str = "info"

    # LLM resolver (optional)
    llm_model: str | None = None
    llm_base_url: str | None = None
    llm_api_key: str | None = None
    # Embedded Gemma 3 270M (extra ``nlactions[local-llm]``), the last resort after the other extractors.
    local_model: bool = False

    # Resolution
    match_threshold: float = Field(default=0.80, ge=0.0, le=1.0)
    # Guessing reads at most this many characters of instructions; longer ones are a 422.
    max_instruction_chars: int = Field(default=20_000, gt=0)

    # Execution limits
    action_timeout_seconds: float = Field(default=30.0, gt=0)
    max_body_bytes: int = Field(default=1_000_000, gt=0)
    max_result_bytes: int = Field(default=5_000_000, gt=0)
    choice_cache_ttl_seconds: int = Field(default=24 * 3600, ge=0)

    # Outbound HTTP: hosts/CIDRs apps may reach even if private, each on its ports
    # ("10.0.0.5:8080", "[fd00::1]:8443", "10.0.0.0/8:9000", "hooks.internal"; no port = 80 and 443, ":*" = all).
    ssrf_allow: Annotated[list[str], NoDecode] = Field(default_factory=list)

    # A connection that has not sent its request line and headers within this long is closed (slowloris).
    header_timeout_seconds: float = Field(default=10.0, gt=0)
    # A request body not fully received this long after its headers is answered 408 (slow-body clients).
    body_timeout_seconds: float = Field(default=30.0, gt=0)
    # Directories whose files the SQLite app may open (comma-separated or a JSON list); empty: none.
    # Never list nlactions' own data dir: a tenant could then read its database.
    sqlite_app_dirs: Annotated[list[Path], NoDecode] = Field(default_factory=list)

    # Web sign-in: the key signing session cookies (default: derived from the server secret) and how long
    # a session lasts.
    session_secret: str | None = None
    session_max_age_seconds: int = Field(default=14 * 24 * 3600, gt=0)

    # OAuth2 server for callers (``/oauth/…``); its issuer is ``public_url`` (below) when set, else the URL the
    # request came to. Codes live ``oauth_code_seconds``, access tokens ``oauth_access_token_seconds``, refresh
    # tokens ``oauth_refresh_token_seconds``. ``oauth_signing_key``: the PEM of the RSA key signing id_tokens
    # (default: generated once into the data dir).
    oauth_code_seconds: int = Field(default=120, gt=0, le=600)
    oauth_access_token_seconds: int = Field(default=3600, gt=0)
    oauth_refresh_token_seconds: int = Field(default=30 * 24 * 3600, gt=0)
    oauth_signing_key: str | None = None
    oauth_dynamic_registration: bool = True
    oauth_client_metadata_cache_seconds: float = Field(default=300.0, ge=0)

    # API key lookups are cached this long; a revoked key stops working within it.
    api_key_cache_seconds: float = Field(default=2.0, ge=0)

    # Run leases: each process heartbeats this often; a ``running`` log whose process has not beaten for
    # ``run_lease_seconds`` (default 3 heartbeats) is marked ``interrupted`` by the others, and at start.
    run_heartbeat_seconds: float = Field(default=5.0, gt=0)
    run_lease_seconds: float | None = Field(default=None, gt=0)

    # OAuth connect flow. The address users' browsers reach this server at: connect links and the redirect URI
    # registered with each provider (``{public_url}/connect/{app}/callback/``) are built from it.
    public_url: str | None = None
    # Apps' OAuth clients, a JSON object: {"SlackAPI": {"client_id": "…", "client_secret": "…", "scopes": […]}}
    # (optional "user_scopes", "authorize_url", "token_url"). An app listed here ignores one set by the CLI.
    connect_clients: Annotated[dict[str, ConnectClientSetting], NoDecode] = Field(default_factory=dict)
    # A connect link works this long, once.
    connect_link_seconds: float = Field(default=600.0, gt=0)
    # An access token expiring within this many seconds is refreshed before it is used.
    token_refresh_margin_seconds: float = Field(default=120.0, ge=0)

    @field_validator("connect_clients", mode="before")
    @classmethod
    def _parse_connect_clients(cls, value: object) -> object:
        if isinstance(value, str):
            try:
                return json.loads(value) if value.strip() else {}
            except json.JSONDecodeError as exc:
                raise ValueError(
                    "NLACTIONS_CONNECT_CLIENTS must be a JSON object: "
                    '{"SlackAPI": {"client_id": "...", "client_secret": "...", "scopes": ["chat:write"]}}'
                ) from exc
        return value

    @property
    def effective_public_url(self) -> str:
        """``public_url`` without a trailing slash, else ``http://{host}:{port}``."""
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @model_validator(mode="after")
    def _lease_outlasts_heartbeat(self) -> Settings:
        if self.run_lease_seconds is not None and self.run_lease_seconds <= self.run_heartbeat_seconds:
            raise ValueError(
                "NLACTIONS_RUN_LEASE_SECONDS must be longer than NLACTIONS_RUN_HEARTBEAT_SECONDS "
                "(3 heartbeats is the default), or live runs would be marked interrupted."
            )
        return self

    @model_validator(mode="after")
    def _sqlite_dirs_exclude_data_dir(self) -> Settings:
        data = self.data_dir.resolve()
        for directory in self.sqlite_app_dirs:
            allowed = directory.resolve()
            if data.is_relative_to(allowed) or allowed.is_relative_to(data):
                raise ValueError(
                    f"NLACTIONS_SQLITE_APP_DIRS may not include nlactions' data dir ({data}) or a directory "
                    f"around it ({allowed}): tenants could open nlactions' own database."
                )
        return self

    @property
    def run_lease(self) -> float:
        """Seconds without a heartbeat after which a process's running logs count as interrupted."""
        return self.run_lease_seconds if self.run_lease_seconds is not None else 3 * self.run_heartbeat_seconds

    # Rate limits, in the ``limits`` library's notation ("600/minute", "10/second;600/minute"); 0 = off.
    # Executes (run or preview an action) and reads (every other keyed request) each per key and per account.
    rate_limit_execute: str = "600/minute"
    rate_limit_read: str = "3000/minute"
    # Requests with a refused API key, per client address; past it, keyed requests get 429 before any lookup.
    rate_limit_failed_auth: str = "20/minute"
    # Failed sign-ins on the web pages, counted per client address and per email; past it, a 429 page.
    rate_limit_signin: str = "5/minute;30/hour"
    # OAuth dynamic client registrations (``/oauth/register/``) per client address.
    rate_limit_oauth_register: str = "10/hour"
    # Prefix of the rate-limit keys in Redis (when ``redis_url`` is set): servers sharing it share budgets.
    rate_limit_key_prefix: str = "nlactions:ratelimit"

    @field_validator("ssrf_allow", "sqlite_app_dirs", mode="before")
    @classmethod
    def _split_csv(cls, value: object) -> object:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [part.strip() for part in text.split(",") if part.strip()]
        return value

    @field_validator(
        "rate_limit_execute",
        "rate_limit_read",
        "rate_limit_failed_auth",
        "rate_limit_signin",
        "rate_limit_oauth_register",
        mode="before",
    )
    @classmethod
    def _check_rate_limit(cls, value: object, info: ValidationInfo) -> object:
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if isinstance(value, str):
            return check_budget(f"NLACTIONS_{(info.field_name or '').upper()}", value)
        return value

    @field_validator("ssrf_allow")
    @classmethod
    def _check_allow_entries(cls, value: list[str]) -> list[str]:
        for entry in value:
            parse_allow_entry(entry)  # a ValueError names the entry and the accepted forms
        return value

    @property
    def effective_database_url(self) -> str:
        """The configured database URL, or the embedded SQLite file under the data dir."""
        if self.database_url:
            return normalise_database_url(self.database_url)
        return f"sqlite+aiosqlite:///{self.data_dir / 'nlactions.db'}"


def normalise_database_url(url: str) -> str:
    """Map plain ``postgresql://`` / ``sqlite://`` URLs onto their async drivers."""
    for plain, driver in (
        ("postgresql://", "postgresql+asyncpg://"),
        ("postgres://", "postgresql+asyncpg://"),
        ("sqlite://", "sqlite+aiosqlite://"),
    ):
        if url.startswith(plain):
            return driver + url[len(plain) :]
    return url
