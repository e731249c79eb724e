"""An IMAP session (SSRF-checked address, TLS or STARTTLS verified against the host name, login) and the
searches and fetches ``find_email`` makes, with every string argument quoted."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import logging
import re
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aioimaplib

from nlactions.apps.email._account import Account, Server
from nlactions.apps.email._network import (
    COMMAND_TIMEOUT,
    CONNECT_TIMEOUT,
    address,
    connect_failure,
    tls_context,
)
from nlactions.catalog import ActionContext, AppError, AuthExpired, InvalidInput, UpstreamError

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
FETCH_BYTES = 65_536
"""How much of each message is fetched: enough for its headers and the start of its text."""

_NOT_THE_PASSWORD = ("[UNAVAILABLE]", "[PRIVACYREQUIRED]", "[INUSE]", "[LIMIT]")
"""RFC 5530 codes of a refused LOGIN that do not mean the credentials are wrong."""
_FETCH_LINE = re.compile(rb"^\d+ FETCH \(")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
_LIST_LINE = re.compile(rb'^\((?P<flags>[^)]*)\) (?:"(?:[^"\\]|\\.)*"|NIL) (?P<name>.+)$')


class _HideLogin(logging.Filter):
    """aioimaplib logs what it sends at debug level; a LOGIN line would carry the password."""

    def filter(self, record: logging.LogRecord) -> bool:
        if "LOGIN" in str(record.msg):
            record.msg, record.args = "Sending : LOGIN (not logged)", ()
        return True


logging.getLogger(aioimaplib.aioimaplib.__name__).addFilter(_HideLogin())


def imap_string(text: str) -> str:
    """``text`` as an IMAP quoted string; control characters (which could end the command) become spaces."""
    return aioimaplib.quoted(_CONTROL.sub(" ", text).strip())


def imap_date(day: dt.date) -> str:
    """An IMAP date (``1-Feb-2024``), independent of the locale."""
    return f"{day.day}-{MONTHS[day.month - 1]}-{day.year}"


def mailbox_name(folder: str) -> str:
    """A folder name encoded as IMAP's modified UTF-7 (RFC 3501 §5.1.3) and quoted."""
    out: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            encoded = base64.b64encode("".join(pending).encode("utf-16-be")).decode("ascii")
            out.append("&" + encoded.rstrip("=").replace("/", ",") + "-")
            pending.clear()

    for char in _CONTROL.sub(" ", folder).strip():
        if " " <= char <= "~":
            flush()
            out.append("&-" if char == "&" else char)
        else:
            pending.append(char)
    flush()
    return imap_string("".join(out))


def _decode_mailbox(name: str) -> str:
    def decode(match: re.Match[str]) -> str:
        chunk = match.group(1)
        if not chunk:
            return "&"
        padded = chunk.replace(",", "/") + "=" * (-len(chunk) % 4)
        try:
            return base64.b64decode(padded).decode("utf-16-be")
        except ValueError:
            return match.group(0)

    return re.sub(r"&([^-]*)-", decode, name)


def _text(response: aioimaplib.Response) -> str:
    last = response.lines[-1] if response.lines else b""
    return " ".join(bytes(last).decode("utf-8", "replace").split()) or response.result


class _Client(aioimaplib.IMAP4):
    """aioimaplib's client, connected to an already checked address; TLS is verified against the host name."""

    def __init__(self, ip: str, server: Server, ssl_context: Any):
        self._ip = ip
        super().__init__(host=server.host, port=server.port, timeout=COMMAND_TIMEOUT, ssl_context=ssl_context)

    def create_client(
        self,
        host: str,
        port: int,
        loop: asyncio.AbstractEventLoop | None,
        conn_lost_cb: Callable[[Exception | None], None] | None = None,
        ssl_context: Any = None,
    ) -> None:
        """Connect to the checked IP; the host name is only the TLS server name."""
        local_loop = loop or asyncio.get_running_loop()
        self.protocol = aioimaplib.IMAP4ClientProtocol(local_loop, conn_lost_cb)
        self._client_task = local_loop.create_task(
            local_loop.create_connection(
                lambda: self.protocol,
                self._ip,
                port,
                ssl=ssl_context,
                server_hostname=host if ssl_context is not None else None,
                ssl_handshake_timeout=CONNECT_TIMEOUT if ssl_context is not None else None,
            )
        )


