"""Choice loaders: the spreadsheets the connection can see (Drive ``files.list``) and a spreadsheet's worksheets."""

from __future__ import annotations

from urllib.parse import quote

from nlactions.apps.google_sheets.client import call, drive_url, items, sheets_url
from nlactions.catalog import Choice, ChoiceContext, ChoicePage, ServiceContext

SPREADSHEET_QUERY = "mimeType='application/vnd.google-apps.spreadsheet' and trashed=false"
PAGE_SIZE = 100


async def spreadsheets(ctx: ChoiceContext) -> ChoicePage:
    """Spreadsheets (not trashed) by id, labelled with their name; pages follow ``nextPageToken``."""
    params = {
        "q": SPREADSHEET_QUERY,
        "pageSize": PAGE_SIZE,
        "fields": "nextPageToken,files(id,name,modifiedTime)",
        "orderBy": "modifiedTime desc",
        "supportsAllDrives": "true",
        "includeItemsFromAllDrives": "true",
    }
    if ctx.cursor:
        params["pageToken"] = ctx.cursor
    body = await call(ctx, "GET", drive_url(ctx, "files"), params=params, what="listing spreadsheets (files.list)")
    found = [Choice(str(f["id"]), str(f.get("name") or f["id"])) for f in items(body, "files") if "id" in f]
    token = body.get("nextPageToken")
    return ChoicePage(found, token if isinstance(token, str) and token else None)


async def worksheet_titles(ctx: ServiceContext, spreadsheet: str) -> list[str]:
    """The titles of a spreadsheet's worksheets, in tab order."""
    body = await call(
        ctx,
        "GET",
        sheets_url(ctx, f"spreadsheets/{quote(spreadsheet, safe='')}"),
        params={"fields": "sheets.properties"},
        what="reading the spreadsheet's worksheets (spreadsheets.get)",
        spreadsheet=spreadsheet,
    )
    titles = [str(s.get("properties", {}).get("title", "")) for s in items(body, "sheets")]
    return [t for t in titles if t]


async def worksheets(ctx: ChoiceContext) -> ChoicePage:
    """The worksheets of ``ctx.params["spreadsheet"]`` by title."""
    spreadsheet = str(ctx.params.get("spreadsheet") or "")
    if not spreadsheet:
        return ChoicePage([])
    return ChoicePage([Choice(t, t) for t in await worksheet_titles(ctx, spreadsheet)])
