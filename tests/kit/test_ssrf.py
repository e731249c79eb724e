"""The SSRF guard refuses private destinations, pins the connection to a checked IP, and checks redirects."""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
import socket
import ssl
from collections.abc import Iterator, Sequence
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from helpers.echo_server import EchoServer
from nlactions.kit.http import make_client
from nlactions.kit.ssrf import BlockedDestination, Resolver, SSRFGuard, parse_allow_entry


@pytest.fixture(scope="module")
def echo() -> Iterator[EchoServer]:
    """One echo server on 127.0.0.1 for the module."""
    with EchoServer() as server:
        yield server


def fixed_resolver(answers: dict[str, Sequence[str]]) -> Resolver:
    """A resolver answering from ``answers``; other names do not resolve."""

    async def resolve(host: str, port: int) -> Sequence[str]:
        if host not in answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return answers[host]

    return resolve


async def fetch(guard: SSRFGuard, url: str, transport: httpx.AsyncBaseTransport | None = None) -> httpx.Response:
    """GET ``url`` through a client from ``make_client`` with ``guard``."""
    async with make_client(guard=guard, transport=transport, timeout=5) as client:
        return await client.get(url)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1/", "loopback address"),
        ("http://127.8.9.10:8080/x", "loopback address"),
        ("http://10.0.0.5/", "private address"),
        ("http://192.168.1.1/", "private address"),
        ("http://172.16.0.1/", "private address"),
        ("http://169.254.169.254/latest/meta-data/", "link-local address"),
        ("http://100.64.0.1/", "shared (CGNAT) address"),
        ("http://0.0.0.0/", "unspecified address"),
        ("http://224.0.0.1/", "multicast address"),
        ("http://240.0.0.1/", "reserved address"),
        ("http://255.255.255.255/", "reserved address"),
        ("http://[::1]/", "loopback address"),
        ("http://[::]/", "unspecified address"),
        ("http://[fe80::1]/", "link-local address"),
        ("http://[fd00::1]/", "private address"),
        ("http://[ff02::1]/", "multicast address"),
        ("http://[::ffff:127.0.0.1]/", "loopback address"),
        ("http://[::ffff:a00:5]/", "private address"),
        ("http://[2002:a00:5::1]/", "private address"),  # 6to4 wrapping 10.0.0.5
        ("http://[64:ff9b::a9fe:a9fe]/", "link-local address"),  # NAT64 wrapping 169.254.169.254
        ("http://2130706433/", "non-standard IP notation"),
        ("http://017700000001/", "non-standard IP notation"),
        ("http://0x7f.0.0.1/", "non-standard IP notation"),
        ("http://0177.1/", "non-standard IP notation"),
        ("http://127.1/", "non-standard IP notation"),
        ("http://127.0.0.1./", "non-standard IP notation"),
        ("http://user:pw@example.com/", "userinfo"),
        ("http://127.0.0.1@example.com/", "userinfo"),
    ],
)
async def test_refuses_non_public_destinations(url: str, reason: str) -> None:
    guard = SSRFGuard(resolver=fixed_resolver({"example.com": ["93.184.216.34"]}))
    with pytest.raises(BlockedDestination) as caught:
        await fetch(guard, url)
    assert caught.value.reason == reason
    assert "pw" not in str(caught.value)


async def test_message_says_what_and_how_to_allow() -> None:
    with pytest.raises(BlockedDestination) as caught:
        await fetch(SSRFGuard(), "http://10.0.0.5/hook?token=abc")
    assert str(caught.value) == (
        "Refused to connect to 10.0.0.5 (private address). Add it to NLACTIONS_SSRF_ALLOW to allow it."
    )
    assert caught.value.request.url.host == "10.0.0.5"
    assert isinstance(caught.value, httpx.RequestError)


async def test_dotted_quads_with_leading_zeros_never_reach_the_network() -> None:
    """httpx itself rejects them (0177 would be octal 127 to inet_aton)."""
    with pytest.raises(httpx.InvalidURL):
        await fetch(SSRFGuard(), "http://0177.0.0.1/")


async def test_refuses_hostname_resolving_to_loopback() -> None:
    with pytest.raises(BlockedDestination) as caught:
        await fetch(SSRFGuard(), "http://localhost/")
    assert str(caught.value) == (
        "Refused to connect to localhost: it resolves to a private address that is not allow-listed. "
        "Add localhost to NLACTIONS_SSRF_ALLOW to allow it."
    )
    assert caught.value.reason == "loopback address"


