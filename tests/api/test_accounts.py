"""GET /api/v2/auth/check/ and /api/v2/auth/accounts/."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from conftest import make_key
from nlactions.accounts.service import CreatedKey, create_key
from nlactions.api.runtime import Runtime


async def test_check_names_the_keys_user(client: httpx.AsyncClient, key: CreatedKey) -> None:
    data = (await client.get("/api/v2/auth/check/")).json()
    assert data["success"] is True
    assert data["email"] == key.user_email
    assert isinstance(data["user_id"], int)


async def test_accounts_lists_only_the_account_the_key_was_made_for(
    client: httpx.AsyncClient, runtime: Runtime, key: CreatedKey
) -> None:
    await make_key(runtime, account="acme-labs", user=key.user_email)
    await make_key(runtime, account="strangers", user="other@x.test")
    data = (await client.get("/api/v2/auth/accounts")).json()
    assert [(a["id"], a["name"]) for a in data["results"]] == [(key.account_id, "acme")]
    assert data["results"][0]["owner"]["email"] == key.user_email


async def test_an_all_accounts_key_lists_every_account_of_its_user(
    app: FastAPI, runtime: Runtime, key: CreatedKey
) -> None:
    second = await make_key(runtime, account="acme-labs", user=key.user_email)
    await make_key(runtime, account="strangers", user="other@x.test")
    async with runtime.sessions() as session, session.begin():
        wide = await create_key(session, account_name="acme-labs", user_email=key.user_email, all_accounts=True)
    transport = httpx.ASGITransport(app=app)
    headers = {"x-api-key": wide.key}
    async with httpx.AsyncClient(transport=transport, base_url="http://t.test", headers=headers) as http:
        data = (await http.get("/api/v2/auth/accounts/")).json()
    assert {a["name"]: a["id"] for a in data["results"]} == {"acme": key.account_id, "acme-labs": second.account_id}


async def test_an_account_the_key_does_not_reach_is_a_403_saying_how_to_reach_it(
    client: httpx.AsyncClient, runtime: Runtime, key: CreatedKey
) -> None:
    other = await make_key(runtime, account="acme-labs", user=key.user_email)
    response = await client.get("/api/v2/ai-actions/", params={"account_id": other.account_id})
    assert response.status_code == 403
    body = response.json()
    assert body["error"] == f"account_id {other.account_id} is not an account this API key reaches."
    assert "--all-accounts" in body["hint"]


async def test_revoked_key_stops_working(client: httpx.AsyncClient, runtime: Runtime, key: CreatedKey) -> None:
    from nlactions.accounts.service import revoke_key

    assert (await client.get("/api/v2/auth/check/")).status_code == 200
    async with runtime.sessions() as session, session.begin():
        await revoke_key(session, str(key.key_id))
    response = await client.get("/api/v2/auth/check/")
    assert response.status_code == 401
    assert "revoked" in response.json()["error"]
