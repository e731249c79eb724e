"""``create_spreadsheet``: a new spreadsheet, optionally with a first worksheet's title and header row."""

from __future__ import annotations

from typing import Any

from nlactions.apps.google_sheets.client import a1, call, items, sheets_url
from nlactions.catalog import Action, ActionContext, Gives, Needs, give, need


class Input(Needs):
    """The spreadsheet's title, and optionally its first worksheet and columns."""

    title: str = need(label="Title", help_text="The new spreadsheet's name.", examples=["Budget 2026"])
    worksheet: str | None = need(None, label="Worksheet Title", help_text="The first worksheet's title (Sheet1).")
    headers: list[str] | None = need(None, label="Headers", help_text="Column names to write in row 1.")


class Spreadsheet(Gives):
    """A spreadsheet: its id, title, URL and worksheets."""

    id: str = give(label="Spreadsheet ID", important=True)
    title: str = give(label="Title", important=True)
    url: str | None = give(label="URL")
    worksheets: list[str] = give(label="Worksheets")


SAMPLE = {
    "id": "1AbC",
    "title": "Budget",
    "url": "https://docs.google.com/spreadsheets/d/1AbC/edit",
    "worksheets": ["Sheet1"],
}


async def write_headers(ctx: ActionContext, spreadsheet: str, worksheet: str, header: list[str]) -> None:
    """``values.update`` of row 1 with ``header`` (RAW, so a name like ``=x`` stays text)."""
    await call(
        ctx,
        "PUT",
        sheets_url(ctx, f"spreadsheets/{spreadsheet}/values/{a1(worksheet, '1:1')}"),
        params={"valueInputOption": "RAW"},
        json={"majorDimension": "ROWS", "values": [header]},
        what=f"writing the header row of worksheet {worksheet!r} (values.update)",
        spreadsheet=spreadsheet,
        sheet=worksheet,
    )


async def perform(ctx: ActionContext, params: Input) -> dict[str, Any]:
    """``spreadsheets.create``; then the header row when ``headers`` are given."""
    body: dict[str, Any] = {"properties": {"title": params.title}}
    if params.worksheet:
        body["sheets"] = [{"properties": {"title": params.worksheet}}]
    created = await call(ctx, "POST", sheets_url(ctx, "spreadsheets"), json=body, what="creating a spreadsheet")
    sid = str(created.get("spreadsheetId") or "")
    titles = [str(s.get("properties", {}).get("title", "")) for s in items(created, "sheets")]
    header = [h for h in (params.headers or []) if h.strip()]
    if sid and header and titles:
        await write_headers(ctx, sid, titles[0], header)
    return {"id": sid, "title": params.title, "url": created.get("spreadsheetUrl"), "worksheets": titles}


action = Action(
    key="create_spreadsheet",
    type="write",
    noun="Spreadsheet",
    name="Create Spreadsheet",
    description="Create a Google Sheets spreadsheet, optionally naming its first worksheet and writing its header row.",
    input=Input,
    perform=perform,
    output=Spreadsheet,
    sample=SAMPLE,
)
