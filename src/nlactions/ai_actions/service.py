"""Rules of stored AI actions: validation, secrets at rest, precedence; runs through ExecuteService.

Lookups are scoped to the caller's accounts: an id of another account is "not found", never "forbidden".
Nothing here commits; the endpoint's session does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from nlactions.accounts.service import Caller
from nlactions.ai_actions import repository as repo
from nlactions.ai_actions.params import merge, validate
from nlactions.ai_actions.schemas import AiActionCreate, AiActionMeta
from nlactions.ai_actions.sealing import is_redacted, redacted, seal, secret_keys, unseal
from nlactions.authentications import repository as auth_repo
from nlactions.catalog import Action, App, Registry
from nlactions.catalog_api.shapes import need_shape
from nlactions.db.models import AiAction
from nlactions.errors import BadRequest, NotFound, PreconditionFailed
from nlactions.execute.schemas import ParamConstraint
from nlactions.execute.service import ExecuteFlags, ExecuteService, ExecutionInput
from nlactions.kit.crypto import SecretBox
from nlactions.kit.ids import new_ulid, parse_id
from nlactions.kit.redact import REDACTED


def configuration_link(base_url: str) -> str:
    """Where a person configures AI actions on this server (the API docs, AI actions section)."""
    return f"{base_url.rstrip('/')}/docs#/ai-actions"


def default_description(app: App, action: Action) -> str:
    """``<App name>: <Action name>``, as Zapier describes an AI action."""
    return f"{app.name}: {action.name}"


def not_found(ai_action_id: str) -> NotFound:
    """The 404 for an AI action id that is not in the caller's accounts."""
    return NotFound(
        f"AI action '{ai_action_id}' was not found in your accounts.",
        hint="GET /api/v2/ai-actions/ lists the AI actions you can use.",
    )


