"""A tiny vendor API on 127.0.0.1 that accepts one username/password with HTTP Basic and refuses others.

``GET /me`` answers ``{"name", "username"}`` for the right credentials and 401 ``{"message"}`` otherwise.
Change ``server.password`` to play a password rotated at the service. Use as a context manager.
"""

from __future__ import annotations

import base64

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from helpers.threaded_server import ThreadedServer

__all__ = ["BasicServer"]


class BasicServer(ThreadedServer):
    """A Basic-auth protected ``/me`` served by uvicorn in a thread on a free port."""

    label = "basic-auth server"

    def __init__(self, username: str = "alice", password: str = "correct horse", name: str = "Alice Example"):
        super().__init__()
        self.username = username
        self.password = password
        self.name = name
        self.seen_authorization: list[str] = []
        self.serve(Starlette(routes=[Route("/me", self._me)]))

    @property
    def url(self) -> str:
        """``http://127.0.0.1:port``."""
        return f"http://127.0.0.1:{self.port}"

    async def _me(self, request: Request) -> Response:
        header = request.headers.get("authorization", "")
        self.seen_authorization.append(header)
        expected = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
        if header != f"Basic {expected}":
            return JSONResponse({"message": "Invalid username or password."}, status_code=401)
        return JSONResponse({"name": self.name, "username": self.username})
