"""Rules of executing an action for a caller: validation, authentication, idempotency, logging."""

from __future__ import annotations

import base64
import binascii
import dataclasses
import datetime as dt
import hashlib
import json
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nlactions.accounts.service import Caller
from nlactions.authentications.credentials import Credentials, CredentialStore
from nlactions.catalog import Action, App, Registry
from nlactions.db.batch import WriteBatcher
from nlactions.db.models import ExecutionLog
from nlactions.errors import BadRequest, Conflict, NotFound, listing
from nlactions.execute import repository as repo
from nlactions.execute.bodies import INTERRUPTED_ERROR, action_used, unfinished_body
from nlactions.execute.leases import RunLeases
from nlactions.execute.schemas import ParamConstraint
from nlactions.execution.choices import ChoiceCaches
from nlactions.execution.executor import ExecutionJob, ExecutionOutcome, Executor, InputRejected
from nlactions.kit.ids import new_ulid, parse_id
from nlactions.kit.redact import redact
from nlactions.resolver.base import ParamHint, ResolutionInputError, UnresolvedNeed

AUTH_EXPIRED = "auth_expired"
ReconnectLinks = Callable[[int, int | None, App, int], Awaitable[str | None]]
"""``(account_id, user_id, app, authentication_id)`` → a link that reconnects it, when the app connects with OAuth."""


@dataclass(frozen=True, slots=True)
class ExecuteFlags:
    """Query flags of an execute call."""

    preview_only: bool = False
    skip_param_guessing: bool = False
    token_budget: int = 1000


@dataclass(frozen=True, slots=True)
class ExecutionInput:
    """Everything one execution needs, whichever endpoint it came from."""

    app: str
    action: str
    instructions: str
    params: Mapping[str, ParamConstraint]
    flags: ExecuteFlags
    account_id: int
    authentication_id: int | None = None
    ai_action_id: str | None = None
    idempotency_key: str | None = None
    request_fingerprint: str | None = None


@dataclass(frozen=True, slots=True)
class Executed:
    """An execution's ExecuteResponse plus what a front door may show beside it (MCP's forms and flags)."""

    response: dict[str, Any]
    unresolved: tuple[UnresolvedNeed, ...] = ()
    retryable: bool = False
    retry_after: float | None = None


def find_app(registry: Registry, app_key: str) -> App:
    """The installed app with this key, or a 400 listing the valid ones."""
    app = registry.get(app_key)
    if app is None:
        raise BadRequest(
            f"app: '{app_key}' is not an installed app.",
            hint=f"Valid apps: {listing(registry.keys())}.",
            code="unknown_app",
        )
    return app


def fingerprint(payload: Any) -> str:
    """A stable hash of a request, to detect an Idempotency-Key reused for a different request."""
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


