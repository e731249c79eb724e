"""Bring the database schema up to date with Alembic, from inside the async app or the CLI."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS = Path(__file__).parent / "migrations"
_lock = asyncio.Lock()


def alembic_config(connection: Any = None) -> Config:
    """An Alembic config pointing at the packaged migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Apply every pending migration."""
    async with _lock, engine.begin() as conn:
        await conn.run_sync(lambda sync_conn: command.upgrade(alembic_config(sync_conn), revision))


async def autogenerate(engine: AsyncEngine, message: str) -> None:
    """Write a new revision from the models (development helper)."""
    async with engine.begin() as conn:
        await conn.run_sync(
            lambda sync_conn: command.revision(alembic_config(sync_conn), message=message, autogenerate=True)
        )
