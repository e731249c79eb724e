"""Request and response models of the prefill choices endpoint (Zapier's v2 shapes)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ChoicesRequest(BaseModel):
    """Body of ``POST /api/v2/apps/{app}/choices/{prefill}/``."""

    model_config = ConfigDict(
        strict=True,
        extra="allow",
        json_schema_extra={
            "examples": [{"params": {}}, {"params": {"team": "T1"}}],
        },
    )

    params: dict[str, Any] = Field(
        description="Values of the needs this need's choices depend on (its `depends_on`), by need key. "
        "Required, even when empty."
    )


class ChoiceOut(BaseModel):
    """One choice: the id to send as the need's value, a label, an optional sample."""

    key: str
    label: str
    sample: str | None = None


class ChoicesResponse(BaseModel):
    """The choices of a prefill and how current they are."""

    is_loading: bool = Field(
        description="True while a background load is still paging; poll again (about every second)."
    )
    last_refresh_seconds_ago: int = Field(description="Age of the list in seconds (0 when nothing is loaded).")
    results: list[ChoiceOut]
