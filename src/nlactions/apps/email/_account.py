"""The stored authentication read as a mail account: SMTP server, optional IMAP server, login, sender."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, cast

from nlactions.catalog import AppError, AuthField

Security = Literal["starttls", "tls", "none"]
SECURITIES: tuple[Security, ...] = ("starttls", "tls", "none")
SMTP_PORTS: dict[Security, int] = {"starttls": 587, "tls": 465, "none": 25}
IMAP_PORTS: dict[Security, int] = {"starttls": 143, "tls": 993, "none": 143}

FIELDS = (
    AuthField(
        "smtp_host",
        "SMTP Host",
        secret=False,
        help_text="Host name of the outgoing mail (SMTP) server, e.g. smtp.example.com.",
    ),
    AuthField(
        "smtp_port",
        "SMTP Port",
        secret=False,
        required=False,
        help_text="Port of the SMTP server. Leave empty for the usual one: 587 for starttls, 465 for tls, 25 for none.",
    ),
    AuthField(
        "smtp_security",
        "SMTP Security",
        secret=False,
        required=False,
        help_text="How the SMTP connection is encrypted: starttls (the default, usually port 587), tls "
        "(implicit TLS, usually port 465) or none (unencrypted; only for a trusted local relay).",
    ),
    AuthField(
        "username",
        "Username",
        secret=False,
        required=False,
        help_text="Login for the mail server (often your email address). Used for SMTP and IMAP. Leave "
        "empty only for an SMTP relay that needs no login.",
    ),
    AuthField(
        "password",
        "Password",
        required=False,
        help_text="Password (or app password) for the username. Used for SMTP and IMAP.",
    ),
    AuthField(
        "from_email",
        "From Email",
        secret=False,
        help_text="The sender address every email is sent from, e.g. ana@example.com.",
    ),
    AuthField(
        "from_name",
        "From Name",
        secret=False,
        required=False,
        help_text="The sender name shown to recipients, e.g. Ana Example. An email may override it.",
    ),
    AuthField(
        "imap_host",
        "IMAP Host",
        secret=False,
        required=False,
        help_text="Host name of the incoming mail (IMAP) server, e.g. imap.example.com. Needed only to find "
        "emails; it uses the same username and password.",
    ),
    AuthField(
        "imap_port",
        "IMAP Port",
        secret=False,
        required=False,
        help_text="Port of the IMAP server. Leave empty for the usual one: 993 for tls, 143 for starttls or none.",
    ),
    AuthField(
        "imap_security",
        "IMAP Security",
        secret=False,
        required=False,
        help_text="How the IMAP connection is encrypted: tls (the default, usually port 993), starttls "
        "(usually port 143) or none (unencrypted; only for a trusted local server).",
    ),
)


@dataclass(frozen=True, slots=True)
class Server:
    """One mail server: where it is and how the connection is encrypted."""

    protocol: Literal["SMTP", "IMAP"]
    host: str
    port: int
    security: Security
    field_prefix: str

    @property
    def where(self) -> str:
        """``host:port``, for messages."""
        return f"{self.host}:{self.port}"


@dataclass(frozen=True, slots=True)
class Account:
    """A mail account: its servers, its login and its sender."""

    smtp: Server
    imap: Server | None
    username: str
    password: str
    from_email: str
    from_name: str


def _fix(field: str) -> str:
    return f"Edit the authentication's {field} field."


def _security(credentials: Mapping[str, str], prefix: str, default: Security) -> Security:
    key = f"{prefix}_security"
    value = (credentials.get(key) or default).strip().lower()
    if value not in SECURITIES:
        raise AppError(
            f"{key} is {value!r}; it must be starttls, tls or none.",
            hint=_fix(key),
        )
    return cast(Security, value)


def _port(credentials: Mapping[str, str], prefix: str, default: int) -> int:
    key = f"{prefix}_port"
    text = (credentials.get(key) or "").strip()
    if not text:
        return default
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise AppError(f"{key} is {text!r}; it must be a port number from 1 to 65535.", hint=_fix(key))
    return int(text)


def _host(credentials: Mapping[str, str], key: str) -> str:
    host = (credentials.get(key) or "").strip().strip("[]").rstrip(".")
    bad = AppError(
        f"{key} is {host!r}; give only a host name or IP address, without a scheme, port or path.",
        hint=_fix(key) + " Put the port in the port field.",
    )
    if ":" in host:
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            raise bad from None
    elif any(ch.isspace() or ch in "/@" for ch in host):
        raise bad
    return host


def account(credentials: Mapping[str, str]) -> Account:
    """Read the authentication's fields; an error naming the field when one is not usable."""
    smtp_security = _security(credentials, "smtp", "starttls")
    smtp_host = _host(credentials, "smtp_host")
    if not smtp_host:
        raise AppError("smtp_host is empty; it is required to send email.", hint=_fix("smtp_host"))
    smtp = Server("SMTP", smtp_host, _port(credentials, "smtp", SMTP_PORTS[smtp_security]), smtp_security, "smtp")
    imap = None
    imap_host = _host(credentials, "imap_host")
    if imap_host:
        imap_security = _security(credentials, "imap", "tls")
        imap = Server("IMAP", imap_host, _port(credentials, "imap", IMAP_PORTS[imap_security]), imap_security, "imap")
    from_email = (credentials.get("from_email") or "").strip()
    if from_email.count("@") != 1 or any(ch.isspace() or ch in '<>,;"' for ch in from_email):
        raise AppError(f"from_email is {from_email!r}; it must be one plain email address.", hint=_fix("from_email"))
    return Account(
        smtp=smtp,
        imap=imap,
        username=credentials.get("username") or "",
        password=credentials.get("password") or "",
        from_email=from_email,
        from_name=" ".join((credentials.get("from_name") or "").split()),
    )
