"""Building the choice service from settings: Redis when configured, else the database."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nlactions.authentications.credentials import CredentialStore
from nlactions.catalog import Registry
from nlactions.choices.service import ChoiceService, HttpFactory
from nlactions.choices.stores import ChoiceStore, DbChoiceStore, LruFront, RedisChoiceStore
from nlactions.settings import Settings


def build_choice_service(
    settings: Settings,
    *,
    sessions: async_sessionmaker[AsyncSession],
    registry: Registry,
    credentials: CredentialStore,
    http: HttpFactory,
) -> ChoiceService:
    """The choice cache: shared in Redis (``redis_url``) or the ``choice_cache`` table, an LRU in front."""
    retain = 2 * settings.choice_cache_ttl_seconds
    shared: ChoiceStore
    if settings.redis_url:
        shared = RedisChoiceStore.from_url(settings.redis_url, retain_seconds=retain)
    else:
        shared = DbChoiceStore(sessions, retain_seconds=retain)
    return ChoiceService(
        registry=registry,
        credentials=credentials,
        store=LruFront(shared),
        http=http,
        ttl_seconds=settings.choice_cache_ttl_seconds,
        page_timeout_seconds=settings.action_timeout_seconds,
    )
