"""The executor: resolve → validate → preview | perform, within a timeout, results shaped and redacted."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import httpx
from pydantic import ValidationError

from nlactions.catalog import Action, ActionContext, App, AppError, AuthExpired, InvalidInput, NeedSpec, UpstreamError
from nlactions.catalog.custom import custom_loader_need, validate_custom
from nlactions.errors import Unprocessable
from nlactions.execution.choices import ActionChoiceSource, ChoiceCache
from nlactions.execution.results import field_labels, shape_records, truncate_records
from nlactions.kit.redact import redact, scrub, scrubbed_traceback
from nlactions.kit.ssrf import BlockedDestination
from nlactions.resolver.base import (
    ParamHint,
    Resolution,
    ResolutionInputError,
    ResolutionRequest,
    Resolver,
    UnresolvedNeed,
    Usage,
)

Status = Literal["success", "empty", "halted", "error", "preview"]
HttpFactory = Callable[[httpx.Auth | None], httpx.AsyncClient]
SEARCH_TYPES = frozenset({"search", "read", "read_bulk"})

log = logging.getLogger(__name__)


@dataclass(slots=True)
class ExecutionJob:
    """One request to run (or preview) an action."""

    app: App
    action: Action
    instructions: str
    params: Mapping[str, ParamHint]
    preview: bool = False
    skip_guessing: bool = False
    token_budget: int = 1000
    credentials: Mapping[str, str] = field(default_factory=dict)
    now: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    choice_cache: ChoiceCache | None = None
    account_id: int | None = None
    renewal: CredentialRenewal | None = None


class CredentialRenewal(Protocol):
    """Fresh credentials after the service refused the job's (an OAuth refresh); the authentications service's."""

    async def renew(self, token: str | None = None) -> Mapping[str, str] | None:
        """The renewed credential fields (``token``: which of the app's tokens was refused), or None."""
        ...


@dataclass(slots=True)
class ExecutionOutcome:
    """What happened, in the terms of Zapier's ExecuteResponse."""

    status: Status
    resolved_params: dict[str, Any] | None = None
    results: list[dict[str, Any]] = field(default_factory=list)
    full_results: list[dict[str, Any]] = field(default_factory=list)
    result_field_labels: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    unresolved: list[UnresolvedNeed] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    resolve_ms: float = 0.0
    perform_ms: float = 0.0
    auth_expired: bool = False
    expired_token: str | None = None  # which side token the service refused (AuthExpired.token); None: the main one
    retryable: bool = False  # the same call may succeed later (the service was rate limiting or failing)
    retry_after: float | None = None  # seconds the service asked to wait first
    resolved_by: dict[str, str] = field(default_factory=dict)  # need -> the resolver that decided it
    resolver_notes: list[str] = field(default_factory=list)  # e.g. an LLM call that failed


class InstructionsTooLong(Unprocessable):
    """Instructions longer than the resolver reads, sent for guessing (422 naming ``instructions``)."""

    code = "instructions_too_long"

    def __init__(self, length: int, limit: int):
        super().__init__(
            f"instructions: {length:,} characters are too many to guess params from; "
            f"the resolver reads at most {limit:,} characters.",
            hint=f"Shorten the instructions to at most {limit:,} characters (the server's "
            "NLACTIONS_MAX_INSTRUCTION_CHARS), or lock every param and send skip_param_guessing=true.",
        )


class InputRejected(Exception):
    """A caller-supplied value failed the action's input model; carries a message naming the need."""

    def __init__(self, need: str, message: str):
        super().__init__(message)
        self.need = need
        self.message = message


def halted_message(action: Action, unresolved: list[UnresolvedNeed], custom: list[NeedSpec] | None = None) -> str:
    """A message an agent can act on: which needs, what kind of value, the closest choices."""
    parts = []
    needs = {**{n.key: n for n in custom or ()}, **action.needs_by_key}
    for item in unresolved:
        need = needs[item.key]
        kind = "one of its choices" if need.has_choices else f"a {need.type} value"
        text = f"'{need.key}' ({need.label}, {kind}): {item.reason}"
        if item.closest:
            text += "; closest choices: " + ", ".join(f"{c.label} (id {c.key})" for c in item.closest)
        parts.append(text)
    return (
        "Not run: required needs could not be resolved. "
        + " | ".join(parts)
        + ". Say them in the instructions, or send params with mode 'locked' (an exact value or choice id)"
        " or 'guess' (a hint)."
    )


def _host(exc: httpx.RequestError | httpx.HTTPStatusError) -> str:
    try:
        return exc.request.url.host or "the service"
    except RuntimeError:
        return "the service"


def describe_failure(exc: Exception, app: App, stage: str, secrets: Sequence[str] = ()) -> tuple[str, bool]:
    """A message an agent can act on for an exception from an app, and whether its auth expired.

    ``secrets`` (see ``App.secret_values``) are scrubbed from the message and from the logged traceback.
    """
    message, expired = _failure(exc, app, stage, secrets)
    return scrub(message, secrets), expired


def _failure(exc: Exception, app: App, stage: str, secrets: Sequence[str]) -> tuple[str, bool]:
    if isinstance(exc, InvalidInput):
        return f"params.{exc.need}: {exc.message}" + (f" {exc.hint}" if exc.hint else ""), False
    if isinstance(exc, AuthExpired):
        return f"{app.name} refused the stored authentication: {exc.message} Reconnect it.", True
    if isinstance(exc, UpstreamError) and exc.retry_after is not None:
        wait = math.ceil(exc.retry_after)
        said = exc.message + ("" if exc.message.endswith((".", "!", "?", "…")) else ".")
        if exc.status_code == 429:
            return f"{said} Rate limited by the service; retry after {wait} s.", False
        return f"{said} The service asks to retry after {wait} s.", False
    if isinstance(exc, AppError):
        return exc.message + (f" {exc.hint}" if exc.hint else ""), False
    if isinstance(exc, BlockedDestination):
        return exc.message, False
    if isinstance(exc, httpx.TimeoutException):
        return f"{_host(exc)} did not answer in time ({type(exc).__name__}).", False
    if isinstance(exc, httpx.RequestError):
        return f"Could not reach {_host(exc)} ({type(exc).__name__}). Check the URL and the service.", False
    # An arbitrary exception's message (and its causes') may carry a URL with a key in it.
    log.error("%s of %s failed with %s\n%s", stage, app.key, type(exc).__name__, scrubbed_traceback(exc, secrets))
    if isinstance(exc, httpx.HTTPStatusError):
        answer = exc.response
        return f"The {stage} failed: {_host(exc)} answered {answer.status_code} {answer.reason_phrase}.", False
    return f"The {stage} failed unexpectedly ({type(exc).__name__}).", False


def _with_retry(outcome: ExecutionOutcome, exc: Exception) -> ExecutionOutcome:
    """Mark ``outcome`` retryable when the app's service said the call may be repeated (and when)."""
    if isinstance(exc, UpstreamError):
        outcome.retryable, outcome.retry_after = exc.retryable, exc.retry_after
    return outcome


class Executor:
    """Runs actions; knows nothing of HTTP requests, databases or tenants."""

    def __init__(
        self,
        resolver: Resolver,
        http: HttpFactory,
        *,
        timeout_seconds: float = 30.0,
        max_instruction_chars: int = 20_000,
    ):
        self.resolver = resolver
        self.http = http
        self.timeout_seconds = timeout_seconds
        self.max_instruction_chars = max_instruction_chars

    def check_instructions(self, instructions: str, *, guess: bool) -> None:
        """Raise ``InstructionsTooLong`` when guessing would read more than ``max_instruction_chars``."""
        if guess and len(instructions) > self.max_instruction_chars:
            raise InstructionsTooLong(len(instructions), self.max_instruction_chars)

    async def run(self, job: ExecutionJob) -> ExecutionOutcome:
        """Resolve the job's needs, then preview or perform; raises only for caller mistakes.

        When the service refuses the credentials and the job can renew them (an OAuth refresh), the job
        runs once more with the renewed ones.
        """
        outcome = await self._run_once(job)
        if outcome.auth_expired and job.renewal is not None:
            renewed = await job.renewal.renew(outcome.expired_token)
            if renewed is not None:
                job.credentials = renewed
                outcome = await self._run_once(job)
        return outcome

    async def _run_once(self, job: ExecutionJob) -> ExecutionOutcome:
        client: httpx.AsyncClient | None = None

        def http() -> httpx.AsyncClient:
            nonlocal client
            if client is None:
                client = self.http(job.app.auth.httpx_auth(job.credentials) if job.app.needs_auth else None)
            return client

        self.check_instructions(job.instructions, guess=not job.skip_guessing)
        started = time.perf_counter()
        try:
            try:
                async with asyncio.timeout(self.timeout_seconds) as deadline:
                    resolution = await self._resolve(job, http)
            except (ResolutionInputError, InputRejected):
                raise
            except Exception as exc:
                if isinstance(exc, TimeoutError) and deadline.expired():
                    return ExecutionOutcome(
                        "error",
                        error=f"Resolving the params did not finish within {self.timeout_seconds:g} s and was stopped.",
                        resolve_ms=(time.perf_counter() - started) * 1000,
                    )
                secrets = job.app.secret_values(job.credentials)
                message, expired = describe_failure(exc, job.app, "loading of choices", secrets)
                return _with_retry(
                    ExecutionOutcome(
                        "error",
                        error=message,
                        auth_expired=expired,
                        expired_token=exc.token if isinstance(exc, AuthExpired) else None,
                        resolve_ms=(time.perf_counter() - started) * 1000,
                    ),
                    exc,
                )
            resolve_ms = (time.perf_counter() - started) * 1000
            outcome = await self._after_resolution(job, resolution, http)
        finally:
            if client is not None:
                await client.aclose()
        outcome.usage = resolution.usage
        outcome.resolve_ms = resolve_ms
        outcome.resolved_by = resolution.sources
        outcome.resolver_notes = list(resolution.notes)
        return outcome

    async def _resolve(self, job: ExecutionJob, http: Callable[[], httpx.AsyncClient]) -> Resolution:
        request = ResolutionRequest(
            instructions=job.instructions,
            needs=job.action.needs,
            params=job.params,
            choices=ActionChoiceSource(http, job.credentials, job.choice_cache),
            now=job.now,
            action_label=f"{job.app.name}: {job.action.name}",
            action_description=job.action.description,
            guess=not job.skip_guessing,
            custom_loader=custom_loader_need(job.action),
        )
        return await self.resolver.resolve(request)

    async def _after_resolution(
        self, job: ExecutionJob, resolution: Resolution, http: Callable[[], httpx.AsyncClient]
    ) -> ExecutionOutcome:
        action = job.action
        custom = resolution.custom_needs
        secret_keys = action.secret_keys | {n.key for n in custom if n.secret}
        resolved = redact(resolution.params, secret_keys)
        needs = {**{n.key: n for n in custom}, **action.needs_by_key}
        missing = list(resolution.unresolved.values())
        for need in (*action.needs, *custom):
            if need.required and need.key not in resolution.values and need.key not in resolution.unresolved:
                hint = job.params.get(need.key)
                reason = (
                    "it is required but was sent with mode 'ignored'"
                    if hint is not None and hint.mode == "ignored"
                    else "no value was given and it has no default"
                )
                missing.append(UnresolvedNeed(need.key, reason))
        missing = [m for m in missing if m.key in needs and needs[m.key].required]
        if missing:
            return ExecutionOutcome(
                "halted", resolved, error=halted_message(action, missing, custom), unresolved=missing
            )
        try:
            declared = {k: v for k, v in resolution.params.items() if k in action.needs_by_key}
            params = action.input.model_validate(declared)
            # Custom needs' values: validated against their specs, handed to perform as ``params.custom``.
            params.with_custom(validate_custom(custom, resolution.params) if custom else {})
        except ValidationError as exc:
            first = exc.errors()[0]
            key = str(first["loc"][0]) if first["loc"] else ""
            source = resolution.values[key].source if key in resolution.values else ""
            message = f"params.{key}: {first['msg']}" if key else first["msg"]
            if source in ("locked", "hint", "choose_from"):
                raise InputRejected(key, message) from exc
            return ExecutionOutcome("halted", resolved, error=f"Not run: {message}")
        if job.preview:
            return ExecutionOutcome("preview", resolved)
        return await self._perform(job, params, resolved, http)

    async def _perform(
        self, job: ExecutionJob, params: Any, resolved: dict[str, Any], http: Callable[[], httpx.AsyncClient]
    ) -> ExecutionOutcome:
        action = job.action
        started = time.perf_counter()
        outcome = ExecutionOutcome("success", resolved)
        try:
            ctx = ActionContext(credentials=job.credentials, now=job.now, account_id=job.account_id, http_factory=http)
            async with asyncio.timeout(self.timeout_seconds):
                raw = await action.perform(ctx, params)
        except TimeoutError:
            outcome.status, outcome.error = (
                "error",
                (f"The action did not finish within {self.timeout_seconds:g} s and was stopped."),
            )
        except Exception as exc:
            outcome.status = "error"
            outcome.error, outcome.auth_expired = describe_failure(
                exc, job.app, "action", job.app.secret_values(job.credentials)
            )
            outcome.expired_token = exc.token if isinstance(exc, AuthExpired) else None
            _with_retry(outcome, exc)
        else:
            records = shape_records(raw, action.secret_keys, job.app.secret_values(job.credentials))
            outcome.full_results = records
            outcome.results = truncate_records(records, job.token_budget)
            outcome.result_field_labels = field_labels(records, action.gives)
            if not records and action.type in SEARCH_TYPES:
                outcome.status = "empty"
        outcome.perform_ms = (time.perf_counter() - started) * 1000
        return outcome