class AiActionService:
    """Create, read, replace, delete and execute stored AI actions."""

    def __init__(self, *, registry: Registry, box: SecretBox, executions: ExecuteService):
        self.registry = registry
        self.box = box
        self.executions = executions

    def catalog_entry(self, row: AiAction) -> tuple[App, Action] | None:
        """The app and action a stored row names, or None if no longer installed."""
        app = self.registry.get(row.app)
        action = app.action(row.action) if app is not None else None
        return (app, action) if app is not None and action is not None else None

    async def list_for(self, session: AsyncSession, caller: Caller, account_id: int | None = None) -> list[AiAction]:
        """The AI actions of the caller's accounts (or of one of them)."""
        accounts = [caller.account(account_id)] if account_id is not None else caller.account_ids
        return await repo.list_in(session, accounts)

    async def find(self, session: AsyncSession, caller: Caller, ai_action_id: str) -> AiAction | None:
        """An AI action of the caller's accounts by ULID (or its UUID form), else None."""
        ulid = parse_id(ai_action_id)
        if ulid is None:
            return None
        return await repo.get_in(session, caller.account_ids, ulid)

    async def get(self, session: AsyncSession, caller: Caller, ai_action_id: str) -> AiAction:
        """An AI action of the caller's accounts, else 404."""
        row = await self.find(session, caller, ai_action_id)
        if row is None:
            raise not_found(ai_action_id)
        return row

    async def create(
        self,
        session: AsyncSession,
        caller: Caller,
        body: AiActionCreate,
        *,
        account_id: int | None,
        authentication_id: int | None,
    ) -> AiAction:
        """Store a new AI action in the caller's (or the named) account."""
        row = AiAction(id=new_ulid(), user_id=caller.user_id, params={}, meta={})
        await self._fill(session, caller, row, body, account_id, authentication_id)
        await repo.add(session, row)
        return row

    async def replace(
        self,
        session: AsyncSession,
        caller: Caller,
        ai_action_id: str,
        body: AiActionCreate,
        *,
        account_id: int | None,
        authentication_id: int | None,
    ) -> AiAction:
        """Replace every field of an AI action (an omitted authentication_id clears it)."""
        row = await self.get(session, caller, ai_action_id)
        account = account_id if account_id is not None else row.account_id
        await self._fill(session, caller, row, body, account, authentication_id)
        await session.flush()
        return row

    async def delete(self, session: AsyncSession, caller: Caller, ai_action_id: str) -> bool:
        """Delete an AI action; False when the caller's accounts hold none with that id."""
        row = await self.find(session, caller, ai_action_id)
        if row is None:
            return False
        await repo.delete(session, row)
        return True

    def response(self, row: AiAction) -> dict[str, Any]:
        """Zapier's AiActionResponse; secret values redacted."""
        entry = self.catalog_entry(row)
        secrets = secret_keys(entry[1]) if entry else frozenset()
        return {
            "id": row.id,
            "description": row.description,
            "account_id": row.account_id,
            "authentication_id": row.authentication_id,
            "app": row.app,
            "action": row.action,
            "action_type": row.action_type,
            "params": redacted(row.params, secrets),
            "meta": row.meta,
            "needs": [need_shape(entry[1], need) for need in entry[1].needs] if entry else None,
        }

    def stored_params(self, row: AiAction) -> dict[str, Any]:
        """The row's config params, decrypted, limited to needs the action still has (custom ones are kept)."""
        _, action = self.executions.find_action(row.app, row.action)
        try:
            params = unseal(row.params, self.box)
        except ValueError as exc:
            raise PreconditionFailed(
                f"AI action '{row.id}' holds a secret value that the configured secret key cannot decrypt.",
                hint="Restore the NLACTIONS_SECRET_KEY it was saved with, or PUT the AI action again.",
                code="secret_unreadable",
            ) from exc
        if action.custom_needs is not None:
            return params
        return {key: value for key, value in params.items() if key in action.needs_by_key}

    def execution_input(
        self,
        row: AiAction,
        *,
        instructions: str,
        params: Mapping[str, ParamConstraint],
        flags: ExecuteFlags,
        idempotency_key: str | None = None,
        request_fingerprint: str | None = None,
    ) -> ExecutionInput:
        """What ExecuteService runs for this row and request, with the stored params applied first."""
        return ExecutionInput(
            app=row.app,
            action=row.action,
            instructions=instructions,
            params=merge(self.stored_params(row), params),
            flags=flags,
            account_id=row.account_id,
            authentication_id=row.authentication_id,
            ai_action_id=row.id,
            idempotency_key=idempotency_key,
            request_fingerprint=request_fingerprint,
        )

    async def execute(
        self,
        caller: Caller,
        row: AiAction,
        *,
        instructions: str,
        params: Mapping[str, ParamConstraint],
        flags: ExecuteFlags,
        idempotency_key: str | None = None,
        request_fingerprint: str | None = None,
    ) -> dict[str, Any]:
        """Run (or preview) a stored AI action; returns Zapier's ExecuteResponse as a dict."""
        request = self.execution_input(
            row,
            instructions=instructions,
            params=params,
            flags=flags,
            idempotency_key=idempotency_key,
            request_fingerprint=request_fingerprint,
        )
        return await self.executions.execute(caller, request)

    async def _fill(
        self,
        session: AsyncSession,
        caller: Caller,
        row: AiAction,
        body: AiActionCreate,
        account_id: int | None,
        authentication_id: int | None,
    ) -> None:
        account = caller.account(account_id)
        app, action = self.executions.find_action(body.app, body.action)
        secrets = secret_keys(action)
        same_action = row.app == app.key and row.action == action.key
        given = {k: (v.model_dump() if isinstance(v, ParamConstraint) else v) for k, v in body.params.items()}
        kept: dict[str, Any] = {}
        for key in [k for k, v in given.items() if k in secrets and is_redacted(v)]:
            previous = row.params.get(key) if same_action else None
            if previous is None:
                raise BadRequest(
                    f"params.{key}: '{REDACTED}' stands for a stored secret, and this AI action stores none.",
                    hint=f"Send the real value for '{key}'.",
                )
            kept[key] = previous
            del given[key]
        validate(app, action, given)
        auth_id, auth_label = await self._authentication(session, account, app, authentication_id)
        row.account_id = account
        row.authentication_id = auth_id
        row.app = app.key
        row.action = action.key
        row.action_type = action.type
        row.description = body.description or default_description(app, action)
        row.params = {**seal(given, secrets, self.box), **kept}
        row.meta = _meta(body.meta, app, action, auth_label, secrets)

    async def _authentication(
        self, session: AsyncSession, account_id: int, app: App, authentication_id: int | None
    ) -> tuple[int | None, str | None]:
        if authentication_id is None or not app.needs_auth:
            return None, None
        found = await auth_repo.get(session, account_id, authentication_id)
        if found is None or found.app != app.key:
            raise BadRequest(
                f"authentication_id: {authentication_id} is not an authentication for {app.key} in this account.",
                hint=f"GET /api/v2/apps/{app.key}/auths/ lists yours; omit authentication_id to use "
                "the account's only one.",
                code="unknown_authentication",
            )
        return found.id, found.title or found.label or None


def _meta(
    meta: AiActionMeta, app: App, action: Action, auth_label: str | None, secrets: frozenset[str]
) -> dict[str, Any]:
    data = meta.model_dump()
    data["params"] = {k: REDACTED if k in secrets else v for k, v in data["params"].items()}
    data["app_label"] = data.get("app_label") or app.name
    data["action_label"] = data.get("action_label") or action.name
    data["authentication_label"] = data.get("authentication_label") or auth_label
    data["app_needs_auth"] = app.needs_auth
    return data
