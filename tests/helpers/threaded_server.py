"""An ASGI app served by uvicorn in a thread on a free loopback port: the base of the vendor peers."""

from __future__ import annotations

import socket
import threading
import time
from typing import Self

import uvicorn
from starlette.types import ASGIApp

__all__ = ["ThreadedServer"]


class ThreadedServer:
    """Binds 127.0.0.1 at construction (so ``port`` is known at once); serves while used as a context manager."""

    label = "server"

    def __init__(self) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(("127.0.0.1", 0))
        self.port: int = self._socket.getsockname()[1]
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def serve(self, app: ASGIApp) -> None:
        """Use ``app`` for the requests (call once, from the subclass's ``__init__``)."""
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off", http="h11", ws="none")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True)

    def __enter__(self) -> Self:
        assert self._server is not None and self._thread is not None, "call serve(app) first"
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"{self.label} did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None and self._thread is not None
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._socket.close()
