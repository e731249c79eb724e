"""Email: send over SMTP and search a mailbox over IMAP, with the account's own mail servers.

One authentication holds the SMTP server, an optional IMAP server (same username and password) and the
sender address. Every connection goes to an address the SSRF guard accepted (``ctx.tcp_address``).
"""

from __future__ import annotations

from nlactions.apps.email import find_email, send_email
from nlactions.apps.email._account import FIELDS
from nlactions.apps.email._verify import verify
from nlactions.catalog import App, FieldsAuth

__all__ = ["app"]

app = App(
    key="EmailAPI",
    name="Email",
    description="Send email through your own mail server (SMTP) and find emails in your mailbox (IMAP).",
    actions=(send_email.action, find_email.action),
    auth=FieldsAuth(fields=FIELDS, test=verify),
    keywords=("email", "mail", "smtp", "imap", "send", "inbox", "message"),
)
