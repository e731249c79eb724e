"""The web session: a signed (not encrypted) HttpOnly cookie holding ids only, never secrets."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

COOKIE = "nlactions_session"
SALT = "nlactions.web.session"


@dataclass
class WebSession:
    """What the cookie says: the CSRF token, and once signed in the user, current account and password stamp."""

    data: dict[str, Any] = field(default_factory=dict)
    fresh: bool = False
    """Made for this request (no valid cookie came in): the response must set it."""

    @property
    def user_id(self) -> int | None:
        """The signed-in user's id, if any."""
        value = self.data.get("u")
        return value if isinstance(value, int) else None

    @property
    def account_id(self) -> int | None:
        """The account the user acts in (the switcher changes it)."""
        value = self.data.get("a")
        return value if isinstance(value, int) else None


class SessionCodec:
    """Signs and reads session cookies with the runtime's session keys (the first signs; all verify)."""

    def __init__(self, secrets: list[str], max_age_seconds: int):
        self._serializer = URLSafeTimedSerializer(secrets, salt=SALT)
        self.max_age = max_age_seconds

    def load(self, request: Request) -> WebSession | None:
        """The request's session, or None when there is no cookie or it is forged, garbled or expired."""
        raw = request.cookies.get(COOKIE)
        if not raw or len(raw) > 4096:
            return None
        try:
            data = self._serializer.loads(raw, max_age=self.max_age)
        except BadSignature:
            return None
        return WebSession(data) if isinstance(data, dict) else None

    def save(self, request: Request, response: Response, session: WebSession) -> None:
        """Set the cookie: HttpOnly, SameSite=Lax, path /, Secure when the page was served over https."""
        response.set_cookie(
            COOKIE,
            self._serializer.dumps(session.data),
            max_age=self.max_age,
            path="/",
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
        )

    @staticmethod
    def clear(request: Request, response: Response) -> None:
        """Remove the cookie."""
        response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax", secure=request.url.scheme == "https")