async def test_refuses_when_any_resolved_address_is_private() -> None:
    guard = SSRFGuard(resolver=fixed_resolver({"mixed.test": ["93.184.216.34", "10.1.2.3"]}))
    with pytest.raises(BlockedDestination, match=r"mixed\.test: it resolves to a private address") as caught:
        await fetch(guard, "http://mixed.test/")
    assert caught.value.reason == "private address"


async def test_refusal_of_a_name_never_says_what_it_resolves_to(caplog: pytest.LogCaptureFixture) -> None:
    """The caller may be probing the internal network: the address goes to the server log only."""
    guard = SSRFGuard(resolver=fixed_resolver({"db.internal": ["10.20.30.40"]}))
    with pytest.raises(BlockedDestination) as caught:
        await fetch(guard, "http://db.internal:5432/")
    assert "10.20.30.40" not in str(caught.value)
    assert "10.20.30.40" not in repr(caught.value.__dict__)
    assert "Add db.internal:5432 to NLACTIONS_SSRF_ALLOW" in str(caught.value)
    assert "10.20.30.40" in caplog.text


async def test_refuses_other_schemes() -> None:
    with pytest.raises(BlockedDestination) as caught:
        SSRFGuard().check_url(httpx.URL("file:///etc/passwd"))
    assert caught.value.reason == "scheme"


async def test_unresolvable_host_is_a_connect_error() -> None:
    with pytest.raises(httpx.ConnectError, match=r"Could not resolve host nowhere\.test"):
        await fetch(SSRFGuard(resolver=fixed_resolver({})), "http://nowhere.test/")


async def test_allow_listed_loopback_is_reached(echo: EchoServer) -> None:
    response = await fetch(SSRFGuard([f"127.0.0.1:{echo.port}"]), echo.url("/hello?x=1"))
    assert response.status_code == 200
    assert response.json()["path"] == "/hello"
    assert response.json()["headers"]["user-agent"].startswith("nlactions/")


async def test_allow_list_by_cidr(echo: EchoServer) -> None:
    response = await fetch(SSRFGuard([f"127.0.0.0/8:{echo.port}"]), echo.url("/"))
    assert response.status_code == 200


async def test_allow_list_does_not_leak_to_other_private_addresses(echo: EchoServer) -> None:
    with pytest.raises(BlockedDestination, match=r"127\.0\.0\.2"):
        await fetch(SSRFGuard(["127.0.0.1:*"]), f"http://127.0.0.2:{echo.port}/")


async def test_allow_list_by_hostname_connects_to_the_resolved_address(echo: EchoServer) -> None:
    guard = SSRFGuard([f"echo.test:{echo.port}"], resolver=fixed_resolver({"echo.test": ["127.0.0.1"]}))
    response = await fetch(guard, f"http://echo.test:{echo.port}/named")
    assert response.status_code == 200
    assert response.json()["headers"]["host"] == f"echo.test:{echo.port}"
    assert response.url == httpx.URL(f"http://echo.test:{echo.port}/named")


def test_wildcard_hostname_entries() -> None:
    guard = SSRFGuard(["*.corp.example", ".lab.example", "Exact.Example.", "*.ports.example:8443"])
    assert guard.host_allowed("a.corp.example", 443)
    assert guard.host_allowed("b.c.lab.example", 80)
    assert guard.host_allowed("exact.example", 443)
    assert guard.host_allowed("x.ports.example", 8443)
    assert not guard.host_allowed("x.ports.example", 443)
    assert not guard.host_allowed("a.corp.example", 8080)
    assert not guard.host_allowed("corp.example.evil.test", 443)
    assert not guard.host_allowed("other.example", 443)


def test_allowed_ipv4_covers_its_mapped_ipv6_form() -> None:
    guard = SSRFGuard(["127.0.0.1"])
    assert guard.address_refusal(ipaddress.ip_address("::ffff:127.0.0.1"), 80) is None
    assert guard.address_refusal(ipaddress.ip_address("93.184.216.34"), 5432) is None


