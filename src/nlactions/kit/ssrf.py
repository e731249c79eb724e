"""The SSRF guard: outbound requests reach only public addresses unless an administrator allows more.

``SSRFGuard`` holds the policy; ``GuardedTransport`` enforces it on every request an ``httpx`` client
sends (redirect hops included, since httpx sends each hop through the transport). The transport
resolves the host once, checks every address, and connects to a checked address itself: the URL is
rewritten to the IP while the ``Host`` header and the TLS server name stay the original host's, so a
DNS answer that changes between the check and the connect (DNS rebinding) cannot slip through.
An allow-list entry opens its host or network on its ports only (80 and 443 unless it names others).
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import re
import socket
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import httpx

__all__ = [
    "AllowEntry",
    "BlockedDestination",
    "GuardedTransport",
    "Resolver",
    "SSRFGuard",
    "parse_allow_entry",
    "system_resolver",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[Sequence[str]]]
"""``resolver(host, port)`` returns the IP addresses ``host`` resolves to, as strings."""

log = logging.getLogger(__name__)

ALLOW_SETTING = "NLACTIONS_SSRF_ALLOW"
DEFAULT_PORTS = frozenset({80, 443})
"""What an allow-list entry without a port allows: the default HTTP and HTTPS ports only."""
MAX_CONNECT_ATTEMPTS = 4

_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
# A host made only of numbers (decimal, octal or hex) and dots is an IP in some notation.
_NUMERIC_HOST = re.compile(r"^(?:0x[0-9a-f]*|[0-9]+)(?:\.(?:0x[0-9a-f]*|[0-9]+))*\.?$", re.IGNORECASE)


class BlockedDestination(httpx.RequestError):
    """The guard refused a destination; ``str(exc)`` says why and how to allow it."""

    def __init__(self, url: str, reason: str, message: str, *, request: httpx.Request | None = None):
        super().__init__(message, request=request)
        self.url = url
        self.reason = reason
        self.message = message


async def system_resolver(host: str, port: int) -> list[str]:
    """Resolve ``host`` with the system resolver (``getaddrinfo``), in order, without duplicates."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _unwrap(ip: IPAddress) -> IPAddress:
    """The IPv4 address an IPv6 address carries (mapped, 6to4, NAT64), else the address itself."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return ip.ipv4_mapped
        if ip.sixtofour is not None:
            return ip.sixtofour
        if ip in _NAT64:
            return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip


def _non_public_reason(ip: IPAddress) -> str | None:
    """Why ``ip`` is not a public unicast address, or None when it is one."""
    checks = (
        (ip.is_unspecified, "unspecified address"),
        (ip.is_loopback, "loopback address"),
        (ip.is_link_local, "link-local address"),
        (ip.is_multicast, "multicast address"),
        (isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT, "shared (CGNAT) address"),
        (ip.is_reserved, "reserved address"),
        (ip.is_private, "private address"),
        (not ip.is_global, "non-public address"),
    )
    return next((reason for hit, reason in checks if hit), None)


def _parse_ip(text: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        return None


def _url_text(url: httpx.URL) -> str:
    """The URL without credentials, query or fragment: safe to put in an error message."""
    return str(url.copy_with(userinfo=b"", query=None, fragment=None))


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True, slots=True)
class AllowEntry:
    """One ``NLACTIONS_SSRF_ALLOW`` entry: a host name, a ``*.`` suffix or a network, and its ports."""

    text: str
    ports: frozenset[int] | None  # None: every port
    name: str | None = None
    suffix: str | None = None
    network: Network | None = None

    def allows_port(self, port: int) -> bool:
        """True when the entry covers ``port``."""
        return self.ports is None or port in self.ports

    def names(self, host: str) -> bool:
        """True when the entry allows ``host`` by name (exactly, or as a subdomain of a wildcard)."""
        return host == self.name or (self.suffix is not None and host.endswith(self.suffix))


def _entry_error(entry: str, problem: str) -> ValueError:
    return ValueError(
        f"{ALLOW_SETTING} entry {entry!r}: {problem}. Write host, host:port, [IPv6]:port, CIDR or CIDR:port; "
        "port * allows every port, no port allows 80 and 443."
    )


def _split_port(entry: str, text: str) -> tuple[str, str | None]:
    """``text`` as (host part, port text or None)."""
    if text.startswith("["):
        inside, bracket, rest = text[1:].partition("]")
        if not bracket or (rest and not rest.startswith(":")):
            raise _entry_error(entry, "an IPv6 address in brackets must be followed by nothing or :port")
        return inside, rest[1:] if rest else None
    try:
        ipaddress.ip_network(text, strict=False)
        return text, None  # an address or network, IPv6 ones included: no port
    except ValueError:
        pass
    host, colon, port = text.rpartition(":")
    if not colon:
        return text, None
    if ":" in host:
        raise _entry_error(entry, "write an IPv6 address with a port in brackets, [2001:db8::1]:8080")
    return host, port


def parse_allow_entry(entry: str) -> AllowEntry:
    """Read one allow-list entry; a ValueError says what is wrong with it and what is accepted."""
    text = entry.strip().lower()
    if not text:
        raise _entry_error(entry, "it is empty")
    if any(mark in text for mark in ("://", "@", "?", "#")) or any(c.isspace() for c in text):
        raise _entry_error(entry, "write a host or address, not a URL")
    host, port_text = _split_port(entry, text)
    ports: frozenset[int] | None
    if port_text is None:
        ports = DEFAULT_PORTS
    elif port_text == "*":
        ports = None
    elif port_text.isdigit() and 1 <= int(port_text) <= 65535:
        ports = frozenset({int(port_text)})
    else:
        raise _entry_error(entry, "the port must be a number from 1 to 65535, or *")
    host = host.rstrip(".")
    try:
        return AllowEntry(entry, ports, network=ipaddress.ip_network(host, strict=False))
    except ValueError:
        pass
    if not host or "/" in host or "[" in host or "]" in host:
        raise _entry_error(entry, "it is neither a host name nor an IP address or network")
    if host.startswith(("*.", ".")):
        return AllowEntry(entry, ports, suffix="." + host.lstrip("*."))
    return AllowEntry(entry, ports, name=host)


def _default_port(url: httpx.URL) -> int:
    return url.port or (443 if url.scheme == "https" else 80)


def _suggestion(host: str, port: int) -> str:
    """The allow-list entry that would allow ``host`` on ``port``."""
    shown = f"[{host}]" if ":" in host else host
    return shown if port in DEFAULT_PORTS else f"{shown}:{port}"


class SSRFGuard:
    """Decides which destinations outbound HTTP may reach; ``allow`` lists entries (``parse_allow_entry``).

    A host name entry allows that host whatever it resolves to; ``*.example.com`` or ``.example.com``
    allows its subdomains. An IP or CIDR entry allows those addresses under any name. Each entry
    allows only its ports: the one it names, every port with ``:*``, and 80 and 443 when it names none.
    """

    def __init__(self, allow: Sequence[str] = (), *, resolver: Resolver | None = None):
        self._entries = [parse_allow_entry(entry) for entry in allow if entry.strip()]
        self._resolver = resolver or system_resolver

    def host_allowed(self, host: str, port: int) -> bool:
        """True when ``host`` on ``port`` is allow-listed by name."""
        name = host.lower().rstrip(".")
        return any(entry.names(name) and entry.allows_port(port) for entry in self._entries)

    def address_refusal(self, ip: IPAddress, port: int) -> str | None:
        """Why connecting to ``ip`` on ``port`` is refused, or None when it is allowed."""
        embedded = _unwrap(ip)
        for entry in self._entries:
            net = entry.network
            if net is not None and (ip in net or embedded in net) and entry.allows_port(port):
                return None
        reason = _non_public_reason(embedded)
        mapped = isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None
        if reason is None and embedded is not ip and not mapped:
            # 6to4 / NAT64: both the relay's address and the embedded one must be public
            reason = _non_public_reason(ip)
        return reason

    def check_url(self, url: httpx.URL) -> None:
        """Refuse what is wrong with the URL itself: scheme, credentials, IP notation, literal IPs."""
        where = _url_text(url)
        if url.scheme not in ("http", "https"):
            raise BlockedDestination(
                where, "scheme", f"Refused to fetch {where}: only http:// and https:// URLs are allowed."
            )
        if url.userinfo:
            raise BlockedDestination(
                where,
                "userinfo",
                f"Refused to connect to {url.host}: URLs with a user name or password (user@host) are not "
                "allowed. Send credentials in a header instead.",
            )
        host = url.host
        if not host:
            raise BlockedDestination(where, "no host", f"Refused to fetch {where}: the URL has no host.")
        ip = _parse_ip(host)
        if ip is None and _NUMERIC_HOST.match(host):
            raise BlockedDestination(
                where,
                "non-standard IP notation",
                f"Refused to connect to {host}: it is an IP address in a non-standard notation. "
                "Write IPv4 addresses as four decimal numbers (a.b.c.d).",
            )
        if ip is not None:
            port = _default_port(url)
            reason = self.address_refusal(ip, port)
            if reason is not None:
                shown = ip if port in DEFAULT_PORTS else f"{ip} port {port}"
                entry = "it" if port in DEFAULT_PORTS else _suggestion(str(ip), port)
                raise BlockedDestination(
                    where,
                    reason,
                    f"Refused to connect to {shown} ({reason}). Add {entry} to {ALLOW_SETTING} to allow it.",
                )

    async def addresses(self, url: httpx.URL) -> list[str]:
        """Check ``url`` and resolve its host; every address must pass. Returns the addresses to use."""
        self.check_url(url)
        host = url.raw_host.decode("ascii")
        if _parse_ip(host) is not None:
            return [host]
        port = _default_port(url)
        found = list(dict.fromkeys(await self._resolver(host, port)))
        if not found:
            raise httpx.ConnectError(f"Could not resolve host {host}: no addresses")
        if self.host_allowed(host, port) or self.host_allowed(url.host, port):
            return found
        where = _url_text(url)
        for text in found:
            ip = _parse_ip(text)
            reason = "unparseable address" if ip is None else self.address_refusal(ip, port)
            if reason is None:
                continue
            # The caller learns only that the name is internal; the address goes to the log.
            log.warning("refused %s port %d: %s resolves to %s (%s)", where, port, host, text, reason)
            raise BlockedDestination(
                where,
                reason,
                f"Refused to connect to {host}: it resolves to a private address that is not allow-listed. "
                f"Add {_suggestion(host, port)} to {ALLOW_SETTING} to allow it.",
            )
        return found


class GuardedTransport(httpx.AsyncBaseTransport):
    """An httpx transport that checks each request with the guard and connects to a checked address.

    ``inner`` defaults to httpx's own transport, one per host so a TLS connection verified for one
    name is never reused for another name that shares the IP.
    """

    def __init__(self, guard: SSRFGuard, inner: httpx.AsyncBaseTransport | None = None):
        self._guard = guard
        self._inner = inner
        self._per_host: dict[str, httpx.AsyncBaseTransport] = {}

    def _transport_for(self, host: str) -> httpx.AsyncBaseTransport:
        if self._inner is not None:
            return self._inner
        if host not in self._per_host:
            self._per_host[host] = httpx.AsyncHTTPTransport()
        return self._per_host[host]

    async def _resolve(self, request: httpx.Request) -> list[str]:
        timeouts = request.extensions.get("timeout") or {}
        host = request.url.host
        try:
            async with asyncio.timeout(timeouts.get("connect")):
                return await self._guard.addresses(request.url)
        except httpx.RequestError as exc:
            exc.request = request
            raise
        except TimeoutError:
            raise httpx.ConnectTimeout(f"Timed out resolving host {host}", request=request) from None
        except OSError as exc:
            raise httpx.ConnectError(f"Could not resolve host {host}: {exc}", request=request) from exc

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Check the request's destination, then send it to a checked IP; try the next IP if one fails."""
        addresses = await self._resolve(request)
        inner = self._transport_for(request.url.raw_host.decode("ascii"))
        error: httpx.ConnectError | None = None
        for address in addresses[:MAX_CONNECT_ATTEMPTS]:
            try:
                return await inner.handle_async_request(_pinned(request, address))
            except httpx.ConnectError as exc:
                error = exc
        assert error is not None
        raise error

    async def aclose(self) -> None:
        """Close the inner transport(s)."""
        transports = [self._inner] if self._inner is not None else list(self._per_host.values())
        self._per_host.clear()
        for transport in transports:
            await transport.aclose()


def _pinned(request: httpx.Request, address: str) -> httpx.Request:
    """A copy of ``request`` addressed to ``address``, keeping the Host header and the TLS server name."""
    host = request.url.raw_host.decode("ascii")
    if _parse_ip(host) is not None:
        return request
    extensions = dict(request.extensions)
    if request.url.scheme == "https":
        extensions["sni_hostname"] = host
    return httpx.Request(
        request.method,
        request.url.copy_with(host=address),
        headers=request.headers,
        stream=request.stream,
        extensions=extensions,
    )
