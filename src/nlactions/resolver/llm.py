"""Extractor backed by a language model through pydantic-ai: one structured-output call per layer."""

from __future__ import annotations

import logging
import time
from typing import Literal

from pydantic import BaseModel
from pydantic_ai import Agent, NativeOutput, PromptedOutput, ToolOutput
from pydantic_ai.exceptions import ModelHTTPError, UnexpectedModelBehavior
from pydantic_ai.models import Model, infer_model
from pydantic_ai.providers import Provider, infer_provider, infer_provider_class
from pydantic_ai.settings import ModelSettings
from pydantic_ai.usage import RunUsage

from nlactions.resolver.base import Extraction, ExtractionRequest, Usage, ValueSource
from nlactions.resolver.llm_prompt import build_instructions, build_user_prompt
from nlactions.resolver.llm_schema import MAX_CHOICES, ChoiceValues, OutputPlan, build_output_plan

logger = logging.getLogger(__name__)

OutputMode = Literal["tool", "native", "prompted"]

_COMPATIBLE_PREFIXES = ("openai:", "openai-chat:", "ollama:")
_OUTPUT_NAME = "fill_fields"
_OUTPUT_DESCRIPTION = "The action's fields found in the instructions; null for every field they do not state."


def build_llm_model(model: str, base_url: str | None = None, api_key: str | None = None) -> Model:
    """A pydantic-ai model from a model string; with ``base_url``, a model on an OpenAI-compatible server."""
    if base_url:
        from pydantic_ai.models.openai import OpenAIChatModel
        from pydantic_ai.providers.openai_compatible import OpenAICompatibleProvider

        name = model
        for prefix in _COMPATIBLE_PREFIXES:
            if name.startswith(prefix):
                name = name.removeprefix(prefix)
                break
        provider = OpenAICompatibleProvider("openai-compatible", base_url=base_url, api_key=api_key or "none")
        return OpenAIChatModel(name, provider=provider)
    if api_key is None:
        return infer_model(model)

    def provider_with_key(provider_name: str) -> Provider[object]:
        if provider_name.startswith("gateway/"):
            return infer_provider(provider_name)
        provider_class = infer_provider_class(provider_name)
        try:
            return provider_class(api_key=api_key)  # type: ignore[call-arg]
        except TypeError as exc:
            raise ValueError(f"provider {provider_name!r} does not take an API key; configure it another way") from exc

    return infer_model(model, provider_factory=provider_with_key)


class LLMExtractor:
    """Decides open needs with one structured-output call to a language model, given earlier readings as hints.

    It reviews (``reviews = True``): the engine asks it about every open need, with what the offline
    extractor read as hints, and a value it answers replaces the hint. A null keeps the hint; a failed
    call gives nothing, with the failure described in ``Extraction.failure``.
    """

    name: str = "llm"
    source: ValueSource = "llm"
    choice_values: ChoiceValues = "id"
    reviews: bool = True

    def __init__(
        self,
        model: Model | str,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        confidence: float = 0.9,
        max_choices: int = MAX_CHOICES,
        timeout: float | None = 60.0,
        output_mode: OutputMode = "tool",
        model_settings: ModelSettings | None = None,
        output_retries: int = 1,
    ) -> None:
        self.model = model if isinstance(model, Model) else build_llm_model(model, base_url, api_key)
        self.confidence = confidence
        self.max_choices = max_choices
        self.timeout = timeout
        self.output_mode: OutputMode = output_mode
        self.model_settings: ModelSettings = model_settings or ModelSettings(temperature=0.0)
        self._agent: Agent[None, str] = Agent(self.model, retries={"output": output_retries}, name=self.name)

    @property
    def model_name(self) -> str:
        """The model's name as reported in usage."""
        return self.model.model_name

    async def extract(self, request: ExtractionRequest) -> Extraction:
        """Values for the open needs the instructions state; an empty extraction if the model fails."""
        plan = build_output_plan(request, max_choices=self.max_choices, choice_values=self.choice_values)
        usage = Usage(model=self.model_name)
        if not plan.asked:
            return Extraction(usage=usage)
        run_usage = RunUsage()
        started = time.perf_counter()
        try:
            result = await self._agent.run(
                build_user_prompt(request, plan),
                output_type=self._output_spec(plan),
                instructions=build_instructions(request),
                model_settings=self.model_settings,
                usage=run_usage,
                timeout=self.timeout,
            )
        except Exception as exc:
            _record(usage, run_usage, started)
            reason = _describe_error(exc, self.timeout)
            logger.warning("%s extraction failed: %s; keeping the earlier values", self.name, reason)
            return Extraction(usage=usage, failure=f"{reason}; the offline values were kept")
        _record(usage, run_usage, started)
        values = plan.values(result.output, source=self.source, confidence=self.confidence)
        return Extraction(values=values, usage=usage)

    def _output_spec(
        self, plan: OutputPlan
    ) -> ToolOutput[BaseModel] | NativeOutput[BaseModel] | PromptedOutput[BaseModel]:
        if self.output_mode == "native":
            return NativeOutput(plan.model, name=_OUTPUT_NAME, description=_OUTPUT_DESCRIPTION)
        if self.output_mode == "prompted":
            return PromptedOutput(plan.model, name=_OUTPUT_NAME, description=_OUTPUT_DESCRIPTION)
        return ToolOutput(plan.model, name=_OUTPUT_NAME, description=_OUTPUT_DESCRIPTION)


def _record(usage: Usage, run_usage: RunUsage, started: float) -> None:
    usage.requests = run_usage.requests
    usage.input_tokens = run_usage.input_tokens
    usage.output_tokens = run_usage.output_tokens
    usage.seconds = time.perf_counter() - started


def _describe_error(exc: Exception, timeout: float | None) -> str:
    """What failed, in our words: never the error's message, which may echo request data or a key."""
    if isinstance(exc, ModelHTTPError):
        return f"the model call failed with {type(exc).__name__} (HTTP {exc.status_code})"
    if isinstance(exc, TimeoutError):
        limit = f" within {timeout:g} s" if timeout is not None else ""
        return f"the model did not answer{limit}"
    if isinstance(exc, UnexpectedModelBehavior):
        return f"the model's answer did not fit the fields after a retry ({type(exc).__name__})"
    return f"the model call failed with {type(exc).__name__}"
