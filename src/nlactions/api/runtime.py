"""Everything a running server holds: engine, sessions, registry, services. Built in the lifespan."""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from nlactions.accounts.service import KeyAuthenticator
from nlactions.authentications.credentials import CredentialStore
from nlactions.authentications.refresh import TokenRefresher
from nlactions.authentications.service import AuthenticationService
from nlactions.catalog import Registry, load_registry
from nlactions.choices.service import ChoiceService
from nlactions.choices.wiring import build_choice_service
from nlactions.connect.clients import Registrations
from nlactions.connect.links import ReconnectLinker
from nlactions.connect.service import ConnectService
from nlactions.db.batch import WriteBatcher
from nlactions.db.engine import make_engine, make_sessionmaker
from nlactions.execute.bodies import action_used
from nlactions.execute.leases import RunLeases
from nlactions.execute.service import ExecuteService
from nlactions.execution.executor import Executor
from nlactions.kit.crypto import SecretBox, derive_secrets, load_or_create_key
from nlactions.kit.http import make_client
from nlactions.kit.ssrf import SSRFGuard
from nlactions.oauth.authenticator import CallerAuthenticator, TokenAuthenticator
from nlactions.resolver.base import Resolver
from nlactions.resolver.factory import build_resolver
from nlactions.settings import Settings


@dataclass
class Runtime:
    """The server's long-lived objects."""

    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    registry: Registry
    box: SecretBox
    authenticator: CallerAuthenticator
    """API keys and OAuth access tokens."""
    batcher: WriteBatcher
    execute: ExecuteService
    resolver: Resolver
    guard: SSRFGuard
    choices: ChoiceService
    leases: RunLeases
    registrations: Registrations
    transport: httpx.AsyncBaseTransport | None = None
    session_secrets: list[str] = field(default_factory=list)
    """Keys signing web session cookies, newest first (``NLACTIONS_SESSION_SECRET`` or derived from the server's)."""
    extras: dict[str, object] = field(default_factory=dict)

    def http_client(self, auth: httpx.Auth | None = None) -> httpx.AsyncClient:
        """An outbound client with the SSRF guard on and the given credentials attached."""
        return make_client(
            auth=auth,
            guard=self.guard,
            local_dirs=self.settings.sqlite_app_dirs,
            transport=self.transport,
            timeout=self.settings.action_timeout_seconds,
            max_response_bytes=self.settings.max_result_bytes,
        )

    def authentications(self) -> AuthenticationService:
        """The authentications service over the registry, secret box and outbound HTTP."""
        return AuthenticationService(
            self.registry, self.box, self.http_client, timeout_seconds=self.settings.action_timeout_seconds
        )

    def connect(self) -> ConnectService:
        """The OAuth connect flow's service."""
        return ConnectService(
            self.authentications(),
            self.registrations,
            self.http_client,
            public_url=self.settings.effective_public_url,
            link_seconds=self.settings.connect_link_seconds,
        )

    async def start(self) -> None:
        """Register this server instance, interrupt runs orphaned by dead ones, and start heartbeating."""
        await self.leases.start()

    async def close(self) -> None:
        """Stop choice loads, flush pending writes, release the run lease and dispose of the engine."""
        await self.choices.close()
        await self.batcher.close()
        await self.leases.close()
        await self.engine.dispose()


def build_runtime(
    settings: Settings,
    *,
    registry: Registry | None = None,
    resolver: Resolver | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> Runtime:
    """Wire the server's objects from settings; tests inject a registry, resolver or transport."""
    engine = make_engine(settings.effective_database_url)
    sessions = make_sessionmaker(engine)
    registry = registry if registry is not None else load_registry()
    server_key = load_or_create_key(settings.secret_key, settings.data_dir)
    box = SecretBox(server_key)
    resolver = resolver if resolver is not None else build_resolver(settings)
    guard = SSRFGuard(settings.ssrf_allow)
    batcher = WriteBatcher(engine)
    registrations = Registrations(settings, box)
    leases = RunLeases(
        sessions,
        heartbeat_seconds=settings.run_heartbeat_seconds,
        lease_seconds=settings.run_lease,
        describe=lambda app, action: action_used(registry, app, action),
    )
    runtime = Runtime(
        settings=settings,
        engine=engine,
        sessions=sessions,
        registry=registry,
        box=box,
        authenticator=CallerAuthenticator(
            KeyAuthenticator(sessions, settings.api_key_cache_seconds),
            TokenAuthenticator(sessions, settings.api_key_cache_seconds),
        ),
        batcher=batcher,
        execute=None,  # type: ignore[arg-type]
        resolver=resolver,
        guard=guard,
        choices=None,  # type: ignore[arg-type]
        leases=leases,
        registrations=registrations,
        transport=transport,
        session_secrets=derive_secrets(settings.session_secret or server_key, "web-session"),
    )
    refresher = TokenRefresher(
        sessions,
        box,
        registrations,
        runtime.http_client,
        margin_seconds=settings.token_refresh_margin_seconds,
        wait_seconds=settings.action_timeout_seconds,
    )
    credentials = CredentialStore(sessions, box, refresher)
    executor = Executor(
        resolver,
        runtime.http_client,
        timeout_seconds=settings.action_timeout_seconds,
        max_instruction_chars=settings.max_instruction_chars,
    )
    runtime.choices = build_choice_service(
        settings, sessions=sessions, registry=registry, credentials=credentials, http=runtime.http_client
    )
    runtime.execute = ExecuteService(
        registry=registry,
        executor=executor,
        sessions=sessions,
        batcher=batcher,
        credentials=credentials,
        leases=leases,
        choice_cache=runtime.choices,
        reconnect=ReconnectLinker(sessions, runtime.connect),
    )
    return runtime