async def test_redirect_to_a_refused_address_is_blocked(echo: EchoServer) -> None:
    guard = SSRFGuard([f"127.0.0.1:{echo.port}"])
    for target in ("http://169.254.169.254/latest/meta-data/", f"http://127.0.0.2:{echo.port}/"):
        with pytest.raises(BlockedDestination) as caught:
            await fetch(guard, echo.url(f"/redirect?to={target}"))
        assert caught.value.request.url == httpx.URL(target)


async def test_redirect_to_an_allowed_address_is_followed(echo: EchoServer) -> None:
    response = await fetch(SSRFGuard([f"127.0.0.1:{echo.port}"]), echo.url(f"/redirect?to={echo.url('/landed')}"))
    assert response.status_code == 200
    assert response.json()["path"] == "/landed"
    assert len(response.history) == 1


class Recorder(httpx.AsyncBaseTransport):
    """An inner transport that records what it is asked to send."""

    def __init__(self, refuse: Sequence[str] = ()):
        self.requests: list[httpx.Request] = []
        self.refuse = set(refuse)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.host in self.refuse:
            raise httpx.ConnectError("connection refused", request=request)
        return httpx.Response(200, text="ok")


async def test_connects_to_the_checked_address_once_resolved() -> None:
    """DNS rebinding: a second lookup would answer 127.0.0.1, but the host is resolved only once."""
    answers = iter([["93.184.216.34"], ["127.0.0.1"]])
    calls: list[str] = []

    async def rebinding(host: str, port: int) -> Sequence[str]:
        calls.append(host)
        return next(answers)

    inner = Recorder()
    response = await fetch(SSRFGuard(resolver=rebinding), "https://rebind.test/path?q=1", inner)
    assert response.status_code == 200
    assert calls == ["rebind.test"]
    [sent] = inner.requests
    assert sent.url == httpx.URL("https://93.184.216.34/path?q=1")
    assert sent.headers["host"] == "rebind.test"
    assert sent.extensions["sni_hostname"] == "rebind.test"
    assert response.request.url.host == "rebind.test"


async def test_tries_the_next_checked_address_when_one_cannot_connect() -> None:
    guard = SSRFGuard(resolver=fixed_resolver({"two.test": ["93.184.216.34", "93.184.216.35"]}))
    inner = Recorder(refuse=["93.184.216.34"])
    response = await fetch(guard, "http://two.test/", inner)
    assert response.status_code == 200
    assert [r.url.host for r in inner.requests] == ["93.184.216.34", "93.184.216.35"]
    assert "sni_hostname" not in inner.requests[-1].extensions


async def test_guarded_transport_closes_its_inner_transport() -> None:
    closed: list[bool] = []

    class Closing(Recorder):
        async def aclose(self) -> None:
            closed.append(True)

    async with make_client(guard=SSRFGuard(), transport=Closing()):
        pass
    assert closed == [True]


def self_signed(directory: Path, name: str) -> Path:
    """Write a self-signed certificate and key for ``name``; returns the PEM holding both."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    path = directory / f"{name}.pem"
    path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        + cert.public_bytes(serialization.Encoding.PEM)
    )
    return path


async def test_https_to_a_pinned_address_verifies_the_hostname(tmp_path: Path) -> None:
    """The connection goes to 127.0.0.1, but SNI and certificate checks use the URL's host name."""
    pem = str(self_signed(tmp_path, "secure.test"))
    verify = ssl.create_default_context(cafile=pem)
    resolver = fixed_resolver({"secure.test": ["127.0.0.1"], "other.test": ["127.0.0.1"]})
    with EchoServer(certfile=pem, keyfile=pem) as server:
        guard = SSRFGuard([f"127.0.0.1:{server.port}"], resolver=resolver)
        inner = httpx.AsyncHTTPTransport(verify=verify)
        response = await fetch(guard, f"https://secure.test:{server.port}/tls", inner)
        assert response.json()["headers"]["host"] == f"secure.test:{server.port}"
        inner = httpx.AsyncHTTPTransport(verify=verify)
        with pytest.raises(httpx.ConnectError, match="match"):
            await fetch(guard, f"https://other.test:{server.port}/tls", inner)


