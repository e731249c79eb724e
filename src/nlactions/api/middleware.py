"""ASGI middleware: slash-less API paths served as their slashed twin; request body limits."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from nlactions.kit.limits import MAX_DEPTH, Problem, find_problem, json_may_have_problem


class TrailingSlash:
    """Serve ``/api/…/x`` as ``/api/…/x/`` without a redirect (clients POST to both)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path: str = scope["path"]
            if path.startswith("/api/") and not path.endswith("/") and not path.endswith(".json"):
                scope = dict(scope)
                scope["path"] = path + "/"
                if scope.get("raw_path"):
                    scope["raw_path"] = scope["raw_path"] + b"/"
        await self.app(scope, receive, send)


class BodyGuard:
    """Read the whole request body before the app does, and refuse what must never reach it.

    Over ``max_bytes`` (by Content-Length or as received, chunked included): 413. Not all received within
    ``timeout_seconds``: 408. A JSON body nested deeper than ``MAX_DEPTH`` or holding a lone surrogate:
    422 naming the field. Bodies that are not JSON at all are left to the app, which answers ``malformed_json``.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, timeout_seconds: float = 30.0):
        self.app = app
        self.max_bytes = max_bytes
        self.timeout_seconds = timeout_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > self.max_bytes:
                await _answer(send, 413, self._too_large())
                return
        try:
            async with asyncio.timeout(self.timeout_seconds):
                body = await self._read(receive)
        except TimeoutError:
            await _answer(send, 408, self._too_slow())
            return
        if body is None:
            return  # the client went away before sending the whole body
        if len(body) > self.max_bytes:
            await _answer(send, 413, self._too_large())
            return
        problem = _json_problem(body) if body and _is_json(scope) else None
        if problem is not None:
            await _answer(send, 422, _problem_body(problem))
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def _read(self, receive: Receive) -> bytes | None:
        """The whole body (cut just past ``max_bytes`` when longer), or None when the client left."""
        chunks: list[bytes] = []
        received = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return None
            chunk = message.get("body", b"")
            received += len(chunk)
            chunks.append(chunk)
            if received > self.max_bytes:
                break
            more = bool(message.get("more_body", False))
        return b"".join(chunks)

    def _too_slow(self) -> dict[str, str]:
        return {
            "error": f"The request body did not arrive within {self.timeout_seconds:g} s.",
            "code": "body_timeout",
            "hint": "Send the whole body at once, or raise NLACTIONS_BODY_TIMEOUT_SECONDS.",
        }

    def _too_large(self) -> dict[str, str]:
        return {
            "error": f"The request body is larger than the {self.max_bytes} bytes allowed.",
            "code": "payload_too_large",
            "hint": "Send a smaller body, or raise NLACTIONS_MAX_BODY_BYTES.",
        }


def _is_json(scope: Scope) -> bool:
    """True when the app will parse the body as JSON (no content type, or a JSON one)."""
    for name, value in scope.get("headers", []):
        if name == b"content-type":
            kind = value.split(b";", 1)[0].strip().lower()
            return kind == b"application/json" or (kind.startswith(b"application/") and kind.endswith(b"+json"))
    return True


def _json_problem(body: bytes) -> Problem | None:
    """A depth or text problem of a JSON body; None when it has none or is not JSON (the app says so)."""
    if not json_may_have_problem(body):
        return None
    try:
        value = json.loads(body)  # as Starlette parses it, so both agree on what the body is
    except (ValueError, RecursionError):
        return None
    return find_problem(value)


_HINTS = {
    "too_deep": f"Send flatter JSON: objects and arrays may nest at most {MAX_DEPTH} levels.",
    "surrogate": "Send valid Unicode text: a \\ud800-\\udbff escape must be followed by a \\udc00-\\udfff one.",
}


def _problem_body(problem: Problem) -> dict[str, Any]:
    return {
        "error": f"{problem.field}: {problem.message}",
        "code": "validation_error",
        "hint": _HINTS[problem.kind],
        "detail": [{"loc": ["body", *problem.loc], "msg": problem.message, "type": problem.kind}],
    }


async def _answer(send: Send, status: int, content: dict[str, Any]) -> None:
    body = orjson.dumps(content)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
