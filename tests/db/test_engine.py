"""The server's engine: a failed statement's error names the statement, never the values sent."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from nlactions.db.engine import make_engine


async def test_a_failed_statement_does_not_carry_its_values(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        async with engine.begin() as conn:
            with pytest.raises(DBAPIError) as raised:
                await conn.execute(
                    text(
                        "INSERT INTO api_keys (id, user_id, account_id, name, prefix, key_hash)"
                        " VALUES (:i, :i, :i, :n, :n, :n)"
                    ),
                    {"i": 999_999, "n": "sk-live-do-not-log"},
                )
    finally:
        await engine.dispose()
    assert "INSERT INTO api_keys" in str(raised.value)
    assert "sk-live-do-not-log" not in str(raised.value)
