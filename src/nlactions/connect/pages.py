"""The plain HTML pages a browser sees at the end of the connect flow."""

from __future__ import annotations

from html import escape

from fastapi.responses import HTMLResponse

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 3em auto; line-height: 1.5">
<h1>{title}</h1><p>{message}</p></body></html>
"""
_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff"}


def page(title: str, message: str, status: int = 200) -> HTMLResponse:
    """A page with a heading and one paragraph, both escaped."""
    return HTMLResponse(_PAGE.format(title=escape(title), message=escape(message)), status, headers=_HEADERS)


def connected(app_name: str, title: str, auth_id: int, reconnected: bool) -> HTMLResponse:
    """The page saying the connection worked."""
    what = "reconnected" if reconnected else "connected"
    return page(
        f"{app_name} {what}",
        f"{app_name} is {what} as “{title}” (authentication {auth_id}). You can close this window.",
    )


def failed(app_name: str, message: str, status: int = 400) -> HTMLResponse:
    """The page saying why the connection did not work."""
    return page(f"{app_name} was not connected", message, status)
