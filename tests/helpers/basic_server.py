"""A tiny vendor API on 127.0.0.1 that accepts one username/password with HTTP Basic and refuses others.

``GET /me`` answers ``{"name", "username"}`` for the right credentials and 401 ``{"message"}`` otherwise.
Change ``server.password`` to play a password rotated at the service. Use as a context manager.
"""

from __future__ import annotations

import base64
import socket
import threading
import time

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

__all__ = ["BasicServer"]


class BasicServer:
    """A Basic-auth protected ``/me`` served by uvicorn in a thread on a free port."""

    def __init__(self, username: str = "alice", password: str = "correct horse", name: str = "Alice Example"):
        self.username = username
        self.password = password
        self.name = name
        self.seen_authorization: list[str] = []
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(("127.0.0.1", 0))
        self.port: int = self._socket.getsockname()[1]
        app = Starlette(routes=[Route("/me", self._me)])
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off", http="h11", ws="none")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True)

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

    def __enter__(self) -> BasicServer:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("basic-auth server did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._socket.close()
