"""CSRF tokens bound to the session: every form posts ``csrf_token``, which must equal the session's."""

from __future__ import annotations

import hmac
import secrets

from nlactions.web.session import WebSession

FIELD = "csrf_token"


class CsrfRejected(Exception):
    """A form post without the session's CSRF token (forged, stale, or the cookie is gone)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def csrf_token(session: WebSession) -> str:
    """The session's token, made on first use."""
    token = session.data.get("c")
    if not isinstance(token, str) or not token:
        token = session.data["c"] = secrets.token_urlsafe(32)
    return token


def check_csrf(session: WebSession | None, submitted: object) -> None:
    """Pass when ``submitted`` is the session's token; ``CsrfRejected`` saying why otherwise."""
    if session is None or session.fresh or not isinstance(session.data.get("c"), str):
        raise CsrfRejected(
            "Your session cookie is missing or has expired, so this form cannot be trusted. Reload the page "
            "and send the form again (cookies must be allowed for this site)."
        )
    if not isinstance(submitted, str) or not submitted:
        raise CsrfRejected("The form was sent without its csrf_token field. Reload the page and send it again.")
    if not hmac.compare_digest(submitted.encode(), str(session.data["c"]).encode()):
        raise CsrfRejected("The form's csrf_token does not match your session. Reload the page and send it again.")
