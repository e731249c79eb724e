"""Build the configured resolver: offline extraction, the LLM reviewing it, then the local model, as configured."""

from __future__ import annotations

from nlactions.resolver.base import Extractor, Resolver
from nlactions.resolver.engine import LayeredResolver
from nlactions.resolver.extract import OfflineExtractor
from nlactions.settings import Settings


def build_resolver(settings: Settings) -> Resolver:
    """The cascade the settings ask for (the server preloads the embedding model: ``semantic.preload``)."""
    extractors: list[Extractor] = [OfflineExtractor(threshold=settings.match_threshold)]
    if settings.llm_model:
        from nlactions.resolver.llm import LLMExtractor, build_llm_model

        model = build_llm_model(settings.llm_model, settings.llm_base_url, settings.llm_api_key)
        # One call per dependency layer; a call cut short keeps the offline values instead of using up the
        # resolution budget (the same NLACTIONS_ACTION_TIMEOUT_SECONDS), which would fail the execution.
        extractors.append(LLMExtractor(model, timeout=settings.action_timeout_seconds / 3))
    if settings.local_model:
        from nlactions.resolver.local_model import LocalModelExtractor

        extractors.append(LocalModelExtractor(settings.data_dir))
    return LayeredResolver(extractors, threshold=settings.match_threshold)
