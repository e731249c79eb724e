"""The SSRF guard refuses private destinations, pins the connection to a checked IP, and checks redirects."""

from __future__ import annotations

import datetime as dt
import ipaddress
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
from nlactions.kit.ssrf import BlockedDestination, Resolver, SSRFGuard


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
    assert "localhost: it resolves to" in str(caught.value)
    assert caught.value.reason == "loopback address"


async def test_refuses_when_any_resolved_address_is_private() -> None:
    guard = SSRFGuard(resolver=fixed_resolver({"mixed.test": ["93.184.216.34", "10.1.2.3"]}))
    with pytest.raises(BlockedDestination, match=r"mixed\.test: it resolves to 10\.1\.2\.3 \(private address\)"):
        await fetch(guard, "http://mixed.test/")


async def test_refuses_other_schemes() -> None:
    with pytest.raises(BlockedDestination) as caught:
        SSRFGuard().check_url(httpx.URL("file:///etc/passwd"))
    assert caught.value.reason == "scheme"


async def test_unresolvable_host_is_a_connect_error() -> None:
    with pytest.raises(httpx.ConnectError, match=r"Could not resolve host nowhere\.test"):
        await fetch(SSRFGuard(resolver=fixed_resolver({})), "http://nowhere.test/")


async def test_allow_listed_loopback_is_reached(echo: EchoServer) -> None:
    response = await fetch(SSRFGuard(["127.0.0.1"]), echo.url("/hello?x=1"))
    assert response.status_code == 200
    assert response.json()["path"] == "/hello"
    assert response.json()["headers"]["user-agent"].startswith("nlactions/")


async def test_allow_list_by_cidr(echo: EchoServer) -> None:
    response = await fetch(SSRFGuard(["127.0.0.0/8"]), echo.url("/"))
    assert response.status_code == 200


async def test_allow_list_does_not_leak_to_other_private_addresses(echo: EchoServer) -> None:
    with pytest.raises(BlockedDestination, match=r"127\.0\.0\.2"):
        await fetch(SSRFGuard(["127.0.0.1"]), f"http://127.0.0.2:{echo.port}/")


async def test_allow_list_by_hostname_connects_to_the_resolved_address(echo: EchoServer) -> None:
    guard = SSRFGuard(["echo.test"], resolver=fixed_resolver({"echo.test": ["127.0.0.1"]}))
    response = await fetch(guard, f"http://echo.test:{echo.port}/named")
    assert response.status_code == 200
    assert response.json()["headers"]["host"] == f"echo.test:{echo.port}"
    assert response.url == httpx.URL(f"http://echo.test:{echo.port}/named")


def test_wildcard_hostname_entries() -> None:
    guard = SSRFGuard(["*.corp.example", ".lab.example", "Exact.Example."])
    assert guard.host_allowed("a.corp.example")
    assert guard.host_allowed("b.c.lab.example")
    assert guard.host_allowed("exact.example")
    assert not guard.host_allowed("corp.example.evil.test")
    assert not guard.host_allowed("other.example")


def test_allowed_ipv4_covers_its_mapped_ipv6_form() -> None:
    guard = SSRFGuard(["127.0.0.1"])
    assert guard.address_refusal(ipaddress.ip_address("::ffff:127.0.0.1")) is None
    assert guard.address_refusal(ipaddress.ip_address("93.184.216.34")) is None


async def test_redirect_to_a_refused_address_is_blocked(echo: EchoServer) -> None:
    guard = SSRFGuard(["127.0.0.1"])
    for target in ("http://169.254.169.254/latest/meta-data/", f"http://127.0.0.2:{echo.port}/"):
        with pytest.raises(BlockedDestination) as caught:
            await fetch(guard, echo.url(f"/redirect?to={target}"))
        assert caught.value.request.url == httpx.URL(target)


async def test_redirect_to_an_allowed_address_is_followed(echo: EchoServer) -> None:
    response = await fetch(SSRFGuard(["127.0.0.1"]), echo.url(f"/redirect?to={echo.url('/landed')}"))
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
    guard = SSRFGuard(["127.0.0.1"], resolver=resolver)
    with EchoServer(certfile=pem, keyfile=pem) as server:
        inner = httpx.AsyncHTTPTransport(verify=verify)
        response = await fetch(guard, f"https://secure.test:{server.port}/tls", inner)
        assert response.json()["headers"]["host"] == f"secure.test:{server.port}"
        inner = httpx.AsyncHTTPTransport(verify=verify)
        with pytest.raises(httpx.ConnectError, match="match"):
            await fetch(guard, f"https://other.test:{server.port}/tls", inner)