class ExecuteService:
    """One execute path for v2, v1 and stored AI actions."""

    def __init__(
        self,
        *,
        registry: Registry,
        executor: Executor,
        sessions: async_sessionmaker[AsyncSession],
        batcher: WriteBatcher,
        credentials: CredentialStore,
        leases: RunLeases,
        choice_cache: ChoiceCaches | None = None,
        reconnect: ReconnectLinks | None = None,
    ):
        self.reconnect = reconnect
        self.registry = registry
        self.executor = executor
        self.sessions = sessions
        self.batcher = batcher
        self.credentials = credentials
        self.leases = leases
        self.choice_cache = choice_cache

    def find_action(self, app_key: str, action_key: str) -> tuple[App, Action]:
        """The app and action named, or a 400 listing the valid ones."""
        app = find_app(self.registry, app_key)
        action = app.action(action_key)
        if action is None:
            raise BadRequest(
                f"action: '{action_key}' is not an action of {app_key}.",
                hint=f"Valid actions: {listing(sorted(app.actions_by_key))}.",
                code="unknown_action",
            )
        return app, action

    @staticmethod
    def check_params(action: Action, app: App, params: Mapping[str, ParamConstraint], flags: ExecuteFlags) -> None:
        """400 for request semantics the spec forbids, naming the offending field."""
        if flags.preview_only and flags.skip_param_guessing:
            raise BadRequest(
                "preview_only and skip_param_guessing cannot both be true.",
                hint="Drop one of the two query flags.",
            )
        unknown = [key for key in params if key not in action.needs_by_key]
        # An action with custom needs learns their keys only once the needs they depend on are resolved:
        # the resolver checks the remaining keys then, and its 400 lists the custom needs too.
        if unknown and action.custom_needs is None:
            raise BadRequest(
                f"params: {', '.join(repr(k) for k in unknown)} "
                f"{'is not a need' if len(unknown) == 1 else 'are not needs'} of {app.key}.{action.key}.",
                hint=f"Valid needs: {listing([n.key for n in action.needs])}.",
                code="unknown_need",
            )
        for key, constraint in params.items():
            if constraint.mode == "choose_from" and (not isinstance(constraint.value, list) or not constraint.value):
                raise BadRequest(
                    f"params.{key}.value must be a non-empty list of choice ids for mode 'choose_from'.",
                    hint=f'Send e.g. {{"mode": "choose_from", "value": ["ID1", "ID2"]}} for \'{key}\'.',
                )
            if constraint.mode == "locked" and constraint.value is None:
                raise BadRequest(
                    f"params.{key}.value is required for mode 'locked'.",
                    hint=f"Send the exact value for '{key}', or use mode 'ignored' to leave it unset.",
                )
        if flags.skip_param_guessing:
            guessing = [k for k, c in params.items() if c.mode not in ("locked", "ignored")]
            if guessing:
                raise BadRequest(
                    f"params: with skip_param_guessing every param must be 'locked' or 'ignored'; "
                    f"{', '.join(repr(k) for k in guessing)} {'is' if len(guessing) == 1 else 'are'} not.",
                    hint="Lock those params to exact values, or drop skip_param_guessing.",
                )

    async def execute(self, caller: Caller, request: ExecutionInput) -> dict[str, Any]:
        """Run (or preview) an action and return Zapier's ExecuteResponse as a dict."""
        return (await self.run(caller, request)).response

    async def run(self, caller: Caller, request: ExecutionInput) -> Executed:
        """``execute``, also telling which needs halted the run and whether a failure is worth retrying."""
        app, action = self.find_action(request.app, request.action)
        self.check_params(action, app, request.params, request.flags)
        self.executor.check_instructions(request.instructions, guess=not request.flags.skip_param_guessing)
        credentials = await self.credentials.for_execution(request.account_id, app, request.authentication_id)
        retry_of: str | None = None
        if request.idempotency_key:
            prior = await self._prior(request)
            if prior is not None and prior.status == "interrupted":
                retry_of = prior.id
            elif prior is not None and prior.response is not None:
                return Executed(prior.response, retryable=bool(prior.retryable))
        await self.leases.start()  # registered before any log names this instance
        log_id = new_ulid()
        used = f"{app.name}: {action.name}"
        input_params = redact(
            {k: c.model_dump(exclude_none=False) for k, c in request.params.items()}, action.secret_keys
        )
        started = time.perf_counter()
        await self._start_log(caller, request, log_id, input_params, action.type, retry_of)
        job = ExecutionJob(
            app=app,
            action=action,
            instructions=request.instructions,
            params={k: ParamHint(c.mode, c.value) for k, c in request.params.items()},
            preview=request.flags.preview_only,
            skip_guessing=request.flags.skip_param_guessing,
            token_budget=request.flags.token_budget,
            credentials=credentials.fields,
            choice_cache=self.choice_cache.bind(
                account_id=request.account_id,
                authentication_id=credentials.authentication_id,
                app=app,
                action=action,
            )
            if self.choice_cache is not None
            else None,
            account_id=request.account_id,
            renewal=credentials.renewal,
        )
        try:
            outcome = await self.executor.run(job)
        except (ResolutionInputError, InputRejected) as exc:
            message = exc.message
            await self._finish_log(log_id, _rejected(log_id, used, input_params, message), started, None)
            code = getattr(exc, "code", "invalid_param")
            raise BadRequest(message, hint=getattr(exc, "hint", None), code=code) from exc
        if outcome.auth_expired and credentials.authentication_id is not None:
            await self.credentials.mark_stale(credentials.authentication_id)
            outcome.error = await self._with_reconnect_link(outcome.error or "", caller, request, app, credentials)
        response = _response(log_id, used, input_params, outcome)
        await self._finish_log(log_id, response, started, outcome)
        return Executed(response, tuple(outcome.unresolved), outcome.retryable, outcome.retry_after)

    async def _with_reconnect_link(
        self, error: str, caller: Caller, request: ExecutionInput, app: App, credentials: Credentials
    ) -> str:
        """``auth_expired: …`` and, for an app that connects with OAuth, a link that reconnects the authentication."""
        auth_id = credentials.authentication_id
        text = error if error.startswith(AUTH_EXPIRED) else f"{AUTH_EXPIRED}: {error}"
        if self.reconnect is None or auth_id is None:
            return text
        link = await self.reconnect(request.account_id, caller.user_id, app, auth_id)
        if not link:
            return text
        text = text.removesuffix(" Reconnect it.")
        return f"{text} Reconnect it by opening {link} (it works once, within minutes)."

    async def _prior(self, request: ExecutionInput) -> ExecutionLog | None:
        """The log this request's Idempotency-Key first produced: completed or interrupted; 409 while it runs."""
        key = request.idempotency_key or ""
        async with self.sessions() as session:
            log = await repo.by_idempotency_key(session, request.account_id, key)
        if log is None:
            return None
        if log.request_hash != request.request_fingerprint:
            raise BadRequest(
                "Idempotency-Key was already used for a different request.",
                hint="Use a new Idempotency-Key for a new request.",
                code="idempotency_key_reused",
            )
        if log.response is None and log.status == "running":
            # Its process may have died since the last sweep: sweep now, so a retry need not wait for one.
            if await self.leases.sweep():
                async with self.sessions() as session:
                    log = await repo.by_idempotency_key(session, request.account_id, key)
            if log is not None and log.status == "running":
                raise Conflict(
                    "A request with this Idempotency-Key is still running.",
                    hint="Retry in a moment to get its result. If the server running it stopped, the run is "
                    f"marked interrupted within {self.leases.lease_seconds:g} s and a retry with this key runs "
                    "it again.",
                    code="idempotency_in_progress",
                )
        return log

    async def _start_log(
        self,
        caller: Caller,
        request: ExecutionInput,
        log_id: str,
        input_params: dict[str, Any],
        type_: str,
        retry_of: str | None,
    ) -> None:
        values = {
            "id": log_id,
            "account_id": request.account_id,
            "user_id": caller.user_id,
            "ai_action_id": request.ai_action_id,
            "app": request.app,
            "action": request.action,
            "action_type": type_,
            "status": "running",
            "instructions": request.instructions,
            "input_params": input_params,
            "idempotency_key": request.idempotency_key or None,  # an empty header is no key
            "request_hash": request.request_fingerprint,
            "created_at": dt.datetime.now(dt.UTC),
            "instance_id": self.leases.instance_id,
        }
        if not request.idempotency_key:
            await self.batcher.submit(repo.INSERT_LOG, values)
            return
        try:
            async with self.sessions() as session, session.begin():
                # A retry of an interrupted run takes its key over; the interrupted log stays, pointing here.
                if retry_of is not None and not await repo.take_over_key(
                    session, retry_of, request.idempotency_key, log_id
                ):
                    raise _KeyTaken
                await repo.insert_log(session, values)
        except (IntegrityError, _KeyTaken):
            # Another request with this key got in first: 409 while it runs, else this one.
            await self._prior(request)
            raise Conflict(
                "A request with this Idempotency-Key has just completed.",
                hint="Retry to get its result.",
                code="idempotency_in_progress",
            ) from None

    async def _finish_log(
        self, log_id: str, response: dict[str, Any], started: float, outcome: ExecutionOutcome | None
    ) -> None:
        values: dict[str, Any] = {
            "status": response["status"],
            "response": response,
            "error": response.get("error"),
            "duration_ms": (time.perf_counter() - started) * 1000,
            "completed_at": dt.datetime.now(dt.UTC),
        }
        usage = outcome.usage if outcome is not None else None
        values.update(
            model=usage.model if usage else None,
            input_tokens=usage.input_tokens if usage else 0,
            output_tokens=usage.output_tokens if usage else 0,
            resolve_ms=outcome.resolve_ms if outcome is not None else 0.0,
            retryable=outcome.retryable if outcome is not None else False,
            retry_after_seconds=outcome.retry_after if outcome is not None else None,
            resolution=(
                {"resolved_by": outcome.resolved_by, "notes": outcome.resolver_notes}
                if outcome is not None and (outcome.resolved_by or outcome.resolver_notes)
                else None
            ),
        )
        await self.batcher.submit(repo.FINISH_LOG, repo.finish_params(log_id, values))

    async def rate(
        self, caller: Caller, account_id: int, log_id: str, rating: int | None, feedback: str | None
    ) -> dict[str, Any]:
        """Patch a rating and feedback onto a log of the caller's account; returns the log's response."""
        ulid = parse_id(log_id)
        async with self.sessions() as session, session.begin():
            log = await repo.get_log(session, account_id, ulid) if ulid else None
            if log is None:
                raise NotFound(f"execution log '{log_id}' was not found in this account.")
            if rating is not None:
                log.rating = rating
            if feedback is not None:
                log.feedback = feedback
        return response_of(log, self.registry)

    async def get_log(self, account_id: int, log_id: str) -> ExecutionLog:
        """A log of the account by id, else 404."""
        ulid = parse_id(log_id)
        async with self.sessions() as session:
            log = await repo.get_log(session, account_id, ulid) if ulid else None
        if log is None:
            raise NotFound(f"execution log '{log_id}' was not found in this account.")
        return log

    async def log_detail(self, account_id: int, log_id: str) -> dict[str, Any]:
        """A log of the account as an item of the log listing, else 404."""
        return log_item(await self.get_log(account_id, log_id), self.registry)

    async def list_logs(
        self, account_id: int, filters: repo.LogFilters, cursor: str | None, limit: int
    ) -> dict[str, Any]:
        """A page of the account's logs, newest first, and the cursor of the next page (or None)."""
        before = decode_cursor(cursor) if cursor is not None else None
        if filters.since is not None:
            filters = dataclasses.replace(filters, since=_since_utc(filters.since))
        async with self.sessions() as session:
            rows = list(await repo.list_logs(session, account_id, filters, before, limit + 1))
        page = rows[:limit]
        return {
            "results": [log_item(row, self.registry) for row in page],
            "next": encode_cursor(page[-1].id) if len(rows) > limit else None,
        }


