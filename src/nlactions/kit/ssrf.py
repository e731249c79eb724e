"""The SSRF guard: outbound requests reach only public addresses unless an administrator allows more.

``SSRFGuard`` holds the policy; ``GuardedTransport`` enforces it on every request an ``httpx`` client
sends (redirect hops included, since httpx sends each hop through the transport). The transport
resolves the host once, checks every address, and connects to a checked address itself: the URL is
rewritten to the IP while the ``Host`` header and the TLS server name stay the original host's, so a
DNS answer that changes between the check and the connect (DNS rebinding) cannot slip through.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from collections.abc import Awaitable, Callable, Sequence

import httpx

__all__ = ["BlockedDestination", "GuardedTransport", "Resolver", "SSRFGuard", "system_resolver"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[Sequence[str]]]
"""``resolver(host, port)`` returns the IP addresses ``host`` resolves to, as strings."""

ALLOW_SETTING = "NLACTIONS_SSRF_ALLOW"
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


class SSRFGuard:
    """Decides which destinations outbound HTTP may reach; ``allow`` lists hostnames, IPs and CIDRs.

    A hostname entry allows that host whatever it resolves to; ``*.example.com`` or ``.example.com``
    allows its subdomains. An IP or CIDR entry allows those addresses under any name.
    """

    def __init__(self, allow: Sequence[str] = (), *, resolver: Resolver | None = None):
        self._networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
        self._hosts: set[str] = set()
        self._suffixes: list[str] = []
        self._resolver = resolver or system_resolver
        for entry in allow:
            self._add(entry)

    def _add(self, entry: str) -> None:
        text = entry.strip().lower().strip("[]").rstrip(".")
        if not text:
            return
        try:
            self._networks.append(ipaddress.ip_network(text, strict=False))
            return
        except ValueError:
            pass
        if text.startswith(("*.", ".")):
            self._suffixes.append("." + text.lstrip("*."))
        else:
            self._hosts.add(text)

    def host_allowed(self, host: str) -> bool:
        """True when ``host`` is allow-listed by name (exactly, or as a subdomain of a wildcard)."""
        name = host.lower().rstrip(".")
        return name in self._hosts or any(name.endswith(suffix) for suffix in self._suffixes)

    def address_refusal(self, ip: IPAddress) -> str | None:
        """Why connecting to ``ip`` is refused, or None when it is allowed."""
        embedded = _unwrap(ip)
        if any(ip in net or embedded in net for net in self._networks):
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
            self._check_address(where, ip)

    def _check_address(self, where: str, ip: IPAddress, host: str | None = None) -> None:
        reason = self.address_refusal(ip)
        if reason is None:
            return
        if host is None:
            message = f"Refused to connect to {ip} ({reason}). Add it to {ALLOW_SETTING} to allow it."
        else:
            message = (
                f"Refused to connect to {host}: it resolves to {ip} ({reason}). "
                f"Add {host} or {ip} to {ALLOW_SETTING} to allow it."
            )
        raise BlockedDestination(where, reason, message)

    async def addresses(self, url: httpx.URL) -> list[str]:
        """Check ``url`` and resolve its host; every address must pass. Returns the addresses to use."""
        self.check_url(url)
        host = url.raw_host.decode("ascii")
        if _parse_ip(host) is not None:
            return [host]
        port = url.port or (443 if url.scheme == "https" else 80)
        found = list(dict.fromkeys(await self._resolver(host, port)))
        if not found:
            raise httpx.ConnectError(f"Could not resolve host {host}: no addresses")
        if self.host_allowed(host) or self.host_allowed(url.host):
            return found
        where = _url_text(url)
        for text in found:
            ip = _parse_ip(text)
            if ip is None:
                raise BlockedDestination(
                    where, "unparseable address", f"Refused to connect to {host}: bad address {text!r}."
                )
            self._check_address(where, ip, host)
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
