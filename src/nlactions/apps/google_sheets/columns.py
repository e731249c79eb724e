"""A worksheet's columns (its header row, ``values.get SHEET!1:1``) as the custom needs of the row actions."""

from __future__ import annotations

import re
from typing import Any

from nlactions.apps.google_sheets.choices import spreadsheets, worksheets
from nlactions.apps.google_sheets.client import a1, call, rows, sheets_url
from nlactions.catalog import ChoiceContext, InvalidInput, NeedSpec, ServiceContext, need

_ROW = re.compile(r"![A-Z]+(\d+)")


def spreadsheet_need(**extra: Any) -> Any:
    """The ``spreadsheet`` need (its id; choices from Drive)."""
    return need(
        label="Spreadsheet",
        help_text="The spreadsheet's id (in its URL: /spreadsheets/d/<id>/edit); pick it by name from the choices.",
        choices=spreadsheets,
        **extra,
    )


def worksheet_need(**extra: Any) -> Any:
    """The ``worksheet`` need (its title; choices from the spreadsheet)."""
    return need(
        label="Worksheet",
        help_text="The worksheet (tab) title, e.g. Sheet1.",
        choices=worksheets,
        depends_on=["spreadsheet"],
        **extra,
    )


async def headers(ctx: ServiceContext, spreadsheet: str, worksheet: str) -> list[str]:
    """The worksheet's header row (row 1), as written; empty cells stay empty strings."""
    body = await call(
        ctx,
        "GET",
        sheets_url(ctx, f"spreadsheets/{spreadsheet}/values/{a1(worksheet, '1:1')}"),
        what=f"reading the header row of worksheet {worksheet!r} (values.get)",
        spreadsheet=spreadsheet,
        sheet=worksheet,
    )
    found = rows(body)
    return [h.strip() for h in found[0]] if found else []


async def column_needs(ctx: ChoiceContext) -> list[NeedSpec]:
    """One optional str need per non-empty header of the chosen worksheet."""
    spreadsheet = str(ctx.params.get("spreadsheet") or "")
    worksheet = str(ctx.params.get("worksheet") or "")
    if not spreadsheet or not worksheet:
        return []
    return [
        NeedSpec(
            key=h,
            label=h,
            type="str",
            required=False,
            help_text=f"The value of the {h!r} column (formulas and numbers are entered as if typed).",
        )
        for h in dict.fromkeys(await headers(ctx, spreadsheet, worksheet))
        if h
    ]


def row_number(updated_range: str) -> int | None:
    """The first row number of an A1 range like ``'Sheet1'!A5:C5``."""
    match = _ROW.search(updated_range)
    return int(match.group(1)) if match else None


def cell_value(value: Any) -> str | int | float | bool:
    """A custom value as a cell value (str, number or bool; anything else as its text)."""
    return value if isinstance(value, str | int | float | bool) else str(value)


def by_header(header: list[str], row: list[str]) -> dict[str, str]:
    """A row's cells keyed by their column header (unnamed columns skipped)."""
    return {h: (row[i] if i < len(row) else "") for i, h in enumerate(header) if h}


def need_headers(worksheet: str, header: list[str]) -> list[str]:
    """``header``, or an InvalidInput when the worksheet has no header row."""
    if not any(header):
        raise InvalidInput(
            "worksheet",
            f"Worksheet {worksheet!r} has no header row, so its columns are unknown.",
            hint="Write the column names in row 1 of the worksheet, then try again.",
        )
    return header
