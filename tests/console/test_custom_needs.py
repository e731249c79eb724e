"""An AI action for a table in the console: the table's columns appear as needs once the table is fixed."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import httpx
import pytest

from helpers.web import csrf_of
from nlactions.settings import Settings


@pytest.fixture
def sqlite_dir(tmp_path: Path) -> Path:
    """The directory SQLiteAPI may open files in, with a ``customers`` table in ``shop.sqlite``."""
    folder = tmp_path / "allowed"
    folder.mkdir()
    with sqlite3.connect(folder / "shop.sqlite") as db:
        db.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT)")
    return folder


@pytest.fixture
def settings(settings: Settings, sqlite_dir: Path) -> Settings:
    """SQLite files allowed under ``sqlite_dir``."""
    return settings.model_copy(update={"sqlite_app_dirs": [sqlite_dir]})


async def test_a_tables_columns_become_needs_and_the_run_writes_the_row(
    console: httpx.AsyncClient, api: httpx.AsyncClient, sqlite_dir: Path
) -> None:
    form = await console.get("/console/connections/new/?app=SQLiteAPI")
    added = await console.post(
        "/console/connections/new/",
        data={
            "csrf_token": csrf_of(form.text),
            "app": "SQLiteAPI",
            "title": "Shop",
            "field__path": str(sqlite_dir / "shop.sqlite"),
        },
    )
    assert added.status_code == 303, added.text
    auth_id = added.headers["location"].split("/")[3]

    page = await console.get("/console/ai-actions/new/?app=SQLiteAPI&action=new_row")
    assert page.status_code == 200
    assert '<option value="customers">' in page.text, "the table picker lists the file's tables"
    assert 'id="need-email"' not in page.text
    token = csrf_of(page.text)
    base = {"csrf_token": token, "app": "SQLiteAPI", "action": "new_row", "authentication_id": auth_id}
    table = {"mode__table": "fixed", "pick__table": "customers"}
    refreshed = await console.post("/console/ai-actions/new/", data={**base, **table, "intent": "refresh"})
    assert refreshed.status_code == 200, refreshed.text
    assert 'id="need-name"' in refreshed.text and 'id="need-email"' in refreshed.text
    saved = await console.post(
        "/console/ai-actions/new/",
        data={
            **base,
            **table,
            "mode__name": "fixed",
            "fixed__name": "Ada Lovelace",
            "mode__email": "guess",
            "intent": "save",
        },
    )
    assert saved.status_code == 303, saved.text
    ident = saved.headers["location"].split("/")[3]
    stored = (await api.get(f"/api/v2/ai-actions/{ident}/")).json()
    assert stored["params"]["name"] == {"mode": "locked", "value": "Ada Lovelace"}
    assert stored["authentication_id"] == int(auth_id)

    edit = await console.get(f"/console/ai-actions/{ident}/")
    assert 'value="Ada Lovelace"' in edit.text, "the stored column value comes back on the form"
    ran = await console.post(
        f"/console/ai-actions/{ident}/try/",
        data={"csrf_token": token, "instructions": "add her, email ada@example.com", "intent": "run"},
    )
    assert ran.status_code == 200
    assert re.search(r'class="badge success">success<', ran.text), ran.text
    with sqlite3.connect(sqlite_dir / "shop.sqlite") as db:
        assert db.execute("SELECT name, email FROM customers").fetchall() == [("Ada Lovelace", "ada@example.com")]
