"""A tiny OpenAI-compatible chat-completions server on loopback, for wiring tests (no real model).

It answers every request with one fixed tool call of the output tool the request offers (or, when
the request asks for a JSON-schema response format instead, the same JSON as message content), and
records the requests it got.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from fastapi import FastAPI, Request


@dataclass
class FakeOpenAI:
    """The fixed answer (tool arguments) and what the server was sent."""

    answer: dict[str, Any]
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    base_url: str = ""

    def app(self) -> FastAPI:
        """The FastAPI app serving ``POST /v1/chat/completions``."""
        app = FastAPI()

        @app.post("/v1/chat/completions")
        async def completions(request: Request) -> dict[str, Any]:
            body = await request.json()
            self.requests.append(body)
            self.headers.append(dict(request.headers))
            arguments = json.dumps(self.answer)
            tools = body.get("tools") or []
            message: dict[str, Any] = {"role": "assistant", "content": None}
            if tools:
                name = tools[0]["function"]["name"]
                call = {"id": "call_1", "type": "function", "function": {"name": name, "arguments": arguments}}
                message["tool_calls"] = [call]
                finish = "tool_calls"
            else:
                message["content"] = arguments
                finish = "stop"
            return {
                "id": "chatcmpl-fake",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": body.get("model", "fake"),
                "choices": [{"index": 0, "message": message, "finish_reason": finish}],
                "usage": {"prompt_tokens": 100, "completion_tokens": 10, "total_tokens": 110},
            }

        return app


@contextmanager
def serve(answer: dict[str, Any]) -> Iterator[FakeOpenAI]:
    """Run a FakeOpenAI under uvicorn in a thread on 127.0.0.1 (a free port) until the block ends."""
    fake = FakeOpenAI(answer)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(fake.app(), log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the fake OpenAI server did not start")
        time.sleep(0.02)
    fake.base_url = f"http://127.0.0.1:{port}/v1"
    try:
        yield fake
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
