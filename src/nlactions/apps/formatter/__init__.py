"""Formatter by nlactions: text, number and date transforms that need no account (``FormatterAPI``)."""

from nlactions.apps.formatter import date, number, text
from nlactions.catalog import App, NoAuth

app = App(
    key="FormatterAPI",
    name="Formatter by nlactions",
    description="Change text, numbers and dates: case, extraction, find and replace, splitting, number and "
    "currency formatting, arithmetic, date formatting and date arithmetic.",
    actions=(text.action, number.action, date.action),
    auth=NoAuth(),
    keywords=(
        "formatter",
        "format",
        "text",
        "number",
        "currency",
        "math",
        "date",
        "time",
        "transform",
        "utility",
    ),
)

__all__ = ["app"]
