"""``add_row``: append a row under a worksheet's last row, its cells given by column header."""

from __future__ import annotations

from typing import Any

from nlactions.apps.google_sheets.client import a1, call, obj_rows, sheets_url
from nlactions.apps.google_sheets.columns import (
    by_header,
    cell_value,
    column_needs,
    headers,
    need_headers,
    row_number,
    spreadsheet_need,
    worksheet_need,
)
from nlactions.catalog import Action, ActionContext, Gives, InvalidInput, Needs, give


class Input(Needs):
    """The spreadsheet and worksheet; the columns are custom needs read from the header row."""

    spreadsheet: str = spreadsheet_need(alters_custom_fields=True)
    worksheet: str = worksheet_need(alters_custom_fields=True)


class Row(Gives):
    """A row of a worksheet: its number, its range and its cells by column (as extra keys)."""

    spreadsheet_id: str = give(label="Spreadsheet ID")
    worksheet: str = give(label="Worksheet")
    row: int | None = give(label="Row Number", important=True)
    range: str | None = give(label="Range")


APPEND_PARAMS = {
    "valueInputOption": "USER_ENTERED",
    "insertDataOption": "INSERT_ROWS",
    "includeValuesInResponse": "true",
}
ROW_SAMPLE = {"spreadsheet_id": "1AbC", "worksheet": "Sheet1", "row": 5, "range": "Sheet1!A5:B5", "name": "Ana"}


async def perform(ctx: ActionContext, params: Input) -> dict[str, Any]:
    """``values.append`` (USER_ENTERED, INSERT_ROWS) with the values ordered by the header row."""
    header = need_headers(params.worksheet, await headers(ctx, params.spreadsheet, params.worksheet))
    given = params.custom
    if not any(given.get(h) not in (None, "") for h in header if h):
        raise InvalidInput(
            "columns",
            f"No column of worksheet {params.worksheet!r} was given a value, so no row was added.",
            hint="Name the values in the instructions or send them as params; the columns are: "
            + ", ".join(h for h in header if h)
            + ".",
        )
    values = [cell_value(given[h]) if h and given.get(h) is not None else "" for h in header]
    body = await call(
        ctx,
        "POST",
        sheets_url(ctx, f"spreadsheets/{params.spreadsheet}/values/{a1(params.worksheet)}:append"),
        params=APPEND_PARAMS,
        json={"majorDimension": "ROWS", "values": [values]},
        what=f"adding a row to worksheet {params.worksheet!r} (values.append)",
        spreadsheet=params.spreadsheet,
        sheet=params.worksheet,
    )
    found = body.get("updates")
    updates: dict[str, Any] = found if isinstance(found, dict) else {}
    updated = str(updates.get("updatedRange") or "")
    written = obj_rows(updates.get("updatedData"))
    cells = by_header(header, written[0] if written else [str(v) for v in values])
    return {
        "spreadsheet_id": params.spreadsheet,
        "worksheet": params.worksheet,
        "row": row_number(updated),
        "range": updated or None,
        **cells,
    }


action = Action(
    key="add_row",
    type="write",
    noun="Spreadsheet Row",
    name="Create Spreadsheet Row",
    description="Add a row at the end of a Google Sheets worksheet; its cells are given by column header.",
    input=Input,
    perform=perform,
    output=Row,
    sample=ROW_SAMPLE,
    custom_needs=column_needs,
)