def _response(log_id: str, action_used: str, input_params: dict[str, Any], outcome: ExecutionOutcome) -> dict[str, Any]:
    return {
        "execution_log_id": log_id,
        "action_used": action_used,
        "input_params": input_params,
        "resolved_params": outcome.resolved_params,
        "results": outcome.results,
        "full_results": outcome.full_results,
        "result_field_labels": outcome.result_field_labels,
        "status": outcome.status,
        "error": outcome.error,
    }


def _rejected(log_id: str, action_used: str, input_params: dict[str, Any], message: str) -> dict[str, Any]:
    return _response(log_id, action_used, input_params, ExecutionOutcome("error", error=message))


class _KeyTaken(Exception):
    """Another retry took the interrupted run's Idempotency-Key first."""


def response_of(log: ExecutionLog, registry: Registry | None = None) -> dict[str, Any]:
    """A log as Zapier's ExecuteResponse, with its rating and feedback; ``running`` while it runs."""
    if log.response is not None:
        body = dict(log.response)
    else:
        error = (log.error or INTERRUPTED_ERROR) if log.status == "interrupted" else log.error
        body = unfinished_body(log, action_used(registry, log.app, log.action), log.status, error)
    body["rating"] = log.rating
    body["feedback"] = log.feedback
    return body