def free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_an_entry_without_a_port_allows_only_80_and_443(echo: EchoServer) -> None:
    """NLACTIONS_SSRF_ALLOW=127.0.0.1 must not open nlactions itself, PostgreSQL or Redis on that host."""
    guard = SSRFGuard(["127.0.0.1"], resolver=fixed_resolver({"hooks.internal": ["127.0.0.1"]}))
    inner = Recorder()
    assert (await fetch(guard, "http://127.0.0.1/", inner)).status_code == 200
    assert (await fetch(guard, "https://127.0.0.1/", inner)).status_code == 200
    for port in (8000, 5432, 6379):
        with pytest.raises(BlockedDestination, match=rf"Add 127\.0\.0\.1:{port} to NLACTIONS_SSRF_ALLOW"):
            await fetch(guard, f"http://127.0.0.1:{port}/", inner)
    with pytest.raises(BlockedDestination):
        await fetch(guard, echo.url("/"))
    assert [r.url.port for r in inner.requests] == [None, None]


@pytest.mark.parametrize(
    ("entry", "allowed", "refused"),
    [
        ("127.0.0.1:8080", ["http://127.0.0.1:8080/"], ["http://127.0.0.1:8081/", "http://127.0.0.1/"]),
        ("127.0.0.1:*", ["http://127.0.0.1:5432/", "https://127.0.0.1/"], ["http://127.0.0.2:5432/"]),
        ("[::1]:8080", ["http://[::1]:8080/"], ["http://[::1]/", "http://[::1]:8081/"]),
        ("::1", ["http://[::1]/", "https://[::1]/"], ["http://[::1]:8080/"]),
        ("10.0.0.0/8:9000", ["http://10.1.2.3:9000/"], ["http://10.1.2.3/", "http://11.0.0.1:9000/x"]),
        ("[fd00::/8]:9000", ["http://[fd00::5]:9000/"], ["http://[fd00::5]/"]),
        ("hooks.internal:8443", ["https://hooks.internal:8443/"], ["https://hooks.internal/"]),
        ("*.svc.internal:8080", ["http://api.svc.internal:8080/"], ["http://api.svc.internal/"]),
    ],
)
async def test_allow_list_entries_name_their_ports(entry: str, allowed: list[str], refused: list[str]) -> None:
    names = {"hooks.internal": ["10.0.0.7"], "api.svc.internal": ["10.0.0.8"]}
    guard = SSRFGuard([entry], resolver=fixed_resolver(names))
    for url in allowed:
        assert (await fetch(guard, url, Recorder())).status_code == 200, url
    for url in refused:
        if url.startswith("http://11."):
            continue  # a public address: reachable on any port, allow-listed or not
        with pytest.raises(BlockedDestination):
            await fetch(guard, url, Recorder())


@pytest.mark.parametrize(
    ("entry", "fragment"),
    [
        ("127.0.0.1:99999", "the port must be a number from 1 to 65535, or *"),
        ("127.0.0.1:http", "the port must be a number"),
        ("hooks]:80", "neither a host name nor an IP address"),
        ("[::1]8080", "must be followed by nothing or :port"),
        ("fd00::zz:80", "write an IPv6 address with a port in brackets"),
        ("http://hooks.internal", "not a URL"),
        ("hooks internal", "not a URL"),
    ],
)
def test_bad_entries_are_refused_naming_the_entry(entry: str, fragment: str) -> None:
    from pydantic import ValidationError

    from nlactions.settings import Settings

    with pytest.raises(ValueError, match=re.escape(fragment)) as caught:
        parse_allow_entry(entry)
    assert repr(entry) in str(caught.value)
    with pytest.raises(ValidationError, match="NLACTIONS_SSRF_ALLOW entry"):
        Settings(_env_file=None, ssrf_allow=[entry])  # type: ignore[call-arg]


async def test_redirect_to_another_port_of_an_allowed_host_is_blocked(echo: EchoServer) -> None:
    other = free_port()
    guard = SSRFGuard(
        [f"127.0.0.1:{echo.port}", f"echo.test:{echo.port}"], resolver=fixed_resolver({"echo.test": ["127.0.0.1"]})
    )
    for start, target in (
        (echo.url("/"), f"http://127.0.0.1:{other}/"),
        (f"http://echo.test:{echo.port}/", f"http://echo.test:{other}/"),
        (f"http://echo.test:{echo.port}/", "http://echo.test/"),
    ):
        with pytest.raises(BlockedDestination) as caught:
            await fetch(guard, f"{start}redirect?to={target}")
        assert caught.value.request.url == httpx.URL(target)
        assert f":{other}" in str(caught.value) or target.endswith("echo.test/")
