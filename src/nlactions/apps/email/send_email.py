"""``send_email``: send an email over SMTP (to, cc, bcc, reply-to, text and HTML bodies, attachments by URL)."""

from __future__ import annotations

from email.headerregistry import Address
from typing import Any

from nlactions.apps.email import _smtp
from nlactions.apps.email._account import account
from nlactions.apps.email._attachments import MAX_ATTACHMENT_BYTES, fetch_all
from nlactions.apps.email._message import SEND_POLICY, address, addresses, compose, one_line
from nlactions.catalog import Action, ActionContext, Gives, InvalidInput, Needs, give, need

MAX_RECIPIENTS = 100


class Input(Needs):
    """What sending an email needs."""

    to: list[str] = need(
        label="To",
        help_text="Email addresses to send to, e.g. ana@example.com or Ana Example <ana@example.com>.",
        examples=["ana@example.com"],
    )
    subject: str = need(label="Subject", help_text="The subject line of the email.")
    body: str = need(
        label="Body",
        help_text="The message as plain text. With an HTML body too, this is the text version for mail "
        "programs that do not show HTML.",
    )
    cc: list[str] | None = need(None, label="Cc", help_text="Email addresses to copy; every recipient sees them.")
    bcc: list[str] | None = need(
        None, label="Bcc", help_text="Email addresses to copy secretly; no other recipient sees them."
    )
    reply_to: str | None = need(
        None, label="Reply To", help_text="The address replies should go to, when not the sender's."
    )
    from_name: str | None = need(
        None,
        label="From Name",
        help_text="The sender name recipients see, for this email only (the sender address is the authentication's).",
    )
    html_body: str | None = need(
        None, label="HTML Body", help_text="The message as HTML, shown instead of Body by mail programs that can."
    )
    attachments: list[str] | None = need(
        None,
        label="Attachments",
        help_text="http(s) URLs of files to attach; each is downloaded and attached "
        f"(at most {MAX_ATTACHMENT_BYTES // 1_000_000} MB each).",
        examples=["https://example.com/files/report.pdf"],
    )


class Sent(Gives):
    """What the server accepted."""

    message_id: str = give(label="Message ID", important=True)
    recipients: list[str] = give(label="Recipients Accepted", important=True)
    subject: str = give(label="Subject")
    from_email: str = give(label="From Email")
    attachment_count: int = give(0, label="Attachment Count")


SAMPLE = {
    "message_id": "<173306784512.4242.1234567890@example.com>",
    "recipients": ["ana@example.com"],
    "subject": "Lunch",
    "from_email": "me@example.com",
    "attachment_count": 0,
}


def _envelope(*groups: tuple[str, list[Address]]) -> list[tuple[str, str]]:
    seen: set[str] = set()
    out: list[tuple[str, str]] = []
    for need_key, group in groups:
        for item in group:
            key = item.addr_spec.lower()
            if key not in seen:
                seen.add(key)
                out.append((item.addr_spec, need_key))
    return out


async def perform(ctx: ActionContext, params: Input) -> dict[str, Any]:
    """Compose the message, fetch its attachments, and send it in one SMTP transaction."""
    settings = account(ctx.credentials)
    to, cc, bcc = addresses("to", params.to), addresses("cc", params.cc or []), addresses("bcc", params.bcc or [])
    if not to:
        raise InvalidInput("to", "No recipient was given.", hint="Give at least one address in To.")
    envelope = _envelope(("to", to), ("cc", cc), ("bcc", bcc))
    if len(envelope) > MAX_RECIPIENTS:
        raise InvalidInput("to", f"{len(envelope)} recipients given; at most {MAX_RECIPIENTS} can be sent to.")
    local, _, domain = settings.from_email.partition("@")
    sender = Address(display_name=one_line(params.from_name or settings.from_name), username=local, domain=domain)
    attachments = await fetch_all(ctx, params.attachments or [])
    message = compose(
        sender=sender,
        to=to,
        cc=cc,
        reply_to=address("reply_to", params.reply_to),
        subject=params.subject,
        text=params.body,
        html=params.html_body,
        attachments=attachments,
        now=ctx.now,
    )
    data = message.as_bytes(policy=SEND_POLICY)
    async with _smtp.session(ctx, settings) as client:
        await _smtp.deliver(client, settings.smtp, settings.from_email, envelope, data)
    return {
        "message_id": str(message["Message-ID"]),
        "recipients": [item for item, _ in envelope],
        "subject": str(message["Subject"]),
        "from_email": settings.from_email,
        "attachment_count": len(attachments),
    }


action = Action(
    key="send_email",
    type="write",
    noun="Email",
    name="Send Email",
    description="Send an email from the connected mail account to one or more addresses, with an optional "
    "HTML version, cc, bcc, reply-to address and attachments by URL.",
    input=Input,
    perform=perform,
    output=Sent,
    sample=SAMPLE,
)
