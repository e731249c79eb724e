"""GET /api/v2/auth/check/ and /api/v2/auth/accounts/."""

from __future__ import annotations

import httpx

from conftest import make_key
from nlactions.accounts.service import CreatedKey
from nlactions.api.runtime import Runtime


async def test_check_names_the_keys_user(client: httpx.AsyncClient, key: CreatedKey) -> None:
    data = (await client.get("/api/v2/auth/check/")).json()
    assert data["success"] is True
    assert data["email"] == key.user_email
    assert isinstance(data["user_id"], int)


async def test_accounts_lists_only_the_callers_accounts(
    client: httpx.AsyncClient, runtime: Runtime, key: CreatedKey
) -> None:
    second = await make_key(runtime, account="acme-labs", user=key.user_email)
    await make_key(runtime, account="strangers", user="other@x.test")
    data = (await client.get("/api/v2/auth/accounts")).json()
    names = {a["name"]: a["id"] for a in data["results"]}
    assert names == {"acme": key.account_id, "acme-labs": second.account_id}
    assert data["results"][0]["owner"]["email"] == key.user_email


async def test_revoked_key_stops_working(client: httpx.AsyncClient, runtime: Runtime, key: CreatedKey) -> None:
    from nlactions.accounts.service import revoke_key

    assert (await client.get("/api/v2/auth/check/")).status_code == 200
    async with runtime.sessions() as session, session.begin():
        await revoke_key(session, str(key.key_id))
    response = await client.get("/api/v2/auth/check/")
    assert response.status_code == 401
    assert "revoked" in response.json()["error"]
