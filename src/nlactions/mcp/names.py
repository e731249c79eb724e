"""Tool names in Zapier's ``app_action_label`` style: ``slack_send_channel_message``, unique per caller."""

from __future__ import annotations

import re
from collections.abc import Iterable

from nlactions.catalog import Action, App

TOOL_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
MAX_LENGTH = 64
_NOT_WORD = re.compile(r"[^a-z0-9]+")
_OUR_SUFFIX = " by nlactions"


def snake(text: str) -> str:
    """Lower-case words of ``text`` joined by ``_`` (anything but letters and digits separates them)."""
    return _NOT_WORD.sub("_", text.lower()).strip("_")


def app_label(app: App) -> str:
    """The app's name as a tool-name prefix (``Google Sheets`` → ``google_sheets``)."""
    name = app.name.removesuffix(_OUR_SUFFIX)
    return snake(name) or snake(app.key) or "app"


def base_name(app: App, action: Action) -> str:
    """``<app label>_<action label>``, cut to fit the 64-character limit."""
    name = f"{app_label(app)}_{snake(action.name) or snake(action.key) or 'action'}"
    return name[:MAX_LENGTH].rstrip("_")


def unique_names(bases: Iterable[str]) -> list[str]:
    """The names in order, a repeated one suffixed ``_2``, ``_3``… (cut so the suffix still fits)."""
    taken: set[str] = set()
    out: list[str] = []
    for base in bases:
        name, n = base, 1
        while name in taken:
            n += 1
            suffix = f"_{n}"
            name = base[: MAX_LENGTH - len(suffix)] + suffix
        taken.add(name)
        out.append(name)
    return out
