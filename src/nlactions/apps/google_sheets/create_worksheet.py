"""``create_worksheet``: a new worksheet (tab) in a spreadsheet, optionally with a header row."""

from __future__ import annotations

from typing import Any

from nlactions.apps.google_sheets.client import call, items, sheets_url
from nlactions.apps.google_sheets.columns import spreadsheet_need
from nlactions.apps.google_sheets.create_spreadsheet import write_headers
from nlactions.catalog import Action, ActionContext, Gives, Needs, give, need


class Input(Needs):
    """The spreadsheet, the new worksheet's title and optionally its columns."""

    spreadsheet: str = spreadsheet_need()
    title: str = need(label="Title", help_text="The new worksheet's title.", examples=["March"])
    headers: list[str] | None = need(None, label="Headers", help_text="Column names to write in row 1.")


class Worksheet(Gives):
    """A worksheet: its id (gid), title and position."""

    spreadsheet_id: str = give(label="Spreadsheet ID")
    id: int | None = give(label="Worksheet ID", important=True)
    title: str = give(label="Title", important=True)
    index: int | None = give(label="Position")


async def perform(ctx: ActionContext, params: Input) -> dict[str, Any]:
    """``batchUpdate`` with one ``addSheet``; then the header row when ``headers`` are given."""
    body = await call(
        ctx,
        "POST",
        sheets_url(ctx, f"spreadsheets/{params.spreadsheet}:batchUpdate"),
        json={"requests": [{"addSheet": {"properties": {"title": params.title}}}]},
        what=f"adding worksheet {params.title!r} (batchUpdate addSheet)",
        spreadsheet=params.spreadsheet,
    )
    replies = items(body, "replies")
    added = replies[0].get("addSheet", {}) if replies else {}
    props = added.get("properties", {}) if isinstance(added, dict) else {}
    title = str(props.get("title") or params.title)
    header = [h for h in (params.headers or []) if h.strip()]
    if header:
        await write_headers(ctx, params.spreadsheet, title, header)
    sheet_id, index = props.get("sheetId"), props.get("index")
    return {"spreadsheet_id": params.spreadsheet, "id": sheet_id, "title": title, "index": index}


action = Action(
    key="create_worksheet",
    type="write",
    noun="Worksheet",
    name="Create Worksheet",
    description="Add a worksheet (tab) to a Google Sheets spreadsheet, optionally writing its header row.",
    input=Input,
    perform=perform,
    output=Worksheet,
    sample={"spreadsheet_id": "1AbC", "id": 123, "title": "March", "index": 1},
)
