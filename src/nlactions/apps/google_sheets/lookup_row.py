"""``lookup_row``: the first row whose cell in a column equals a value."""

from __future__ import annotations

from typing import Any

from nlactions.apps.google_sheets.add_row import ROW_SAMPLE, Row
from nlactions.apps.google_sheets.client import a1, call, rows, sheets_url
from nlactions.apps.google_sheets.columns import by_header, need_headers, spreadsheet_need, worksheet_need
from nlactions.catalog import Action, ActionContext, InvalidInput, Needs, need


class Input(Needs):
    """Where to look and what to look for."""

    spreadsheet: str = spreadsheet_need()
    worksheet: str = worksheet_need()
    lookup_column: str = need(label="Lookup Column", help_text="The header of the column to search, e.g. email.")
    lookup_value: str = need(label="Lookup Value", help_text="The value the cell must equal (case-insensitive).")


async def perform(ctx: ActionContext, params: Input) -> list[dict[str, Any]]:
    """``values.get`` of the worksheet; the first data row whose ``lookup_column`` cell matches (none: no result)."""
    body = await call(
        ctx,
        "GET",
        sheets_url(ctx, f"spreadsheets/{params.spreadsheet}/values/{a1(params.worksheet)}"),
        what=f"reading worksheet {params.worksheet!r} (values.get)",
        spreadsheet=params.spreadsheet,
        sheet=params.worksheet,
    )
    found = rows(body)
    header = need_headers(params.worksheet, [h.strip() for h in found[0]] if found else [])
    wanted = params.lookup_column.strip().casefold()
    column = next((i for i, h in enumerate(header) if h.casefold() == wanted), None)
    if column is None:
        raise InvalidInput(
            "lookup_column",
            f"Worksheet {params.worksheet!r} has no column {params.lookup_column!r}.",
            hint=f"Columns: {', '.join(h for h in header if h)}.",
        )
    value = params.lookup_value.strip().casefold()
    quoted = "'" + params.worksheet.replace("'", "''") + "'"
    for number, row in enumerate(found[1:], start=2):
        if column < len(row) and row[column].strip().casefold() == value:
            last = len(header)
            return [
                {
                    "spreadsheet_id": params.spreadsheet,
                    "worksheet": params.worksheet,
                    "row": number,
                    "range": f"{quoted}!A{number}:{_column_letter(last)}{number}",
                    **by_header(header, row),
                }
            ]
    return []


def _column_letter(number: int) -> str:
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters or "A"


action = Action(
    key="lookup_row",
    type="search",
    noun="Spreadsheet Row",
    name="Lookup Spreadsheet Row",
    description="Find the first row of a Google Sheets worksheet whose cell in a column equals a value.",
    input=Input,
    perform=perform,
    output=Row,
    sample=ROW_SAMPLE,
)
