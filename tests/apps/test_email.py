"""The Email app against real servers on 127.0.0.1: aiosmtpd for SMTP, dovecot for IMAP, an HTTP server for
attachments; then through the API (authentication test, POST /api/v2/execute/)."""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import AsyncIterator, Iterator, Mapping
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import pytest

from helpers.echo_server import EchoServer
from helpers.mail_servers import Dovecot, SmtpServer, dovecot_binary, free_port, make_certificate
from nlactions.apps.email import _attachments, _imap, app
from nlactions.catalog import ActionContext, AppError, AuthExpired, InvalidInput, UpstreamError, load_registry
from nlactions.catalog.testing import conformance_suite
from nlactions.kit.http import make_client
from nlactions.kit.ssrf import SSRFGuard
from nlactions.settings import Settings

USER = "me@example.test"
PASSWORD = 'correct"horse-7731'
WRONG = "wrong-password-5520"
NOW = dt.datetime(2024, 5, 20, 9, 30, tzinfo=dt.UTC)

test_conformance = conformance_suite(app)


# --- servers ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def smtp() -> Iterator[SmtpServer]:
    """An SMTP server requiring USER / PASSWORD that refuses nobody@example.com."""
    with SmtpServer(users={USER: PASSWORD}, refuse=["nobody@example.com"]) as server:
        yield server


@pytest.fixture(autouse=True)
def _forget_mail(smtp: SmtpServer) -> None:
    smtp.received.clear()
    smtp.logins.clear()


@pytest.fixture(scope="module")
def echo() -> Iterator[EchoServer]:
    """An HTTP server for attachment URLs."""
    with EchoServer() as server:
        yield server


def _message(sender: str, subject: str, text: str | None = None, html: str | None = None) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = USER
    message["Subject"] = subject
    message["Date"] = "Thu, 02 May 2024 12:01:00 +0200"
    message["Message-ID"] = f"<{abs(hash((sender, subject)))}@example.com>"
    if text is not None:
        message.set_content(text)
    if html is not None:
        if text is None:
            message.set_content(html, subtype="html")
        else:
            message.add_alternative(html, subtype="html")
    return message


LONG_TEXT = "Agenda for lunch. " + "word " * 300


@pytest.fixture(scope="module")
def dovecot() -> Iterator[Dovecot]:
    """dovecot with one mailbox: five emails in INBOX (oldest first) and one in Archive."""
    binary = dovecot_binary()
    if binary is None:
        message = "dovecot is not installed (apt-get install -y dovecot-imapd); the IMAP tests need it"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with Dovecot({USER: PASSWORD}, binary=binary) as server:
        day = dt.datetime(2024, 4, 1, 8, 0, tzinfo=dt.UTC)
        server.append(
            USER,
            _message(
                "Bob <bob@example.com>",
                "Invoice 42",
                html="<p>Your <b>invoice</b> &amp; receipt</p><script>x()</script>",
            ),
            seen=True,
            received=day,
        )
        server.append(
            USER,
            _message("Ana Example <ana@example.com>", "Lunch", "See you at noon\nby the fountain."),
            received=day.replace(month=5, day=2),
        )
        server.append(
            USER,
            _message("Carol <carol@example.com>", 'He said "hi" to you', "Quoted subject."),
            received=day.replace(month=5, day=3),
        )
        server.append(
            USER,
            _message("Dan <dan@example.com>", "Café ☕ tomorrow", "Non-ASCII subject."),
            received=day.replace(month=5, day=4),
            seen=True,
        )
        server.append(
            USER,
            _message("Ana Example <ana@example.com>", "Lunch again", LONG_TEXT, "<p>html version</p>"),
            seen=True,
            received=day.replace(month=5, day=10),
        )
        server.append(USER, _message("Eve <eve@example.com>", "Old news", "Archived."), folder="Archive", received=day)
        yield server


# --- contexts --------------------------------------------------------------------------------------------


def credentials(smtp: SmtpServer | None = None, dovecot: Dovecot | None = None, **extra: str) -> dict[str, str]:
    """Authentication fields for the loopback servers (plain connections unless ``extra`` says otherwise)."""
    fields = {
        "smtp_host": "127.0.0.1",
        "smtp_port": str(smtp.port if smtp else free_port()),
        "smtp_security": "none",
        "username": USER,
        "password": PASSWORD,
        "from_email": USER,
        "from_name": "Me Example",
    }
    if dovecot is not None:
        fields |= {"imap_host": "127.0.0.1", "imap_port": str(dovecot.port), "imap_security": "none"}
    return fields | extra


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    """The outbound client as the executor builds it, allowed to reach 127.0.0.1."""
    async with make_client(guard=SSRFGuard(["127.0.0.1:*"]), timeout=5) as client:
        yield client


