"""A real HTTP server on 127.0.0.1 for tests: it echoes requests and answers as told.

Routes (any method):

- ``/status/{code}``: answers ``code`` with a short text body.
- ``/redirect?to=URL[&status=302]``: redirects to ``URL`` (to itself, forever, without ``to``).
- ``/respond?status=200&type=text/plain&body=...[&repeat=1][&encoding=utf-8][&retry_after=30]``: answers
  exactly that (``body`` repeated ``repeat`` times, encoded with ``encoding``, a ``Retry-After`` header).
- anything else: a JSON echo of the request, ``{"method", "path", "query", "headers", "body", "json"}``
  (header names lower-cased; ``json`` is the parsed body or null).

Use it as a context manager (``with EchoServer() as server: server.url("/x")``) or build a pytest
fixture around ``echo_server()``.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

__all__ = ["EchoServer", "echo_server"]

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


async def _status(request: Request) -> Response:
    code = int(request.path_params["code"])
    return PlainTextResponse(f"status {code} from the echo server", status_code=code)


async def _redirect(request: Request) -> Response:
    status = int(request.query_params.get("status", "302"))
    return RedirectResponse(request.query_params.get("to", str(request.url)), status_code=status)


async def _respond(request: Request) -> Response:
    params = request.query_params
    text = params.get("body", "") * int(params.get("repeat", "1"))
    retry_after = params.get("retry_after")
    return Response(
        text.encode(params.get("encoding", "utf-8")),
        status_code=int(params.get("status", "200")),
        media_type=params.get("type", "text/plain"),
        headers={"Retry-After": retry_after} if retry_after else None,
    )


async def _echo(request: Request) -> Response:
    raw = await request.body()
    text = raw.decode("utf-8", errors="replace")
    try:
        parsed: Any = json.loads(text) if text else None
    except ValueError:
        parsed = None
    return JSONResponse(
        {
            "method": request.method,
            "path": request.url.path,
            "query": dict(request.query_params),
            "headers": {name.lower(): value for name, value in request.headers.items()},
            "body": text,
            "json": parsed,
        }
    )


def build_app() -> Starlette:
    """The echo server's ASGI app."""
    return Starlette(
        routes=[
            Route("/status/{code:int}", _status, methods=METHODS),
            Route("/redirect", _redirect, methods=METHODS),
            Route("/respond", _respond, methods=METHODS),
            Route("/{path:path}", _echo, methods=METHODS),
        ]
    )


class EchoServer:
    """The echo app served by uvicorn in a background thread on a free port of ``host``.

    With ``certfile`` and ``keyfile`` (PEM paths) it serves HTTPS.
    """

    def __init__(self, host: str = "127.0.0.1", *, certfile: str | None = None, keyfile: str | None = None):
        self.host = host
        self.scheme = "https" if certfile else "http"
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind((host, 0))
        self.port: int = self._socket.getsockname()[1]
        config = uvicorn.Config(
            build_app(),
            log_level="warning",
            access_log=False,
            lifespan="off",
            http="h11",
            ws="none",
            loop="asyncio",
            ssl_certfile=certfile,
            ssl_keyfile=keyfile,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True)

    @property
    def base_url(self) -> str:
        """``http://host:port`` (``https`` when serving TLS)."""
        return f"{self.scheme}://{self.host}:{self.port}"

    def url(self, path: str = "/") -> str:
        """An absolute URL on this server."""
        return self.base_url + path

    def start(self) -> None:
        """Start serving; returns once the server accepts connections."""
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("echo server did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        """Stop serving and wait for the thread to end."""
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._socket.close()

    def __enter__(self) -> EchoServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


@contextmanager
def echo_server(host: str = "127.0.0.1") -> Iterator[EchoServer]:
    """A running ``EchoServer`` for the duration of the block."""
    with EchoServer(host) as server:
        yield server
