"""What a failed choice load becomes for the caller: the service's own words, never a 500."""

from __future__ import annotations

import logging

from nlactions.catalog import AppError, AuthExpired, OAuth2Auth
from nlactions.choices.prefill import PrefillTarget
from nlactions.errors import NLActionsError, PreconditionFailed
from nlactions.kit.redact import scrubbed_traceback

log = logging.getLogger(__name__)


class UpstreamFailed(NLActionsError):
    """The app's service failed while loading choices (502)."""

    status = 502
    code = "upstream_error"


class LoaderTimedOut(Exception):
    """One page of a choice loader took longer than the allowed time."""


def _reconnect_hint(target: PrefillTarget, authentication_id: int | None) -> str:
    key = target.app.key
    if authentication_id is None:
        return f"Reconnect the authentication (GET /api/v2/apps/{key}/auths/ lists them), then retry."
    how = (
        f'POST /api/v2/apps/{key}/auths/connect/ with {{"authentication_id": {authentication_id}}} returns a link '
        "that reconnects it"
        if _connectable(target)
        else f"update its fields with PUT /api/v2/apps/{key}/auths/{authentication_id}/"
    )
    return f"Reconnect authentication {authentication_id}: {how}; then retry."


def _connectable(target: PrefillTarget) -> bool:
    auth = target.app.auth
    return isinstance(auth, OAuth2Auth) and auth.connectable


def load_failure(target: PrefillTarget, exc: BaseException, authentication_id: int | None = None) -> NLActionsError:
    """The API error for a load of ``target`` that raised ``exc`` with ``authentication_id``'s credentials."""
    where = f"{target.app.name} ({target.app.key})"
    what = f"the choices of '{target.need.key}' ({target.need.label})"
    if isinstance(exc, NLActionsError):
        return exc
    if isinstance(exc, AuthExpired):
        return PreconditionFailed(
            f"{where} refused the stored authentication while loading {what}: {exc.message}",
            hint=_reconnect_hint(target, authentication_id),
            code="auth_expired",
        )
    if isinstance(exc, AppError):
        return UpstreamFailed(
            f"{where} failed while loading {what}: {exc.message}",
            hint=exc.hint or "Retry later; add force_refresh=true to reload at once.",
        )
    if isinstance(exc, LoaderTimedOut):
        return UpstreamFailed(f"{where} did not answer in time while loading {what}: {exc}", hint="Retry later.")
    # The message of an arbitrary exception may carry a URL with a key in it: log its type only,
    # and the traceback (secret-looking query parameters scrubbed) at debug level.
    log.error("choice loader %s of %s failed: %s", target.name, target.app.key, type(exc).__name__)
    log.debug("choice loader %s of %s failed:\n%s", target.name, target.app.key, scrubbed_traceback(exc))
    return UpstreamFailed(
        f"Loading {what} from {where} failed unexpectedly ({type(exc).__name__}).",
        hint="Retry later; if it persists, check the server logs.",
    )