def _since_utc(since: dt.datetime) -> dt.datetime:
    """``since`` in UTC (UTC when it has no offset); a 400 when that is outside the calendar."""
    try:
        return (since if since.tzinfo else since.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)
    except OverflowError:
        raise BadRequest(
            f"since: {since.isoformat()} is out of range in UTC.",
            hint="Send an ISO 8601 time such as 2026-12-01T00:00:00Z.",
            code="invalid_since",
        ) from None


def _utc(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).astimezone(dt.UTC).isoformat()


def log_item(log: ExecutionLog, registry: Registry | None = None) -> dict[str, Any]:
    """A log as an item of ``GET /api/v2/execute/log/``: its response plus when and what it ran."""
    return {
        **response_of(log, registry),
        "ai_action_id": log.ai_action_id,
        "created_at": _utc(log.created_at),
        "completed_at": _utc(log.completed_at),
        "retried_by": log.retried_by,
        "resolved_by": (log.resolution or {}).get("resolved_by"),
        "resolver_notes": (log.resolution or {}).get("notes") or [],
    }


def encode_cursor(before_id: str) -> str:
    """The opaque ``next`` cursor of a page ending at ``before_id``."""
    return base64.urlsafe_b64encode(json.dumps({"before": before_id}).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> str:
    """The log id a cursor continues after; a 400 naming ``cursor`` when it is not one this API issued."""
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        before = parse_id(data["before"]) if isinstance(data, dict) and isinstance(data.get("before"), str) else None
    except (ValueError, binascii.Error):
        before = None
    if before is None:
        raise BadRequest(
            "cursor: this is not a cursor this API issued.",
            hint="Pass the `next` value of the previous page unchanged, or leave cursor out for the first page.",
            code="invalid_cursor",
        )
    return before
