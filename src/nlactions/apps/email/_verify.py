"""The authentication test: log in to the SMTP server, and to the IMAP server when one is set."""

from __future__ import annotations

from nlactions.apps.email import _imap, _smtp
from nlactions.apps.email._account import account
from nlactions.catalog import ActionContext


async def verify(ctx: ActionContext) -> str:
    """Connect and log in where configured; the connection's label is its sender address."""
    settings = account(ctx.credentials)
    async with _smtp.session(ctx, settings):
        pass
    if settings.imap is not None:
        async with _imap.session(ctx, settings):
            pass
    return f"{settings.from_name} <{settings.from_email}>" if settings.from_name else settings.from_email