async def _starttls(client: _Client, server: Server) -> None:
    protocol = client.protocol
    if "STARTTLS" not in protocol.capabilities:
        raise UpstreamError(
            f"The IMAP server {server.where} does not offer STARTTLS.",
            hint="Set the authentication's imap_security to tls (usually port 993).",
        )
    command = aioimaplib.Command("STARTTLS", protocol.new_tag(), loop=protocol.loop)
    response = await asyncio.wait_for(protocol.execute(command), COMMAND_TIMEOUT)
    if response.result != "OK":
        raise UpstreamError(f"The IMAP server {server.where} refused STARTTLS ({_text(response)}).")
    transport = await asyncio.get_running_loop().start_tls(
        protocol.transport,
        protocol,
        tls_context(),
        server_hostname=server.host,
        ssl_handshake_timeout=CONNECT_TIMEOUT,
    )
    protocol.transport = transport
    await asyncio.wait_for(protocol.capability(), COMMAND_TIMEOUT)


def imap_server(account: Account) -> Server:
    """The account's IMAP server, or an error saying how to add one."""
    if account.imap is None:
        raise AppError(
            "This email authentication has no IMAP server, so it cannot search mail.",
            hint="Edit the authentication: set imap_host (and imap_port and imap_security when not the usual "
            "993 with tls).",
        )
    if not account.username or not account.password:
        raise AppError(
            "Searching mail over IMAP needs a username and password, and the authentication lacks one.",
            hint="Edit the authentication's username and password fields.",
        )
    return account.imap


@asynccontextmanager
async def session(ctx: ActionContext, account: Account) -> AsyncIterator[_Client]:
    """A logged-in IMAP client; logs out at the end."""
    server = imap_server(account)
    ip = await address(ctx, server)
    client = _Client(ip, server, tls_context() if server.security == "tls" else None)
    try:
        try:
            async with asyncio.timeout(CONNECT_TIMEOUT):
                await client.wait_hello_from_server()
            if server.security == "starttls":
                await _starttls(client, server)
            response = await client.login(imap_string(account.username), account.password)
        except (aioimaplib.AioImapException, OSError, TimeoutError) as exc:
            raise connect_failure(server, exc) from None
        if response.result != "OK" and any(code in _text(response) for code in _NOT_THE_PASSWORD):
            raise UpstreamError(
                f"The IMAP server {server.where} did not accept the login now ({_text(response)}).",
                hint="If it asks for encryption, set imap_security to tls or starttls; otherwise try again later.",
            )
        if response.result != "OK":
            raise AuthExpired(
                f"The IMAP server {server.where} refused the username and password ({_text(response)}). "
                "Fix the authentication's username and password (some providers need an app password)."
            )
        yield client
    finally:
        await _close(client)


async def _close(client: _Client) -> None:
    protocol = client.protocol
    try:
        if protocol.state in (aioimaplib.AUTH, aioimaplib.SELECTED):
            await asyncio.wait_for(client.logout(), 5)
    except (aioimaplib.AioImapException, OSError, TimeoutError):
        pass
    finally:
        if not client._client_task.done():
            client._client_task.cancel()
        if protocol.transport is not None:
            protocol.transport.close()


async def folders(client: _Client) -> list[str]:
    """The names of the account's folders (for hints)."""
    try:
        response = await client.list('""', '"*"')
    except (aioimaplib.AioImapException, OSError, TimeoutError):
        return []
    names: list[str] = []
    for line in response.lines:
        match = _LIST_LINE.match(bytes(line)) if isinstance(line, bytes | bytearray) else None
        if match:
            name = match.group("name").decode("utf-8", "replace")
            if name.startswith('"') and name.endswith('"'):
                name = re.sub(r"\\(.)", r"\1", name[1:-1])
            names.append(_decode_mailbox(name))
    return names


