"""``find_email``: search a mail folder over IMAP, newest first, with a text excerpt of each email."""

from __future__ import annotations

import datetime as dt
from typing import Any

from nlactions.apps.email import _imap
from nlactions.apps.email._account import account
from nlactions.apps.email._message import parse, summary
from nlactions.catalog import Action, ActionContext, Gives, InvalidInput, Needs, give, need

MAX_RESULTS = 50


class Input(Needs):
    """What searching a mail folder needs."""

    from_email: str | None = need(
        None,
        label="From",
        help_text="Only emails whose sender contains this text: an address (ana@example.com), a domain or a name.",
    )
    subject: str | None = need(None, label="Subject", help_text="Only emails whose subject contains this text.")
    since: dt.date | None = need(
        None, label="Received Since", help_text="Only emails received on or after this date (YYYY-MM-DD)."
    )
    unread_only: bool = need(False, label="Unread Only", help_text="Only emails not yet marked as read.")
    folder: str = need(
        "INBOX", label="Folder", help_text="The mail folder (IMAP mailbox) to search, e.g. INBOX, Sent or Archive."
    )
    max_results: int = need(
        10, label="Max Results", help_text=f"How many emails to return at most, newest first (1 to {MAX_RESULTS})."
    )


class Found(Gives):
    """One email of the folder."""

    subject: str = give("", label="Subject", important=True)
    from_name: str = give("", label="From Name")
    from_email: str = give("", label="From Email", important=True)
    to: str = give("", label="To")
    cc: str = give("", label="Cc")
    date: str = give("", label="Date", important=True)
    excerpt: str = give("", label="Text Excerpt", important=True)
    is_unread: bool = give(False, label="Is Unread")
    message_id: str = give("", label="Message ID")
    uid: int = give(label="IMAP UID")
    folder: str = give("INBOX", label="Folder")
    received_at: str = give("", label="Received At")


SAMPLE = {
    "subject": "Lunch",
    "from_name": "Ana Example",
    "from_email": "ana@example.com",
    "to": "me@example.com",
    "cc": "",
    "date": "2024-05-02T12:01:00+02:00",
    "excerpt": "See you at noon by the fountain.",
    "is_unread": True,
    "message_id": "<173306784512.4242.1234567890@example.com>",
    "uid": 42,
    "folder": "INBOX",
    "received_at": "2024-05-02T12:01:03+02:00",
}


def criteria(params: Input) -> list[str]:
    """The IMAP SEARCH criteria for the filters, every string quoted."""
    out: list[str] = []
    if params.from_email and params.from_email.strip():
        out += ["FROM", _imap.imap_string(params.from_email)]
    if params.subject and params.subject.strip():
        out += ["SUBJECT", _imap.imap_string(params.subject)]
    if params.since is not None:
        out += ["SINCE", _imap.imap_date(params.since)]
    if params.unread_only:
        out.append("UNSEEN")
    return out or ["ALL"]


async def perform(ctx: ActionContext, params: Input) -> list[dict[str, Any]]:
    """Search the folder, take the newest matches (highest UIDs) and summarize each."""
    if not 1 <= params.max_results <= MAX_RESULTS:
        raise InvalidInput("max_results", f"Max Results is {params.max_results}; give 1 to {MAX_RESULTS}.")
    folder = params.folder.strip() or "INBOX"
    settings = account(ctx.credentials)
    async with _imap.session(ctx, settings) as client:
        server = _imap.imap_server(settings)
        await _imap.select(client, server, folder)
        uids = await _imap.search(client, server, criteria(params))
        newest = sorted(uids, reverse=True)[: params.max_results]
        fetched = {item.uid: item for item in await _imap.fetch(client, server, newest)}
    results: list[dict[str, Any]] = []
    for uid in newest:
        item = fetched.get(uid)
        if item is None:
            continue
        results.append(
            {
                **summary(parse(item.raw)),
                "is_unread": "\\Seen" not in item.flags,
                "uid": uid,
                "folder": folder,
                "received_at": item.received.isoformat() if item.received else "",
            }
        )
    return results


action = Action(
    key="find_email",
    type="search",
    noun="Email",
    name="Find Email",
    description="Search a folder of the connected mailbox (INBOX by default) by sender, subject, date received "
    "and unread status; returns the newest matching emails first, each with sender, subject, date and the "
    "start of its text.",
    input=Input,
    perform=perform,
    output=Found,
    sample=SAMPLE,
)
