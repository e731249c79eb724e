"""Rules about OAuth clients registered by an administrator (CLI) or an account (API)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from nlactions.db.models import OAuthClient
from nlactions.errors import BadRequest, NotFound
from nlactions.kit.crypto import hash_token
from nlactions.oauth import repository as repo
from nlactions.oauth.clients import check_redirect_uris
from nlactions.oauth.scopes import check_scope
from nlactions.oauth.tokens import new_client_id, new_client_secret

MAX_NAME = 200


@dataclass(frozen=True, slots=True)
class CreatedClient:
    """A new client; ``client_secret`` (confidential clients only) exists in plain text only now."""

    row: OAuthClient
    client_secret: str | None


async def create_client(
    session: AsyncSession,
    *,
    account_id: int,
    name: str,
    redirect_uris: list[str],
    public: bool,
    scope: str | None = None,
    origin: str = "cli",
) -> CreatedClient:
    """Register a client of ``account_id``; 400 naming the field when a value is refused."""
    name = name.strip()
    if not name or len(name) > MAX_NAME:
        raise BadRequest(f"name: give the client a name of 1 to {MAX_NAME} characters (users see it on consent).")
    try:
        uris = check_redirect_uris(redirect_uris)
        scopes = check_scope(scope)
    except ValueError as exc:
        raise BadRequest(str(exc)) from exc
    secret = None if public else new_client_secret()
    row = OAuthClient(
        client_id=new_client_id(),
        account_id=account_id,
        name=name,
        secret_hash=hash_token(secret) if secret else None,
        redirect_uris=uris,
        scope=scopes,
        origin=origin,
    )
    await repo.add_client(session, row)
    return CreatedClient(row, secret)


async def list_clients(session: AsyncSession, account_id: int | None) -> list[OAuthClient]:
    """Live clients of an account (all, for the CLI, when None)."""
    return await repo.list_clients(session, account_id)


async def revoke_client(session: AsyncSession, client_id: str, account_id: int | None) -> OAuthClient:
    """Revoke a client and every token it holds; 404 when not in the account (or nowhere, for the CLI)."""
    row = await repo.client_in(session, client_id, account_id)
    if row is None:
        where = "in this account" if account_id is not None else "on this server"
        raise NotFound(
            f"client_id: no OAuth client {client_id!r} {where}.",
            hint="GET /api/v2/oauth/clients/ (or `nlactions oauth clients list`) shows the client ids.",
        )
    row.revoked_at = repo.now()
    await repo.revoke_client_tokens(session, client_id)
    return row
