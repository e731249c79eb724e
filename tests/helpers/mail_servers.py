"""Real mail servers on 127.0.0.1 for tests: an SMTP server (aiosmtpd) and an IMAP server (dovecot).

``SmtpServer`` records what it receives, can require a login, refuse chosen recipients, and offer
STARTTLS or implicit TLS with a certificate from ``make_certificate``. ``Dovecot`` runs Debian's dovecot
from a config in a temporary directory (Maildir, a passwd-file with plain passwords, IMAP with STARTTLS
on one port and implicit TLS on another) and fills mailboxes over IMAP with ``append``.
"""

from __future__ import annotations

import datetime as dt
import imaplib
import ipaddress
import os
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP as SMTPServerProtocol
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

__all__ = ["Dovecot", "Received", "SmtpServer", "dovecot_binary", "free_port", "make_certificate"]

HOST = "127.0.0.1"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def make_certificate(directory: Path, name: str = HOST) -> Path:
    """A self-signed certificate (and its key) for ``name`` (an IP or a host name); returns the PEM path.

    Trust it in a test by pointing ``SSL_CERT_FILE`` at the returned file.
    """
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    try:
        alt: x509.GeneralName = x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        alt = x509.DNSName(name)
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=2))
        .add_extension(x509.SubjectAlternativeName([alt]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    path = directory / f"{name}.pem"
    path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        + cert.public_bytes(serialization.Encoding.PEM)
    )
    return path


@dataclass
class Received:
    """One message the SMTP server accepted: its envelope and the parsed message."""

    mail_from: str
    rcpt_tos: list[str]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        """The message as the recipients' mail program would parse it."""
        parsed = BytesParser(policy=default_policy).parsebytes(self.raw)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class _Handler:
    refuse: set[str] = field(default_factory=set)
    received: list[Received] = field(default_factory=list)
    require_login: bool = False

    async def handle_MAIL(
        self, server: SMTPServerProtocol, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if self.require_login and not session.authenticated:
            return "530 5.7.0 Authentication required"
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(
        self, server: SMTPServerProtocol, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address.lower() in self.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTPServerProtocol, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        self.received.append(Received(str(envelope.mail_from), list(envelope.rcpt_tos), raw))
        return "250 2.0.0 Message accepted for delivery"


class SmtpServer:
    """aiosmtpd on a free port of 127.0.0.1; ``users`` (login -> password) makes it require AUTH.

    ``certificate`` (a PEM from ``make_certificate``) with ``implicit_tls=False`` offers STARTTLS;
    with ``implicit_tls=True`` the whole connection is TLS.
    """

    def __init__(
        self,
        *,
        users: dict[str, str] | None = None,
        refuse: Iterable[str] = (),
        certificate: Path | None = None,
        implicit_tls: bool = False,
    ):
        self.users = dict(users or {})
        self.handler = _Handler(refuse={r.lower() for r in refuse})
        self.port = free_port()
        self.logins: list[str] = []
        tls: ssl.SSLContext | None = None
        if certificate is not None:
            tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            tls.load_cert_chain(str(certificate))
        options: dict[str, Any] = {"auth_require_tls": False}
        if self.users:  # a login is then required by handle_MAIL (aiosmtpd warns on auth_required without TLS)
            options.update(authenticator=self._authenticate)
            self.handler.require_login = True
        if tls is not None and not implicit_tls:
            options["tls_context"] = tls
        self._controller = Controller(
            self.handler,
            hostname=HOST,
            port=self.port,
            ssl_context=tls if implicit_tls else None,
            server_hostname="mail.test",
            **options,
        )

    @property
    def received(self) -> list[Received]:
        """Messages accepted so far, oldest first."""
        return self.handler.received

    def _authenticate(
        self, server: SMTPServerProtocol, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        login, password = auth_data.login.decode(), auth_data.password.decode()
        self.logins.append(login)
        if self.users.get(login) != password:
            return AuthResult(success=False, handled=False)  # aiosmtpd then answers 535
        return AuthResult(success=True)

    def __enter__(self) -> SmtpServer:
        self._controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._controller.stop()


def dovecot_binary() -> str | None:
    """Where dovecot is installed, or None."""
    return shutil.which("dovecot") or next(
        (p for p in ("/usr/sbin/dovecot", "/usr/local/sbin/dovecot") if os.access(p, os.X_OK)), None
    )


_CONFIG = """\
protocols = imap
listen = {host}
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
default_internal_user = root
default_internal_group = root
default_login_user = {login_user}
first_valid_uid = 0
first_valid_gid = 0
ssl = yes
ssl_cert = <{certificate}
ssl_key = <{certificate}
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{root}/mail/%u
namespace inbox {{
  inbox = yes
  separator = /
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = static
  args = uid={mail_user} gid={mail_user} home={root}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = {host}
    port = {port}
  }}
  inet_listener imaps {{
    address = {host}
    port = {tls_port}
    ssl = yes
  }}
}}
"""


class Dovecot:
    """dovecot serving IMAP on 127.0.0.1: ``port`` (plain, STARTTLS offered) and ``tls_port`` (implicit TLS).

    dovecot runs as root, except its login processes and mail processes, which refuse root: they run as
    ``login_user`` and ``mail_user`` (Debian's package creates both). Its files live in a directory of its
    own under the system's temporary directory, which those users can traverse; ``stop`` removes it.
    """

    def __init__(self, users: dict[str, str], *, binary: str, login_user: str = "dovenull", mail_user: str = "dovecot"):
        self.root = Path(tempfile.mkdtemp(prefix="nlactions-dovecot-"))
        self.root.chmod(0o711)
        self.login_user = login_user
        self.mail_user = mail_user
        self.users = dict(users)
        self.binary = binary
        self.port = free_port()
        self.tls_port = free_port()
        self.certificate = make_certificate(self.root)
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def config(self) -> Path:
        """The dovecot.conf this server runs with."""
        return self.root / "dovecot.conf"

    def log(self) -> str:
        """dovecot's log so far (for failure messages)."""
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def start(self) -> None:
        """Write the config and user file, start dovecot in the foreground and wait for its greeting."""
        for sub in ("run", "state", "mail", "home"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        for sub in ("mail", "home"):
            shutil.chown(self.root / sub, self.mail_user, self.mail_user)
        (self.root / "users").write_text("".join(f"{u}:{{PLAIN}}{p}::::::\n" for u, p in self.users.items()))
        self.config.write_text(
            _CONFIG.format(
                host=HOST,
                root=self.root,
                certificate=self.certificate,
                port=self.port,
                tls_port=self.tls_port,
                login_user=self.login_user,
                mail_user=self.mail_user,
            )
        )
        self._process = subprocess.Popen(
            [self.binary, "-F", "-c", str(self.config)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 20
        while True:
            if self._process.poll() is not None:
                output = self._process.stdout.read().decode(errors="replace") if self._process.stdout else ""
                raise RuntimeError(f"dovecot exited with {self._process.returncode}: {output}\n{self.log()}")
            try:
                with socket.create_connection((HOST, self.port), timeout=1) as sock:
                    if sock.recv(200).startswith(b"* OK"):
                        return
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"dovecot did not answer on {HOST}:{self.port} within 20 s:\n{self.log()}")
            time.sleep(0.1)

    def stop(self) -> None:
        """Stop dovecot (the process this object started) and wait for it."""
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=10)
        if self._process is not None and self._process.stdout is not None:
            self._process.stdout.close()
        shutil.rmtree(self.root, ignore_errors=True)

    def append(
        self,
        user: str,
        message: EmailMessage,
        *,
        folder: str = "INBOX",
        seen: bool = False,
        received: dt.datetime | None = None,
    ) -> None:
        """Deliver ``message`` into ``user``'s ``folder`` (created if missing) over IMAP."""
        imap = imaplib.IMAP4(HOST, self.port)
        try:
            imap.login(user, self.users[user])
            imap.create(folder)  # fails harmlessly when it exists
            when = imaplib.Time2Internaldate(received) if received else None
            status, answer = imap.append(folder, "(\\Seen)" if seen else "", when, message.as_bytes())
            assert status == "OK", answer
        finally:
            imap.logout()

    def flags(self, user: str, folder: str = "INBOX") -> list[bytes]:
        """The flags of every message in the folder, in UID order."""
        imap = imaplib.IMAP4(HOST, self.port)
        try:
            imap.login(user, self.users[user])
            imap.select(folder, readonly=True)
            _, data = imap.fetch("1:*", "(FLAGS)")
            return [item for item in data if isinstance(item, bytes)]
        finally:
            imap.logout()

    def __enter__(self) -> Dovecot:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
