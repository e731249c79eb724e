"""Async engine and session factory for SQLite (WAL) or PostgreSQL."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import event, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine


def dumps_json(value: Any) -> str:
    """JSON for JSON columns: orjson, falling back to the standard library for what orjson refuses."""
    try:
        return orjson.dumps(value, default=str).decode()
    except orjson.JSONEncodeError:  # e.g. integers beyond 64 bits
        return json.dumps(value, default=str, ensure_ascii=False)


def is_sqlite(url: str) -> bool:
    """True for a SQLite URL."""
    return url.startswith("sqlite")


def ensure_private_dir(path: Path) -> None:
    """Create the directory owner-only (0700) if missing, parents as usual; an existing one is left as it is."""
    if not path.exists():
        path.mkdir(parents=True, mode=0o700, exist_ok=True)


def ensure_private_sqlite_file(url: str) -> None:
    """Create a SQLite URL's file empty and 0600 before SQLite opens it (its -wal and -shm files take its mode)."""
    path = make_url(url).database
    if not path or path == ":memory:" or path.startswith("file:"):
        return
    file = Path(path)
    ensure_private_dir(file.parent)
    try:
        os.close(os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        return


def make_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    """Create an engine; SQLite gets WAL, a busy timeout and foreign keys on every connection."""
    if is_sqlite(url):
        ensure_private_sqlite_file(url)
        engine = create_async_engine(
            url,
            echo=echo,
            connect_args={"timeout": 30},
            json_serializer=dumps_json,
            json_deserializer=orjson.loads,
            hide_parameters=True,  # a failed statement's error (and log line) never carries row values
        )

        @event.listens_for(engine.sync_engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    engine = create_async_engine(
        url,
        echo=echo,
        hide_parameters=True,
        pool_size=10,
        max_overflow=20,
        pool_pre_ping=True,
        json_serializer=dumps_json,
        json_deserializer=orjson.loads,
    )
    event.listen(engine.sync_engine, "before_cursor_execute", _replace_nul, retval=True)
    return engine


def _no_nul(value: Any) -> Any:
    return value.replace("\x00", "\ufffd") if isinstance(value, str) and "\x00" in value else value


def _replace_nul(
    _conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, executemany: bool
) -> tuple[str, Any]:
    """PostgreSQL text cannot hold NUL (a 500 otherwise): store U+FFFD in its place, as SQLite keeps NUL."""

    def clean(params: Any) -> Any:
        if isinstance(params, dict):
            return {k: _no_nul(v) for k, v in params.items()}
        if isinstance(params, list | tuple):
            return type(params)(_no_nul(v) for v in params)
        return params

    return statement, [clean(p) for p in parameters] if executemany else clean(parameters)


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded objects usable after commit."""
    return async_sessionmaker(engine, expire_on_commit=False)
