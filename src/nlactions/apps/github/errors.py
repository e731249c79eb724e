"""GitHub's error answers as messages an agent can act on (404 visibility, 403 scopes and limits, 422 fields)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from nlactions.catalog import (
    AppError,
    AuthExpired,
    InvalidInput,
    UpstreamError,
    error_message,
    is_rate_limited,
    rate_limit_error,
    retry_delay,
)

SERVICE = "GitHub"
SECONDARY_WAIT_SECONDS = 60.0
TOKEN_HINT = (
    "Create a new personal access token (Settings → Developer settings → Personal access tokens) and "
    "reconnect the GitHub authentication with it."
)
SCOPE_HINT = (
    "Give the token access to the repository: a fine-grained token needs the repository selected with "
    "'Issues: Read and write' (and 'Pull requests: Read and write' for pull requests); a classic token "
    "needs the `repo` scope (`public_repo` is enough for public repositories)."
)
_CODES = {
    "missing_field": "is required by GitHub and was not given",
    "missing": "refers to something that does not exist",
    "already_exists": "already exists",
    "unprocessable": "could not be processed",
}


def _body(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _is_secondary(said: str) -> bool:
    lowered = said.lower()
    return "secondary rate limit" in lowered or "abuse" in lowered


def _problem(item: Mapping[str, Any]) -> str:
    code = str(item.get("code", ""))
    message = item.get("message")
    value = item.get("value")
    if code == "custom" and isinstance(message, str):
        return message
    if code == "invalid":
        shown = f" {value!r}" if value not in (None, "") else ""
        return f"GitHub rejected the value{shown}" + (f": {message}" if isinstance(message, str) else "")
    text = _CODES.get(code, f"failed GitHub's validation ({code or 'no code'})")
    return text + (f": {message}" if isinstance(message, str) and message not in text else "")


def validation_error(response: httpx.Response, fields: Mapping[str, str]) -> AppError:
    """A 422: InvalidInput naming the need of the first field GitHub names, else an UpstreamError in its words."""
    body = _body(response)
    items = [item for item in body.get("errors", []) if isinstance(item, dict)]
    said = error_message(response) or "Validation Failed"
    named = [(fields.get(str(item.get("field", ""))), item) for item in items]
    for need, item in named:
        if need is not None:
            others = [
                f"params.{other}: {_problem(rest)}" if other else _problem(rest)
                for other, rest in named
                if rest is not item
            ]
            extra = f" (also: {'; '.join(others)})" if others else ""
            return InvalidInput(need, f"{_problem(item)}{extra}.", hint=f"GitHub answered 422 {said}.")
    details = (
        "; ".join((f"{item.get('field')}: " if item.get("field") else "") + _problem(item) for item in items) or said
    )
    return UpstreamError(
        f"GitHub refused the request (422 {said}): {details}.",
        hint="Change the values GitHub names and try again.",
        status_code=422,
    )


def github_error(
    response: httpx.Response,
    *,
    repo: str | None = None,
    fields: Mapping[str, str] | None = None,
    not_found: str | None = None,
) -> AppError:
    """The catalog error for one of GitHub's error answers."""
    status = response.status_code
    said = error_message(response)
    if status == 401:
        return AuthExpired(f"GitHub answered 401 Unauthorized: {said or 'Bad credentials'}.", hint=TOKEN_HINT)
    if status in (403, 429) and (is_rate_limited(response) or _is_secondary(said)):
        delay = retry_delay(response)
        if delay is None and _is_secondary(said):
            delay = SECONDARY_WAIT_SECONDS
        return rate_limit_error(response, service=SERVICE, delay=delay)
    if status == 403:
        where = f" on {repo}" if repo else ""
        return UpstreamError(
            f"GitHub answered 403 Forbidden{where}: {said or 'the token may not do this'}.",
            hint=SCOPE_HINT,
            status_code=status,
        )
    if status == 404:
        what = not_found or (f"Repository {repo}" if repo else "The requested GitHub resource")
        return UpstreamError(
            f"GitHub answered 404 Not Found: {what} was not found or the token cannot see it; check owner/repo "
            "and that the token has the `repo` scope (or, for a fine-grained token, access to that repository).",
            hint=SCOPE_HINT,
            status_code=status,
        )
    if status == 410:
        return UpstreamError(f"GitHub answered 410 Gone: {said}.", hint="Enable the feature on the repository.")
    if status == 422:
        return validation_error(response, fields or {})
    hint = "GitHub failed; try again later." if status >= 500 else "Check the values sent."
    return UpstreamError(f"GitHub answered {status}: {said or response.reason_phrase}.", hint=hint, status_code=status)
