"""``update_row``: overwrite the given cells of a row (by row number); the other cells keep their values."""

from __future__ import annotations

from typing import Any

from nlactions.apps.google_sheets.add_row import ROW_SAMPLE, Row
from nlactions.apps.google_sheets.client import a1, call, rows, sheets_url
from nlactions.apps.google_sheets.columns import (
    by_header,
    cell_value,
    column_needs,
    headers,
    need_headers,
    spreadsheet_need,
    worksheet_need,
)
from nlactions.catalog import Action, ActionContext, InvalidInput, Needs, need


class Input(Needs):
    """The row to change; the columns are custom needs read from the header row."""

    spreadsheet: str = spreadsheet_need(alters_custom_fields=True)
    worksheet: str = worksheet_need(alters_custom_fields=True)
    row: int = need(label="Row", help_text="The row number (2 is the first row under the header).", examples=["2"])


async def perform(ctx: ActionContext, params: Input) -> dict[str, Any]:
    """``values.get`` of the row, then ``values.update`` (USER_ENTERED) with the given cells changed."""
    if params.row < 2:
        raise InvalidInput("row", f"Row {params.row} is not a data row: row 1 is the header.", hint="Give 2 or more.")
    header = need_headers(params.worksheet, await headers(ctx, params.spreadsheet, params.worksheet))
    cells = a1(params.worksheet, f"{params.row}:{params.row}")
    base = f"spreadsheets/{params.spreadsheet}/values/{cells}"
    read = f"reading row {params.row} (values.get)"
    current = rows(
        await call(ctx, "GET", sheets_url(ctx, base), what=read, spreadsheet=params.spreadsheet, sheet=params.worksheet)
    )
    old = current[0] if current else []
    given = params.custom
    values: list[Any] = []
    for index, h in enumerate(header):
        if h and given.get(h) is not None:
            values.append(cell_value(given[h]))
        else:
            values.append(old[index] if index < len(old) else "")
    body = await call(
        ctx,
        "PUT",
        sheets_url(ctx, base),
        params={"valueInputOption": "USER_ENTERED", "includeValuesInResponse": "true"},
        json={"majorDimension": "ROWS", "values": [values]},
        what=f"updating row {params.row} of worksheet {params.worksheet!r} (values.update)",
        spreadsheet=params.spreadsheet,
        sheet=params.worksheet,
    )
    written = rows(body["updatedData"]) if isinstance(body.get("updatedData"), dict) else []
    return {
        "spreadsheet_id": params.spreadsheet,
        "worksheet": params.worksheet,
        "row": params.row,
        "range": str(body.get("updatedRange") or "") or None,
        **by_header(header, written[0] if written else [str(v) for v in values]),
    }


action = Action(
    key="update_row",
    type="write",
    noun="Spreadsheet Row",
    name="Update Spreadsheet Row",
    description="Change cells of a row of a Google Sheets worksheet, by row number; other cells keep their values.",
    input=Input,
    perform=perform,
    output=Row,
    sample=ROW_SAMPLE,
    custom_needs=column_needs,
)
