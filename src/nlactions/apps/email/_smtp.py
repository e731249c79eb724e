"""An SMTP session: connect to the checked address, encrypt as configured, log in; failures in words."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

import aiosmtplib

from nlactions.apps.email._account import Account, Server
from nlactions.apps.email._network import COMMAND_TIMEOUT, connect_failure, connect_socket, tls_context
from nlactions.catalog import ActionContext, AppError, AuthExpired, InvalidInput, UpstreamError

CREDENTIALS_REFUSED = 535


def reply(exc: aiosmtplib.SMTPResponseException) -> str:
    """The server's reply as ``code text``, on one line."""
    return f"{exc.code} {' '.join(exc.message.split())}".strip()


def _failure(server: Server, exc: Exception) -> Exception:
    """The app error for an SMTP failure while connecting or logging in."""
    fields = "smtp_host, smtp_port and smtp_security"
    if isinstance(exc, aiosmtplib.SMTPAuthenticationError):
        if exc.code == CREDENTIALS_REFUSED:
            return AuthExpired(
                f"The SMTP server {server.where} refused the username and password ({reply(exc)}). "
                "Fix the authentication's username and password (some providers need an app password)."
            )
        return UpstreamError(
            f"The SMTP server {server.where} refused the login ({reply(exc)}).",
            hint="Check the authentication's username, password and smtp_security (many servers only allow "
            "a login over starttls or tls).",
        )
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return UpstreamError(f"The SMTP server {server.where} answered {reply(exc)}.", hint=f"Check {fields}.")
    if isinstance(exc, aiosmtplib.SMTPTimeoutError):
        return UpstreamError(
            f"The SMTP server {server.where} did not answer in time.", hint=f"Check {fields}, or try again later."
        )
    if isinstance(exc, aiosmtplib.SMTPServerDisconnected):
        return UpstreamError(
            f"The SMTP server {server.where} closed the connection ({exc}).",
            hint=f"Check {fields}: tls is for port 465, starttls for 587.",
        )
    if isinstance(exc, aiosmtplib.SMTPException):
        return UpstreamError(f"The SMTP server {server.where}: {exc}", hint=f"Check {fields}.")
    return connect_failure(server, exc)


@asynccontextmanager
async def session(ctx: ActionContext, account: Account) -> AsyncIterator[aiosmtplib.SMTP]:
    """A connected SMTP client, encrypted per ``smtp_security`` and logged in when a username is set."""
    server = account.smtp
    if account.password and not account.username:
        raise AppError("The authentication has a password but no username.", hint="Fill in its username field.")
    sock = await connect_socket(ctx, server)
    client = aiosmtplib.SMTP(
        hostname=server.host,
        sock=sock,
        use_tls=server.security == "tls",
        start_tls=False,
        tls_context=tls_context() if server.security != "none" else None,
        timeout=COMMAND_TIMEOUT,
    )
    try:
        try:
            await client.connect()
            if server.security == "starttls":
                await client.starttls()
            if account.username:
                await client.login(account.username, account.password)
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            raise _failure(server, exc) from None
        yield client
    finally:
        if client.is_connected:
            await _quit(client)
        else:
            sock.close()


async def _quit(client: aiosmtplib.SMTP) -> None:
    try:
        await client.quit()
    except (aiosmtplib.SMTPException, OSError, TimeoutError):
        client.close()


async def deliver(
    client: aiosmtplib.SMTP, server: Server, sender: str, recipients: Sequence[tuple[str, str]], data: bytes
) -> None:
    """One mail transaction; when the server refuses any recipient nothing is sent and the error names them.

    ``recipients`` pairs each envelope address with the need it came from (to, cc or bcc).
    """
    try:
        options = [f"SIZE={len(data)}"] if client.supports_extension("size") else []
        try:
            await client.mail(sender, options=options)
        except aiosmtplib.SMTPSenderRefused as exc:
            raise UpstreamError(
                f"The SMTP server {server.where} refused the sender {sender} ({reply(exc)}).",
                hint="from_email must be an address the username may send as; edit the authentication's "
                "from_email field.",
            ) from None
        refused: list[tuple[str, str, str]] = []
        for address, need in recipients:
            try:
                await client.rcpt(address)
            except aiosmtplib.SMTPRecipientRefused as exc:
                refused.append((address, need, reply(exc)))
        if refused:
            await client.rset()
            raise _refused(refused)
        try:
            await client.data(data)
        except aiosmtplib.SMTPDataError as exc:
            raise UpstreamError(
                f"The SMTP server {server.where} refused the message ({reply(exc)}).",
                hint="Check the message's size and content; nothing was sent.",
            ) from None
    except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
        raise _failure(server, exc) from None


def _refused(refused: Sequence[tuple[str, str, str]]) -> InvalidInput:
    named = "; ".join(f"{address} in {need} ({why})" for address, need, why in refused)
    which = "recipient" if len(refused) == 1 else "recipients"
    return InvalidInput(
        refused[0][1],
        f"The SMTP server refused the {which} {named}. The email was not sent to anyone.",
        hint=f"Fix or remove the refused {which} and send again.",
    )
