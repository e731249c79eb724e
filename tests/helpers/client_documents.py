"""A client's web site on 127.0.0.1 serving Client ID Metadata Documents, counting fetches."""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from helpers.threaded_server import ThreadedServer

__all__ = ["DocumentServer"]


class DocumentServer(ThreadedServer):
    """``GET /<name>.json`` answers ``documents[name]`` (404 when absent); ``fetches`` counts requests per name."""

    label = "client metadata document server"

    def __init__(self) -> None:
        super().__init__()
        self.documents: dict[str, Any] = {}
        self.fetches: dict[str, int] = {}
        self.serve(Starlette(routes=[Route("/{name}.json", self._document)]))

    def url(self, name: str) -> str:
        """The URL (the client_id) of document ``name``."""
        return f"http://127.0.0.1:{self.port}/{name}.json"

    async def _document(self, request: Request) -> Response:
        name = request.path_params["name"]
        self.fetches[name] = self.fetches.get(name, 0) + 1
        if name not in self.documents:
            return JSONResponse({"detail": "no such document"}, status_code=404)
        return JSONResponse(self.documents[name])
