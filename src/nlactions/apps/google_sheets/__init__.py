"""Google Sheets: add, find and update rows, create spreadsheets and worksheets through Sheets v4 and Drive v3.

The connection holds an OAuth access token or a service account's JSON key (see ``tokens``); every call goes
through the server's guarded HTTP client. ``api_base_url`` and ``drive_base_url`` point the app at a peer.
"""

from __future__ import annotations

from nlactions.apps.google_sheets import add_row, create_spreadsheet, create_worksheet, lookup_row, update_row
from nlactions.apps.google_sheets.auth import auth
from nlactions.catalog import App

__all__ = ["app"]

app = App(
    key="GoogleSheetsV2API",
    name="Google Sheets",
    description="Add, find and update rows of Google Sheets worksheets, and create spreadsheets and worksheets.",
    actions=(
        add_row.action,
        lookup_row.action,
        update_row.action,
        create_spreadsheet.action,
        create_worksheet.action,
    ),
    auth=auth,
    keywords=("google sheets", "sheets", "spreadsheet", "row", "worksheet", "google"),
)
