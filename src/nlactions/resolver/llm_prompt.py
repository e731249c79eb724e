"""The prompt a language model gets to fill an action's needs from plain-English instructions."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from nlactions.resolver.base import ExtractionRequest, ResolvedValue
from nlactions.resolver.llm_schema import AskedNeed, OutputPlan

KNOWN_VALUE_CHARS = 300
"""Known values longer than this are shortened in the prompt."""

RULES = """\
You fill the input fields of an app action from a user's instructions.
Rules:
- Fill a field only when the instructions state its value or clearly imply it. Otherwise set it to null.
- Never invent, guess or use placeholder values. null is always an acceptable answer.
- A field the instructions do not mention stays null: no true for a flag they never name, no current
  date when they name no date, no first choice when none is named.
- Keep a number's scale and sign (an amount in cents when the field asks for cents, "5 below zero" is
  -5); a year ("in 2019") is not an amount or a count.
- Copy whole phrases: a place with the region written after it, a word with its qualifier
  ("very spicy"), a name with all its words.
- For a field with choices, answer with one of the listed choices (the id where ids are given) that the
  instructions refer to; never a value that is not listed.
- Copy text values (messages, subjects, names) as the user wrote them, without quotes around them.
- Resolve relative dates and times ("tomorrow at 3pm") against the current time given, in its time zone.
- The values already known are context only: do not repeat them.
- Some fields show a first reading by a rule-based reader, with how sure it was. It is usually right
  but can be wrong. Answer the value the instructions mean: the same value when the reading is right,
  the right value when it is wrong. null leaves the reading as it is."""


def build_instructions(request: ExtractionRequest) -> str:
    """The fixed rules plus the action and the current time."""
    lines = [RULES, ""]
    if request.action_label or request.action_description:
        action = request.action_label or "(unnamed)"
        if request.action_description:
            action = f"{action}: {request.action_description}"
        lines.append(f"Action: {action}")
    now = request.now
    lines.append(f"Current time: {now.isoformat()} ({now:%A})")
    return "\n".join(lines)


def build_user_prompt(request: ExtractionRequest, plan: OutputPlan) -> str:
    """The user's instructions, the known values and the fields to fill with their choices."""
    parts = [f'Instructions:\n"""\n{request.instructions.strip()}\n"""']
    known = _known_lines(request.known)
    if known:
        parts.append("Already known (context, do not fill again):\n" + "\n".join(known))
    fields = _field_lines(plan, request.hints)
    parts.append("Fields to fill (null when the instructions do not say):\n" + "\n".join(fields))
    return "\n\n".join(parts)


def _known_lines(known: Mapping[str, Any]) -> list[str]:
    lines = []
    for key, value in known.items():
        text = value if isinstance(value, str) else json.dumps(value, default=str, ensure_ascii=False)
        if len(text) > KNOWN_VALUE_CHARS:
            text = text[:KNOWN_VALUE_CHARS] + "…"
        lines.append(f"- {key}: {text}")
    return lines


def _field_lines(plan: OutputPlan, hints: Mapping[str, ResolvedValue]) -> list[str]:
    lines: list[str] = []
    for item in plan.asked:
        lines.append(f"- {item.prop}: {_summary(item)}")
        hint = hints.get(item.need.key)
        if hint is not None:
            lines.append(f"  first reading: {_hint_text(item, hint)}")
        if item.choices is None:
            continue
        if item.narrowed:
            lines.append("  choices (the closest ones to the instructions; null if none fits):")
        else:
            lines.append("  choices:")
        if item.by_label:
            lines.extend(f"  - {json.dumps(option, ensure_ascii=False)}" for option in item.options)
            continue
        for choice in item.choices:
            if choice.label and choice.label != choice.key:
                lines.append(f"  - id {json.dumps(choice.key)}: {choice.label}")
            else:
                lines.append(f"  - id {json.dumps(choice.key)}")
    return lines


_READERS = {"instructions": "rule-based reader"}


def _hint_text(item: AskedNeed, hint: ResolvedValue) -> str:
    """A hint's value as the model would answer it, where it came from and how sure its reader was."""
    value = hint.value
    if item.by_label and item.choices is not None:
        to_option = {item.choice_key(option): option for option in item.options}
        items = value if isinstance(value, list) else [value]
        shown = [to_option.get(str(v), v) for v in items]
        value = shown if isinstance(value, list) else shown[0]
    text = json.dumps(value, default=str, ensure_ascii=False)  # never shortened: the model may answer it back
    reader = _READERS.get(hint.source, hint.source)
    origin = f"{reader}, {hint.detail}" if hint.detail else reader
    return f"{text} ({origin}; confidence {hint.confidence:.2f})"


def _summary(item: AskedNeed) -> str:
    need = item.need
    kind = f"list of {need.type}" if need.list else need.type
    text = f"{need.label} ({kind}{', required' if need.required else ''})"
    if need.help_text:
        text += f": {need.help_text.strip()}"
    return text