async def select(client: _Client, server: Server, folder: str) -> None:
    """Open ``folder``; an error listing the folders when there is no such folder."""
    try:
        response = await client.select(mailbox_name(folder))
    except (aioimaplib.AioImapException, OSError, TimeoutError) as exc:
        raise connect_failure(server, exc) from None
    if response.result != "OK":
        known = await folders(client)
        listed = ", ".join(known[:50]) if known else "none could be listed"
        raise InvalidInput(
            "folder",
            f"The folder {folder!r} could not be opened ({_text(response)}).",
            hint=f"Use one of the account's folders: {listed}.",
        )


async def search(client: _Client, server: Server, criteria: Sequence[str]) -> list[int]:
    """UIDs matching ``criteria`` (already quoted), in ascending order."""
    charset = None if all(c.isascii() for c in criteria) else "utf-8"
    try:
        response = await client.uid_search(*criteria, charset=charset)
    except (aioimaplib.AioImapException, OSError, TimeoutError) as exc:
        raise connect_failure(server, exc) from None
    if response.result != "OK":
        raise UpstreamError(
            f"The IMAP server {server.where} refused the search ({_text(response)}).",
            hint="Simplify the search: fewer or plainer filters.",
        )
    uids: set[int] = set()
    for line in response.lines[:-1]:
        text = bytes(line).decode("ascii", "replace")
        if text.upper().startswith("SEARCH"):
            text = text[len("SEARCH") :]
        uids.update(int(token) for token in text.split() if token.isdigit())
    return sorted(uids)


@dataclass(slots=True)
class Fetched:
    """One fetched message: its UID, flags, arrival time and first bytes."""

    uid: int
    flags: frozenset[str]
    received: dt.datetime | None
    raw: bytes


def _internal_date(text: str) -> dt.datetime | None:
    match = re.match(r"\s*(\d{1,2})-([A-Za-z]{3})-(\d{4}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})", text)
    if not match or match.group(2).title() not in MONTHS:
        return None
    day, month, year = int(match.group(1)), MONTHS.index(match.group(2).title()) + 1, int(match.group(3))
    offset = dt.timedelta(hours=int(match.group(8)), minutes=int(match.group(9)))
    zone = dt.timezone(offset if match.group(7) == "+" else -offset)
    hour, minute, second = (int(match.group(i)) for i in (4, 5, 6))
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=zone)


def _fetched(meta: bytes, raw: bytes) -> Fetched | None:
    text = meta.decode("utf-8", "replace")
    uid = re.search(r"\bUID (\d+)", text)
    if uid is None:
        return None
    flags = re.search(r"\bFLAGS \(([^)]*)\)", text)
    internal = re.search(r'\bINTERNALDATE "([^"]+)"', text)
    return Fetched(
        uid=int(uid.group(1)),
        flags=frozenset(flags.group(1).split()) if flags else frozenset(),
        received=_internal_date(internal.group(1)) if internal else None,
        raw=raw,
    )


async def fetch(client: _Client, server: Server, uids: Sequence[int]) -> list[Fetched]:
    """Flags, arrival time and the first bytes of each message, without marking any as read."""
    if not uids:
        return []
    parts = f"(UID FLAGS INTERNALDATE BODY.PEEK[]<0.{FETCH_BYTES}>)"
    try:
        response = await client.uid("fetch", ",".join(str(uid) for uid in uids), parts)
    except (aioimaplib.AioImapException, OSError, TimeoutError) as exc:
        raise connect_failure(server, exc) from None
    if response.result != "OK":
        raise UpstreamError(f"The IMAP server {server.where} refused to fetch messages ({_text(response)}).")
    records: list[tuple[bytearray, bytes]] = []
    for line in response.lines[:-1]:
        if isinstance(line, bytearray):
            if records:
                records[-1] = (records[-1][0], bytes(line))
        elif _FETCH_LINE.match(line):
            records.append((bytearray(line), b""))
        elif records:
            records[-1][0].extend(b" " + line)
    found = [_fetched(bytes(meta), raw) for meta, raw in records]
    return [item for item in found if item is not None]
