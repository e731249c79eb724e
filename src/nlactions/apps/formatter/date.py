"""The ``date`` action: reformat a date, add or subtract time, or count the days between two dates.

Dates are read with dateparser ("2024-03-05", "March 5 3pm", "next Friday", a Unix timestamp);
relative phrases count from ``ctx.now``, and a date without a zone is read in ``ctx.now``'s zone.
Formats are moment.js-style patterns, as in Zapier's Formatter. Without ``to_format`` the output is
ISO 8601 with the offset ("2024-03-05T14:30:00+00:00").
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, get_args

from pydantic import ConfigDict

from nlactions.apps.formatter._dates import parse_date, render, shift
from nlactions.catalog import Action, ActionContext, Gives, InvalidInput, Needs, give, need

Transform = Literal["format_date", "add_time", "days_between"]

TRANSFORMS: dict[Transform, str] = {
    "format_date": "Format Date",
    "add_time": "Add/Subtract Time",
    "days_between": "Days Between Dates",
}

DateFormat = Literal[
    "YYYY-MM-DD",
    "MM/DD/YYYY",
    "DD/MM/YYYY",
    "DD.MM.YYYY",
    "MMMM D, YYYY",
    "D MMMM YYYY",
    "dddd, MMMM D, YYYY",
    "ddd, MMM D, YYYY",
    "YYYY-MM-DD HH:mm:ss",
    "MM/DD/YYYY h:mm A",
    "YYYY-MM-DDTHH:mm:ssZ",
    "HH:mm",
    "h:mm A",
    "X",
]

ISO_FORMAT: DateFormat = "YYYY-MM-DDTHH:mm:ssZ"
_EXAMPLE = dt.datetime(2006, 1, 22, 15, 4, 5, tzinfo=dt.UTC)
FORMATS: list[tuple[str, str]] = [(key, f"{key} ({render(_EXAMPLE, key)})") for key in get_args(DateFormat)]
"""Choices for ``to_format``; each label shows the pattern applied to 22 January 2006, 15:04:05 UTC."""


class Input(Needs):
    """Which date, and what to do with it."""

    model_config = ConfigDict(coerce_numbers_to_str=True)

    transform: Transform = need(
        label="Transform", help_text="What to do with the date.", choices=list(TRANSFORMS.items())
    )
    input: str = need(
        label="Input",
        help_text='The date: "2024-03-05", "March 5, 2024 3pm", "next Friday", a Unix timestamp.',
    )
    to_format: DateFormat | None = need(
        None, label="To Format", help_text="How to write the result (ISO 8601 when empty).", choices=FORMATS
    )
    expression: str | None = need(
        None,
        label="Expression",
        help_text='Add/Subtract Time: how far to move, e.g. "+3 days", "-2 hours", "+1 month -1 day".',
    )
    other_date: str | None = need(
        None, label="Second Date", help_text="Days Between Dates: the date to count to (now when empty)."
    )


class Output(Gives):
    """The resulting date, written as asked and in ISO 8601, or a number of days."""

    output: str = give("", label="Output", important=True)
    iso: str | None = give(label="ISO 8601")
    days: int | None = give(label="Days")


def _read(text: str, need_key: str, now: dt.datetime) -> dt.datetime:
    parsed = parse_date(text, now)
    if parsed is None:
        raise InvalidInput(
            need_key,
            f"{text!r} is not a date I can read.",
            hint='Give a date like "2024-03-05", "March 5, 2024 3pm" or "next Friday".',
        )
    return parsed


def _moved(value: dt.datetime, expression: str | None) -> dt.datetime:
    hint = 'Write it as signed amounts with units, e.g. "+3 days", "-2 hours", "+1 month -1 day".'
    if not expression:
        raise InvalidInput("expression", "Add/Subtract Time needs an expression.", hint=hint)
    try:
        moved = shift(value, expression)
    except (OverflowError, ValueError):
        raise InvalidInput("expression", f"{expression!r} moves the date out of range.", hint=hint) from None
    if moved is None:
        raise InvalidInput("expression", f"{expression!r} is not an amount of time I can read.", hint=hint)
    return moved


async def perform(ctx: ActionContext, params: Input) -> dict[str, Any]:
    """Read ``input`` relative to ``ctx.now`` and format, shift or compare it."""
    value = _read(params.input, "input", ctx.now)
    if params.transform == "days_between":
        other = _read(params.other_date, "other_date", ctx.now) if params.other_date else ctx.now
        if other.tzinfo is None:
            other = other.replace(tzinfo=value.tzinfo)
        days = (other.astimezone(value.tzinfo).date() - value.date()).days
        return {"output": str(days), "days": days}
    if params.transform == "add_time":
        value = _moved(value, params.expression)
    return {"output": render(value, params.to_format or ISO_FORMAT), "iso": render(value, ISO_FORMAT)}


action = Action(
    key="date",
    type="write",
    noun="Date",
    name="Date",
    description="Reformat a date or time, add or subtract time from it (+3 days), or count the days between two dates.",
    input=Input,
    output=Output,
    perform=perform,
    sample={"output": "03/05/2024", "iso": "2024-03-05T00:00:00+00:00"},
)
