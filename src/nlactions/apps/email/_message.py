"""Email messages: addresses checked, a message composed for sending, a fetched message summarized."""

from __future__ import annotations

import contextlib
import datetime as dt
import email.policy
import re
from collections.abc import Sequence
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime, getaddresses, make_msgid, parseaddr, parsedate_to_datetime
from html.parser import HTMLParser
from typing import Any

from nlactions.catalog import InvalidInput

SEND_POLICY = email.policy.SMTP.clone(cte_type="7bit")
"""CRLF line ends and 7-bit bodies (quoted-printable or base64), which every SMTP server accepts."""
READ_POLICY = email.policy.default
EXCERPT_CHARS = 500

_ADDRESS = re.compile(r"^[^@\s<>()\[\],;:\"\\]+@[^@\s<>()\[\],;:\"\\]+\.[^@\s<>()\[\],;:\"\\.]+$")
_LINE_BREAKS = re.compile(r"[\r\n]+")


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file to attach: its name, MIME type and bytes."""

    filename: str
    content_type: str
    data: bytes


def one_line(text: str) -> str:
    """``text`` without line breaks (a header value cannot carry one)."""
    return _LINE_BREAKS.sub(" ", text).strip()


def _domain(domain: str) -> str:
    try:
        return domain.encode("idna").decode("ascii") if not domain.isascii() else domain
    except UnicodeError:
        return domain


def addresses(need: str, values: Sequence[str]) -> list[Address]:
    """Parse ``values`` (each one or more comma-separated addresses, with or without a name)."""
    found: list[Address] = []
    for raw in values:
        if not raw.strip():
            continue
        for name, spec in getaddresses([one_line(raw)]):
            local, _, domain = spec.partition("@")
            spec = f"{local}@{_domain(domain)}"
            if not _ADDRESS.match(spec) or not spec.isascii():
                raise InvalidInput(
                    need,
                    f"{raw!r} is not an email address.",
                    hint="Give addresses like ana@example.com or Ana Example <ana@example.com> "
                    "(internationalized local parts are not supported).",
                )
            found.append(Address(display_name=one_line(name), username=local, domain=spec.partition("@")[2]))
    return found


def address(need: str, value: str | None) -> Address | None:
    """One optional address."""
    parsed = addresses(need, [value] if value else [])
    if len(parsed) > 1:
        raise InvalidInput(need, f"{value!r} holds {len(parsed)} addresses; give one.")
    return parsed[0] if parsed else None


def compose(
    *,
    sender: Address,
    to: Sequence[Address],
    cc: Sequence[Address],
    reply_to: Address | None,
    subject: str,
    text: str,
    html: str | None,
    attachments: Sequence[Attachment],
    now: dt.datetime,
) -> EmailMessage:
    """The message to send; Bcc recipients are not in it (they only go in the SMTP envelope)."""
    message = EmailMessage(policy=SEND_POLICY)
    message["From"] = sender
    message["To"] = list(to)
    if cc:
        message["Cc"] = list(cc)
    if reply_to is not None:
        message["Reply-To"] = reply_to
    message["Subject"] = one_line(subject)
    message["Date"] = format_datetime(now if now.tzinfo else now.replace(tzinfo=dt.UTC))
    message["Message-ID"] = make_msgid(domain=sender.domain)
    message.set_content(text)
    if html:
        message.add_alternative(html, subtype="html")
    for item in attachments:
        maintype, _, subtype = item.content_type.partition("/")
        message.add_attachment(item.data, maintype=maintype, subtype=subtype, filename=item.filename)
    return message


class _TextOfHtml(HTMLParser):
    _SKIP = frozenset({"script", "style", "head", "title"})
    _BREAK = frozenset({"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skipping += 1
        elif tag in self._BREAK:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP and self._skipping:
            self._skipping -= 1
        elif tag in self._BREAK:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def html_text(html: str) -> str:
    """The readable text of an HTML document (tags, scripts and styles dropped)."""
    parser = _TextOfHtml()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


def excerpt(message: EmailMessage, limit: int = EXCERPT_CHARS) -> str:
    """The start of the message's text: its text/plain part, else its HTML part as text, on one line."""
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, ValueError, AssertionError):  # a bad charset, or a part cut short by a partial fetch
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    if not isinstance(content, str):
        return ""
    if part.get_content_subtype() == "html":
        content = html_text(content)
    text = " ".join(content.split())
    return text if len(text) <= limit else text[:limit].rstrip() + "…"


def parse(raw: bytes) -> EmailMessage:
    """A fetched message (possibly only its first bytes) as an ``EmailMessage``."""
    message = BytesParser(policy=READ_POLICY).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    return message


def _header(message: EmailMessage, name: str) -> str:
    try:
        value = message.get(name)
    except (ValueError, IndexError):  # an undecodable header
        return ""
    return one_line(str(value)) if value is not None else ""


def summary(message: EmailMessage) -> dict[str, Any]:
    """Sender, recipients, subject, date (ISO 8601), Message-ID and a text excerpt of ``message``."""
    from_name, from_email = parseaddr(_header(message, "From"))
    date = _header(message, "Date")
    with contextlib.suppress(TypeError, ValueError):
        date = parsedate_to_datetime(date).isoformat() if date else ""
    return {
        "from_name": from_name,
        "from_email": from_email,
        "to": _header(message, "To"),
        "cc": _header(message, "Cc"),
        "subject": _header(message, "Subject"),
        "date": date,
        "message_id": _header(message, "Message-ID"),
        "excerpt": excerpt(message),
    }
