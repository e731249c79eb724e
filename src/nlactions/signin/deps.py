"""Dependencies for pages: the request's web session, the signed-in user, and ``require_user``."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request
from starlette.responses import Response

from nlactions.api.deps import runtime_of
from nlactions.signin.service import SignedIn, signed_in
from nlactions.web.csrf import csrf_token
from nlactions.web.session import SessionCodec, WebSession

STATE = "web_session"


class SignInRequired(Exception):
    """A page needs a signed-in user; answered with a redirect to the sign-in page that comes back to ``next``."""

    def __init__(self, next_path: str):
        super().__init__(next_path)
        self.next_path = next_path

    @property
    def location(self) -> str:
        """The sign-in page's URL with ``next`` set."""
        return "/signin/?next=" + quote(self.next_path, safe="/")


def codec_of(request: Request) -> SessionCodec:
    """The session cookie codec, built once per app from the runtime's session keys."""
    state = request.app.state
    codec = getattr(state, "session_codec", None)
    if codec is None:
        runtime = runtime_of(request)
        codec = state.session_codec = SessionCodec(runtime.session_secrets, runtime.settings.session_max_age_seconds)
    return codec


def web_session(request: Request) -> WebSession:
    """The request's session from its cookie, or a fresh one (kept on the request for the response to save)."""
    existing = getattr(request.state, STATE, None)
    if isinstance(existing, WebSession):
        return existing
    session = codec_of(request).load(request) or WebSession(fresh=True)
    setattr(request.state, STATE, session)
    return session


def save_session(request: Request, response: Response, *, force: bool = False) -> Response:
    """Set the session cookie on ``response`` when the session is new or ``force`` (it changed)."""
    session = web_session(request)
    if session.fresh or force:
        codec_of(request).save(request, response, session)
    return response


async def current_user(request: Request) -> SignedIn | None:
    """The signed-in user, or None (no session, expired, user gone, password changed, no account)."""
    session = web_session(request)
    if session.user_id is None:
        return None
    async with runtime_of(request).sessions() as db:
        return await signed_in(db, session, csrf_token(session))


async def require_user(request: Request) -> SignedIn:
    """The signed-in user; otherwise a redirect to ``/signin/?next=<this page>``."""
    user = await current_user(request)
    if user is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInRequired(target if request.method in ("GET", "HEAD") else request.url.path)
    return user


CurrentUserDep = Annotated[SignedIn | None, Depends(current_user)]
UserDep = Annotated[SignedIn, Depends(require_user)]
