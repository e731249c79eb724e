"""The per-need form of an AI action: its modes (guess, fixed, choose from, ignore) to and from stored params."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from starlette.datastructures import FormData

from nlactions.ai_actions.params import constraint_of
from nlactions.console.common import text, texts
from nlactions.errors import BadRequest
from nlactions.kit.redact import REDACTED

Mode = Literal["guess", "fixed", "choose", "ignore"]
MODES: tuple[tuple[Mode, str], ...] = (
    ("guess", "Let AI guess"),
    ("fixed", "Fixed value"),
    ("choose", "Choose from these"),
    ("ignore", "Ignore"),
)


@dataclass
class NeedRow:
    """One need on the form: its shape (as Get Action Details gives it) and what the owner set."""

    need: dict[str, Any]
    mode: Mode = "guess"
    hint: str = ""
    fixed: list[str] = field(default_factory=list)
    chosen: list[str] = field(default_factory=list)
    choices: list[dict[str, Any]] | None = None
    note: str = ""
    secret_stored: bool = False

    @property
    def key(self) -> str:
        """The need's key."""
        return str(self.need["key"])

    @property
    def secret(self) -> bool:
        """A secret need: its fixed value is never shown."""
        return self.need.get("type") == "password"

    @property
    def is_list(self) -> bool:
        """The need takes several values."""
        return bool(self.need.get("list"))

    @property
    def has_choices(self) -> bool:
        """Choices could be picked (static, loaded, or loadable)."""
        return self.choices is not None or bool(self.need.get("prefill"))

    @property
    def fixed_text(self) -> str:
        """The fixed value as typed in a text box (one per line for lists)."""
        return "\n".join(self.fixed) if self.is_list else (self.fixed[0] if self.fixed else "")


def _strings(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    if isinstance(value, bool):
        return ["true" if value else "false"]
    return [str(value)]


def rows_from_stored(needs: Sequence[dict[str, Any]], params: Mapping[str, Any]) -> list[NeedRow]:
    """The form as a stored AI action's params (secrets redacted) fill it."""
    rows = []
    for need in needs:
        row = NeedRow(need)
        constraint = constraint_of(params.get(row.key))
        if constraint is not None:
            if constraint.mode == "guess":
                row.hint = str(constraint.value) if constraint.value is not None else ""
            elif constraint.mode == "choose_from":
                row.mode, row.chosen = "choose", _strings(constraint.value)
            elif constraint.mode == "locked":
                row.mode = "fixed"
                if row.secret and constraint.value == REDACTED:
                    row.secret_stored = True
                else:
                    row.fixed = _strings(constraint.value)
            else:
                row.mode = "ignore"
        rows.append(row)
    return rows


def rows_from_form(needs: Sequence[dict[str, Any]], form: FormData) -> list[NeedRow]:
    """The form as posted (to show it again, or to save it)."""
    rows = []
    for need in needs:
        row = NeedRow(need)
        mode = text(form, f"mode__{row.key}", 10)
        row.mode = mode if mode in ("guess", "fixed", "choose", "ignore") else "guess"  # type: ignore[assignment]
        row.hint = text(form, f"hint__{row.key}", 10_000).strip()
        picked = texts(form, f"pick__{row.key}", 1000)
        typed = text(form, f"fixed__{row.key}", 100_000)
        if picked and not typed.strip():
            row.fixed = picked if row.is_list else picked[:1]
        elif row.is_list:
            row.fixed = [line.strip() for line in typed.splitlines() if line.strip()]
        else:
            row.fixed = [typed] if typed.strip() else []
        row.chosen = texts(form, f"choose__{row.key}", 1000)
        row.secret_stored = text(form, f"stored__{row.key}", 5) == "yes"
        rows.append(row)
    return rows


def fixed_values(rows: Sequence[NeedRow]) -> dict[str, Any]:
    """The fixed values (no secrets), which decide dependent needs' choices and custom needs."""
    return {
        row.key: (row.fixed if row.is_list else row.fixed[0])
        for row in rows
        if row.mode == "fixed" and row.fixed and not row.secret
    }


def stored_params(rows: Sequence[NeedRow]) -> dict[str, Any]:
    """The params of ``POST /api/v2/ai-actions/``: a hint, a choice list, a locked or an ignored value."""
    params: dict[str, Any] = {}
    for row in rows:
        label = row.need.get("label") or row.key
        if row.mode == "guess":
            if row.hint:
                params[row.key] = row.hint
        elif row.mode == "ignore":
            params[row.key] = {"mode": "ignored"}
        elif row.mode == "choose":
            if not row.chosen:
                raise BadRequest(f"{label} ({row.key}): tick at least one choice, or pick another mode.")
            params[row.key] = list(row.chosen)
        elif row.fixed:
            params[row.key] = {"mode": "locked", "value": row.fixed if row.is_list else row.fixed[0]}
        elif row.secret and row.secret_stored:
            params[row.key] = {"mode": "locked", "value": REDACTED}  # keeps the stored secret
        else:
            raise BadRequest(f"{label} ({row.key}): enter the fixed value, or pick another mode.")
    return params