async def run(http: httpx.AsyncClient, fields: Mapping[str, str], key: str, **params: Any) -> Any:
    """Validate ``params`` with the action's input model and perform it with ``fields`` as credentials."""
    action = app.action(key)
    assert action is not None
    ctx = ActionContext(http=http, credentials=dict(fields), now=NOW)
    return await action.perform(ctx, action.input.model_validate(params))


def test_registered_with_fields_auth() -> None:
    assert load_registry().get("EmailAPI") is app
    assert app.name == "Email" and app.auth.kind == "custom" and app.needs_auth
    fields = {f.key: f for f in app.auth.fields}
    assert [k for k, f in fields.items() if f.required] == ["smtp_host", "from_email"]
    assert [k for k, f in fields.items() if f.secret] == ["password"]
    assert app.auth.httpx_auth(credentials()) is None  # nothing of the login goes on HTTP requests
    assert {a.key: a.type for a in app.actions} == {"send_email": "write", "find_email": "search"}


# --- send_email ------------------------------------------------------------------------------------------


async def test_send_delivers_headers_recipients_bodies_and_attachment(
    http: httpx.AsyncClient, smtp: SmtpServer, echo: EchoServer
) -> None:
    result = await run(
        http,
        credentials(smtp),
        "send_email",
        to=["Ana Example <ana@example.com>", "bob@example.com"],
        cc=["carol@example.com"],
        bcc=["secret@example.com"],
        reply_to="replies@example.test",
        from_name="Me at Work",
        subject="Lunch ☕",
        body="See you at noon.",
        html_body="<p>See you at <b>noon</b>.</p>",
        attachments=[echo.url("/files/report.txt")],
    )
    [received] = smtp.received
    assert received.mail_from == USER
    assert received.rcpt_tos == ["ana@example.com", "bob@example.com", "carol@example.com", "secret@example.com"]
    assert smtp.logins == [USER]
    message = received.message
    assert message["From"] == "Me at Work <me@example.test>"
    assert message["To"] == "Ana Example <ana@example.com>, bob@example.com"
    assert message["Cc"] == "carol@example.com"
    assert message["Bcc"] is None and b"secret@example.com" not in received.raw
    assert message["Reply-To"] == "replies@example.test"
    assert message["Subject"] == "Lunch ☕"
    assert message["Message-ID"] == result["message_id"]
    assert message["Date"] == "Mon, 20 May 2024 09:30:00 +0000"
    plain = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert plain is not None and plain.get_content().strip() == "See you at noon."
    assert html is not None and "<b>noon</b>" in html.get_content()
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "report.txt"
    assert attachment.get_content_type() == "application/json"
    assert b'"path":"/files/report.txt"' in attachment.get_content()
    assert result["recipients"] == received.rcpt_tos
    assert result["attachment_count"] == 1 and result["from_email"] == USER


async def test_recipient_given_as_one_comma_separated_string(http: httpx.AsyncClient, smtp: SmtpServer) -> None:
    await run(
        http, credentials(smtp), "send_email", to=["ana@example.com, Bob <bob@example.com>"], subject="s", body="b"
    )
    assert smtp.received[0].rcpt_tos == ["ana@example.com", "bob@example.com"]


async def test_refused_recipient_is_named_and_nothing_is_sent(http: httpx.AsyncClient, smtp: SmtpServer) -> None:
    with pytest.raises(InvalidInput) as caught:
        await run(
            http,
            credentials(smtp),
            "send_email",
            to=["ana@example.com"],
            cc=["nobody@example.com"],
            subject="s",
            body="b",
        )
    assert caught.value.need == "cc"
    assert "nobody@example.com" in caught.value.message and "550" in caught.value.message
    assert "not sent to anyone" in caught.value.message
    assert smtp.received == []


async def test_header_injection_through_the_subject_adds_no_recipient(
    http: httpx.AsyncClient, smtp: SmtpServer
) -> None:
    await run(
        http, credentials(smtp), "send_email", to=["ana@example.com"], subject="Hi\r\nBcc: evil@example.com", body="b"
    )
    [received] = smtp.received
    assert received.rcpt_tos == ["ana@example.com"]
    assert received.message["Bcc"] is None
    assert received.message["Subject"] == "Hi Bcc: evil@example.com"


@pytest.mark.parametrize(
    ("params", "need"),
    [
        ({"to": ["not an address"]}, "to"),
        ({"to": []}, "to"),
        ({"to": ["ana@example.com"], "cc": ["ana@"]}, "cc"),
        ({"to": ["ana@example.com"], "reply_to": "a@example.com, b@example.com"}, "reply_to"),
    ],
    ids=["bad-to", "no-to", "bad-cc", "two-reply-to"],
)
async def test_bad_addresses_name_the_need(
    http: httpx.AsyncClient, smtp: SmtpServer, params: dict[str, Any], need: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        await run(http, credentials(smtp), "send_email", subject="s", body="b", **params)
    assert caught.value.need == need
    assert smtp.received == []


async def test_wrong_password_is_auth_expired_and_never_logged(
    http: httpx.AsyncClient, smtp: SmtpServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with pytest.raises(AuthExpired) as caught:
        await run(http, credentials(smtp, password=WRONG), "send_email", to=["ana@example.com"], subject="s", body="b")
    assert "username and password" in caught.value.message and "535" in caught.value.message
    assert f"127.0.0.1:{smtp.port}" in caught.value.message
    assert WRONG not in caught.value.message and WRONG not in caplog.text
    assert smtp.received == []


async def test_connection_refused_names_host_and_port(http: httpx.AsyncClient) -> None:
    fields = credentials()
    with pytest.raises(UpstreamError) as caught:
        await run(http, fields, "send_email", to=["ana@example.com"], subject="s", body="b")
    assert f"127.0.0.1:{fields['smtp_port']}" in caught.value.message
    assert "refused the connection" in caught.value.message
    assert "smtp_port" in (caught.value.hint or "")


async def test_private_server_is_refused_without_the_allow_list(smtp: SmtpServer) -> None:
    async with make_client(guard=SSRFGuard(), timeout=5) as guarded:
        with pytest.raises(AppError) as caught:
            await run(guarded, credentials(smtp), "send_email", to=["ana@example.com"], subject="s", body="b")
    assert "127.0.0.1" in caught.value.message and "loopback" in caught.value.message
    assert "NLACTIONS_SSRF_ALLOW" in caught.value.message + (caught.value.hint or "")
    assert smtp.received == [] and smtp.logins == []


async def test_bad_authentication_fields_are_named(http: httpx.AsyncClient, smtp: SmtpServer) -> None:
    for fields, named in [
        (credentials(smtp, smtp_security="ssl"), "smtp_security"),
        (credentials(smtp, smtp_port="99999"), "smtp_port"),
        (credentials(smtp, smtp_host="smtp://mail.example.com"), "smtp_host"),
        (credentials(smtp, from_email="Me <me@example.test>"), "from_email"),
    ]:
        with pytest.raises(AppError) as caught:
            await run(http, fields, "send_email", to=["ana@example.com"], subject="s", body="b")
        assert named in caught.value.message
    assert smtp.received == []


async def test_attachment_too_large_or_unreachable_names_the_url(
    http: httpx.AsyncClient, smtp: SmtpServer, echo: EchoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = echo.url("/status/404")
    with pytest.raises(InvalidInput) as caught:
        await run(
            http, credentials(smtp), "send_email", to=["a@example.com"], subject="s", body="b", attachments=[missing]
        )
    assert caught.value.need == "attachments" and missing in caught.value.message and "404" in caught.value.message

    monkeypatch.setattr(_attachments, "MAX_ATTACHMENT_BYTES", 1000)
    big = echo.url("/respond?body=x&repeat=5000")
    with pytest.raises(InvalidInput) as caught:
        await run(http, credentials(smtp), "send_email", to=["a@example.com"], subject="s", body="b", attachments=[big])
    assert big in caught.value.message and "larger than" in caught.value.message

    async with make_client(guard=SSRFGuard(), timeout=5) as guarded:
        blocked = "http://169.254.169.254/latest/meta-data/"
        with pytest.raises(InvalidInput) as caught:
            await run(
                guarded,
                credentials(smtp),
                "send_email",
                to=["a@example.com"],
                subject="s",
                body="b",
                attachments=[blocked],
            )
    assert blocked in caught.value.message and "link-local" in caught.value.message
    assert smtp.received == []


@pytest.mark.parametrize("implicit", [False, True], ids=["starttls", "tls"])
async def test_tls_verifies_the_server_certificate(
    http: httpx.AsyncClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, implicit: bool
) -> None:
    pem = make_certificate(tmp_path)
    security = "tls" if implicit else "starttls"
    with SmtpServer(users={USER: PASSWORD}, certificate=pem, implicit_tls=implicit) as server:
        fields = credentials(server, smtp_security=security)
        with pytest.raises(UpstreamError) as caught:
            await run(http, fields, "send_email", to=["ana@example.com"], subject="s", body="b")
        assert "certificate" in caught.value.message and f"127.0.0.1:{server.port}" in caught.value.message
        assert server.received == [] and server.logins == []

        monkeypatch.setenv("SSL_CERT_FILE", str(pem))  # the system trust store, as an administrator sets it
        await run(http, fields, "send_email", to=["ana@example.com"], subject="Secure", body="b")
        assert [m.message["Subject"] for m in server.received] == ["Secure"]
        assert server.logins == [USER]


async def test_starttls_against_a_plain_server_is_a_clear_error(http: httpx.AsyncClient, smtp: SmtpServer) -> None:
    with pytest.raises(UpstreamError) as caught:
        await run(
            http, credentials(smtp, smtp_security="starttls"), "send_email", to=["a@example.com"], subject="s", body="b"
        )
    assert "STARTTLS" in caught.value.message and f"127.0.0.1:{smtp.port}" in caught.value.message


# --- find_email ------------------------------------------------------------------------------------------


async def find(http: httpx.AsyncClient, dovecot: Dovecot, **params: Any) -> list[dict[str, Any]]:
    """Run find_email against the dovecot mailbox."""
    found: list[dict[str, Any]] = await run(http, credentials(dovecot=dovecot), "find_email", **params)
    return found


async def test_find_returns_newest_first_with_sender_subject_date_and_excerpt(
    http: httpx.AsyncClient, dovecot: Dovecot
) -> None:
    found = await find(http, dovecot)
    assert [r["subject"] for r in found] == [
        "Lunch again",
        "Café ☕ tomorrow",
        'He said "hi" to you',
        "Lunch",
        "Invoice 42",
    ]
    assert [r["uid"] for r in found] == sorted((r["uid"] for r in found), reverse=True)
    lunch = found[3]
    assert lunch["from_name"] == "Ana Example" and lunch["from_email"] == "ana@example.com"
    assert lunch["to"] == USER
    assert lunch["date"] == "2024-05-02T12:01:00+02:00"
    assert lunch["received_at"].startswith("2024-05-02T")
    assert lunch["excerpt"] == "See you at noon by the fountain."
    assert lunch["is_unread"] is True and lunch["folder"] == "INBOX"
    assert lunch["message_id"].startswith("<") and lunch["message_id"].endswith("@example.com>")
    assert found[4]["excerpt"] == "Your invoice & receipt"  # HTML only: tags and script dropped
    long = found[0]["excerpt"]
    assert long.startswith("Agenda for lunch. word word") and long.endswith("…") and len(long) <= 501


async def test_filters_from_subject_since_unread(http: httpx.AsyncClient, dovecot: Dovecot) -> None:
    assert [r["subject"] for r in await find(http, dovecot, from_email="ana@example.com")] == ["Lunch again", "Lunch"]
    assert [r["subject"] for r in await find(http, dovecot, subject="lunch")] == ["Lunch again", "Lunch"]
    since = await find(http, dovecot, since="2024-05-03")
    assert [r["subject"] for r in since] == ["Lunch again", "Café ☕ tomorrow", 'He said "hi" to you']
    unread = await find(http, dovecot, unread_only=True)
    assert [r["subject"] for r in unread] == ['He said "hi" to you', "Lunch"]
    both = await find(http, dovecot, from_email="Ana", subject="Lunch", unread_only=True, since="2024-05-01")
    assert [r["subject"] for r in both] == ["Lunch"]
    assert [r["subject"] for r in await find(http, dovecot, max_results=2)] == ["Lunch again", "Café ☕ tomorrow"]
    assert await find(http, dovecot, from_email="nobody@example.com") == []


async def test_search_strings_are_quoted(http: httpx.AsyncClient, dovecot: Dovecot) -> None:
    assert [r["subject"] for r in await find(http, dovecot, subject='said "hi"')] == ['He said "hi" to you']
    assert [r["subject"] for r in await find(http, dovecot, subject="Café ☕")] == ["Café ☕ tomorrow"]
    # unquoted, these would be IMAP syntax matching every message, or a second command
    assert await find(http, dovecot, subject='x" OR ALL "') == []
    assert await find(http, dovecot, subject="x\r\nA1 LOGOUT") == []
    assert await find(http, dovecot, from_email="\\") == []


async def test_finding_does_not_mark_emails_read(http: httpx.AsyncClient, dovecot: Dovecot) -> None:
    await find(http, dovecot, subject="Lunch")
    assert [r["subject"] for r in await find(http, dovecot, unread_only=True)] == ['He said "hi" to you', "Lunch"]


async def test_other_folder_and_unknown_folder(http: httpx.AsyncClient, dovecot: Dovecot) -> None:
    [archived] = await find(http, dovecot, folder="Archive")
    assert archived["subject"] == "Old news" and archived["folder"] == "Archive"
    with pytest.raises(InvalidInput) as caught:
        await find(http, dovecot, folder="Projects")
    assert caught.value.need == "folder" and "'Projects'" in caught.value.message
    assert "INBOX" in (caught.value.hint or "") and "Archive" in (caught.value.hint or "")


def test_folder_names_are_modified_utf7_and_quoted() -> None:
    assert _imap.mailbox_name("~peter/mail/台北/日本語") == '"~peter/mail/&U,BTFw-/&ZeVnLIqe-"'  # RFC 3501's example
    assert _imap.mailbox_name('A & "B"') == '"A &- \\"B\\""'


async def test_max_results_is_bounded(http: httpx.AsyncClient, dovecot: Dovecot) -> None:
    with pytest.raises(InvalidInput) as caught:
        await find(http, dovecot, max_results=500)
    assert caught.value.need == "max_results"


async def test_imap_wrong_password_is_auth_expired_and_never_logged(
    http: httpx.AsyncClient, dovecot: Dovecot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await find(http, dovecot, subject="Lunch")  # a successful LOGIN is not logged either
    with pytest.raises(AuthExpired) as caught:
        await run(http, credentials(dovecot=dovecot, password=WRONG), "find_email")
    assert "username and password" in caught.value.message and f"127.0.0.1:{dovecot.port}" in caught.value.message
    for secret in (PASSWORD, PASSWORD.replace('"', '\\"'), WRONG):
        assert secret not in caplog.text
    assert "LOGIN" in caplog.text  # the library did log at debug level; the filter hid the line's content


async def test_find_without_an_imap_server_says_which_fields_to_set(http: httpx.AsyncClient) -> None:
    with pytest.raises(AppError) as caught:
        await run(http, credentials(), "find_email")
    assert "IMAP" in caught.value.message and "imap_host" in (caught.value.hint or "")


@pytest.mark.parametrize("security", ["tls", "starttls"])
async def test_imap_tls_verifies_the_certificate(
    http: httpx.AsyncClient, dovecot: Dovecot, monkeypatch: pytest.MonkeyPatch, security: str
) -> None:
    port = str(dovecot.tls_port if security == "tls" else dovecot.port)
    fields = credentials(dovecot=dovecot, imap_security=security, imap_port=port)
    with pytest.raises(UpstreamError) as caught:
        await run(http, fields, "find_email", subject="Lunch")
    assert "certificate" in caught.value.message and f"127.0.0.1:{port}" in caught.value.message
    monkeypatch.setenv("SSL_CERT_FILE", str(dovecot.certificate))
    found = await run(http, fields, "find_email", subject="Lunch")
    assert [r["subject"] for r in found] == ["Lunch again", "Lunch"]


# --- through the API -------------------------------------------------------------------------------------

AUTHS = "/api/v2/apps/EmailAPI/auths/"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The shared settings, with connections to 127.0.0.1 allowed (the mail servers live there)."""
    return settings.model_copy(update={"ssrf_allow": ["127.0.0.1:*"]})


async def connect(client: httpx.AsyncClient, fields: Mapping[str, str]) -> dict[str, Any]:
    """Create an Email authentication through the API (the server logs in to SMTP and IMAP first)."""
    response = await client.post(AUTHS, json={"title": "Work mail", "fields": dict(fields)})
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def test_authentication_is_verified_against_both_servers(
    client: httpx.AsyncClient, smtp: SmtpServer, dovecot: Dovecot, caplog: pytest.LogCaptureFixture
) -> None:
    created = await connect(client, credentials(smtp, dovecot))
    assert created["label"] == "Me Example <me@example.test>"
    assert created["selected_api"] == "EmailAPI"
    assert smtp.logins == [USER] and smtp.received == []

    caplog.set_level(logging.DEBUG)
    for fields, server in [
        (credentials(smtp, dovecot, password=WRONG), "The SMTP server"),
        (credentials(smtp, dovecot, imap_port=str(free_port())), "The IMAP server"),
    ]:
        response = await client.post(AUTHS, json={"title": "Bad", "fields": fields})
        assert response.status_code == 400, response.text
        error = response.json()
        assert error["code"] == "authentication_test_failed"
        assert server in error["error"]
        assert "127.0.0.1" in error["error"], "the server is named; only secret fields are blanked"
        assert WRONG not in response.text and PASSWORD not in response.text
    assert WRONG not in caplog.text and PASSWORD not in caplog.text


async def test_execute_sends_email_with_recipient_from_the_instructions(
    client: httpx.AsyncClient, smtp: SmtpServer, dovecot: Dovecot
) -> None:
    auth = await connect(client, credentials(smtp, dovecot))
    # The offline resolver finds the address; the quoted subject and the body after "saying" it does not
    # extract, so they are locked.
    response = await client.post(
        "/api/v2/execute/",
        json={
            "instructions": "Email ana@example.com with subject 'Lunch' saying see you at noon",
            "app": "EmailAPI",
            "action": "send_email",
            "authentication_id": auth["id"],
            "params": {
                "subject": {"mode": "locked", "value": "Lunch"},
                "body": {"mode": "locked", "value": "See you at noon"},
            },
        },
    )
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["status"] == "success", data
    assert data["resolved_params"]["to"] == ["ana@example.com"]
    assert "password" not in str(data["resolved_params"])
    [received] = smtp.received
    assert received.rcpt_tos == ["ana@example.com"]
    assert received.message["Subject"] == "Lunch"
    assert data["results"][0]["message_id"] == received.message["Message-ID"]
    assert data["action_used"] == "Email: Send Email"


async def test_execute_finds_email_from_the_instructions(
    client: httpx.AsyncClient, smtp: SmtpServer, dovecot: Dovecot
) -> None:
    auth = await connect(client, credentials(smtp, dovecot))
    response = await client.post(
        "/api/v2/execute/",
        json={
            "instructions": "Find emails from ana@example.com with subject Lunch since 2024-05-05",
            "app": "EmailAPI",
            "action": "find_email",
            "authentication_id": auth["id"],
        },
    )
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["status"] == "success", data
    assert data["resolved_params"]["from_email"] == "ana@example.com"
    assert [r["subject"] for r in data["results"]] == ["Lunch again"]
    assert data["results"][0]["excerpt"].startswith("Agenda for lunch.")
    assert data["result_field_labels"]["excerpt"] == "Text Excerpt"


async def test_execute_with_a_refused_login_marks_the_authentication_stale(
    client: httpx.AsyncClient, smtp: SmtpServer, dovecot: Dovecot
) -> None:
    auth = await connect(client, credentials(smtp, dovecot))
    smtp.users[USER] = "rotated-password-8812"
    try:
        response = await client.post(
            "/api/v2/execute/",
            json={
                "instructions": "",
                "app": "EmailAPI",
                "action": "send_email",
                "authentication_id": auth["id"],
                "params": {
                    "to": {"mode": "locked", "value": ["ana@example.com"]},
                    "subject": {"mode": "locked", "value": "s"},
                    "body": {"mode": "locked", "value": "b"},
                },
            },
        )
    finally:
        smtp.users[USER] = PASSWORD
    data = response.json()
    assert data["status"] == "error", data
    assert "username and password" in data["error"]
    assert PASSWORD not in response.text
    listed = (await client.get(AUTHS)).json()["results"]
    assert [a["is_stale"] for a in listed] == [True]
