"""Downloading a page safely and taking its main text.

Every hop of a download (the URL, then each redirect, followed by hand) resolves its
host first and refuses private, loopback, link-local, reserved and metadata
addresses; the connection then goes to the address that was checked (the host name
travels in the Host header and TLS's SNI), so a DNS answer that changes between the
check and the connection cannot reach the inside. Bodies are streamed and cut off at
a size cap and a wall-clock limit; only HTML, plain text, PDF and DOCX are read.
"""

from __future__ import annotations

import ipaddress
import socket
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

# Why a download was refused (logged, counted by the bench, asserted by tests).
REFUSED_SCHEME = "scheme"
REFUSED_ADDRESS = "address"
REFUSED_UNRESOLVED = "unresolved"
REFUSED_STATUS = "status"
REFUSED_CONTENT_TYPE = "content_type"
REFUSED_BINARY = "binary"
REFUSED_TOO_LARGE = "too_large"
REFUSED_REDIRECTS = "redirects"
REFUSED_NETWORK = "network"
REFUSED_EMPTY = "empty"
REFUSED_URL_TOO_LONG = "url_too_long"

# What the portal keeps of an address (WebSource.address, SimilarityMatch.source_url).
MAX_URL_LENGTH = 1000

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
TEXT_TYPES = frozenset({"text/plain"})
PDF_TYPES = frozenset({"application/pdf"})
DOCX_TYPES = frozenset({"application/vnd.openxmlformats-officedocument.wordprocessingml.document"})
READABLE_TYPES = HTML_TYPES | TEXT_TYPES | PDF_TYPES | DOCX_TYPES

# Cloud metadata endpoints: link-local or private already, listed for clarity and for
# a deployment that allows private addresses.
METADATA_ADDRESSES = frozenset(
    {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
)


class FetchRefused(Exception):
    def __init__(self, reason: str, url: str, detail: str = ""):
        super().__init__(f"{reason}: {url} {detail}".strip())
        self.reason = reason
        self.url = url


@dataclass(frozen=True)
class FetchedPage:
    url: str  # after redirects
    title: str
    text: str
    content_type: str
    truncated: bool = False


def parse_allowed_networks(value: str) -> tuple[ipaddress._BaseNetwork, ...] | None:
    """WEBCHECK_ALLOW_PRIVATE_ADDRESSES: "" nothing, "1"/"true" everything (None), or
    a comma-separated list of networks."""
    value = (value or "").strip()
    if not value or value.lower() in ("0", "false", "no", "off"):
        return ()
    if value.lower() in ("1", "true", "yes", "on"):
        return None
    return tuple(ipaddress.ip_network(part.strip()) for part in value.split(",") if part.strip())


@dataclass(frozen=True)
class AddressGuard:
    """Refuses addresses that are not on the public Internet.

    ``allowed``: None lets everything through (tests only); otherwise the networks
    let through despite being private (tests serve pages on 127.0.0.1).
    """

    allowed: tuple[ipaddress._BaseNetwork, ...] | None = ()
    resolve: Callable[[str, int], list[str]] | None = None

    def is_refused(self, address: ipaddress._BaseAddress) -> bool:
        if self.allowed is None:
            return False
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        if any(address in network for network in self.allowed):
            return False
        return (
            address in METADATA_ADDRESSES
            or not address.is_global
            or address.is_multicast
            or address.is_reserved
        )

    def addresses(self, host: str, port: int, url: str) -> list[str]:
        """The host's addresses, all of them checked; refused if any is inside."""
        try:
            literal = ipaddress.ip_address(host.strip("[]"))
            found = [str(literal)]
        except ValueError:
            try:
                found = (self.resolve or _resolve)(host, port)
            except OSError as exc:
                raise FetchRefused(REFUSED_UNRESOLVED, url, str(exc)) from exc
        if not found:
            raise FetchRefused(REFUSED_UNRESOLVED, url)
        for address in found:
            if self.is_refused(ipaddress.ip_address(address)):
                raise FetchRefused(REFUSED_ADDRESS, url, address)
        return found


def _resolve(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


@dataclass
class FetchLimits:
    max_bytes: int = 5 * 1024 * 1024
    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    total_seconds: float = 20.0
    max_redirects: int = 5
    user_agent: str = "SangKienWebCheck/1.0 (+https://sangkien.congdoan.vn)"


@dataclass
class Fetcher:
    """Downloads pages under ``limits`` through ``guard``; one httpx client reused."""

    guard: AddressGuard = field(default_factory=AddressGuard)
    limits: FetchLimits = field(default_factory=FetchLimits)
    # PDF and DOCX bodies: (path, "pdf"|"docx") -> text, the attachment extractors.
    extract_file: Callable[[Path, str], str] | None = None

    def __post_init__(self) -> None:
        timeout = httpx.Timeout(
            connect=self.limits.connect_timeout,
            read=self.limits.read_timeout,
            write=self.limits.read_timeout,
            pool=self.limits.connect_timeout,
        )
        # trust_env=False: no proxy from the environment could bypass the guard.
        self.client = httpx.Client(
            timeout=timeout, follow_redirects=False, trust_env=False, verify=True
        )

    def close(self) -> None:
        self.client.close()

    def fetch(self, url: str) -> FetchedPage:
        started = time.monotonic()
        for _hop in range(self.limits.max_redirects + 1):
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise FetchRefused(REFUSED_SCHEME, url)
            if len(url) > MAX_URL_LENGTH:
                raise FetchRefused(REFUSED_URL_TOO_LONG, url[:200])
            port = parts.port or (443 if parts.scheme == "https" else 80)
            address = self.guard.addresses(parts.hostname, port, url)[0]
            pinned_host = f"[{address}]" if ":" in address else address
            pinned = urlunsplit(
                (parts.scheme, f"{pinned_host}:{port}", parts.path or "/", parts.query, "")
            )
            headers = {
                "Host": parts.netloc.rsplit("@", 1)[-1],
                "User-Agent": self.limits.user_agent,
                "Accept": "text/html,application/xhtml+xml,text/plain,application/pdf,"
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document;q=0.9",
                "Accept-Language": "vi,en;q=0.5",
            }
            extensions = {"sni_hostname": parts.hostname} if parts.scheme == "https" else {}
            try:
                with self.client.stream(
                    "GET", pinned, headers=headers, extensions=extensions
                ) as response:
                    if response.status_code in (301, 302, 303, 307, 308):
                        location = response.headers.get("location", "")
                        if not location:
                            raise FetchRefused(REFUSED_STATUS, url, str(response.status_code))
                        url = urljoin(url, location)
                        continue
                    if response.status_code != 200:
                        raise FetchRefused(REFUSED_STATUS, url, str(response.status_code))
                    content_type = (
                        response.headers.get("content-type", "").split(";")[0].strip().lower()
                    )
                    if content_type not in READABLE_TYPES:
                        raise FetchRefused(REFUSED_CONTENT_TYPE, url, content_type)
                    body, truncated = self._read(response, url, started)
                    charset = response.charset_encoding
            except httpx.HTTPError as exc:
                raise FetchRefused(REFUSED_NETWORK, url, type(exc).__name__) from exc
            return self._page(url, content_type, body, truncated, charset)
        raise FetchRefused(REFUSED_REDIRECTS, url)

    def _read(self, response: httpx.Response, url: str, started: float) -> tuple[bytes, bool]:
        """The body up to the size cap and the time limit: a huge or endless body is cut off."""
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.limits.max_bytes * 4:
            raise FetchRefused(REFUSED_TOO_LARGE, url, declared)
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            chunks.append(chunk)
            size += len(chunk)
            if size >= self.limits.max_bytes:
                return b"".join(chunks)[: self.limits.max_bytes], True
            if time.monotonic() - started > self.limits.total_seconds:
                return b"".join(chunks), True
        return b"".join(chunks), False

    def _page(
        self, url: str, content_type: str, body: bytes, truncated: bool, charset: str | None
    ) -> FetchedPage:
        if content_type in PDF_TYPES | DOCX_TYPES:
            if truncated:
                # A cut-off PDF or DOCX cannot be read: refused rather than half-read.
                raise FetchRefused(REFUSED_TOO_LARGE, url)
            kind = "pdf" if content_type in PDF_TYPES else "docx"
            if self.extract_file is None:
                raise FetchRefused(REFUSED_CONTENT_TYPE, url, content_type)
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / f"page.{kind}"
                path.write_bytes(body)
                text = self.extract_file(path, kind)
            title = ""
        else:
            if b"\x00" in body[:8192]:
                raise FetchRefused(REFUSED_BINARY, url)
            if content_type in HTML_TYPES:
                title, text = html_main_text(body)
            else:
                text = body.decode(charset or "utf-8", errors="replace")
                title = ""
        text = text.replace("\x00", "").strip()
        if not text:
            raise FetchRefused(REFUSED_EMPTY, url)
        return FetchedPage(
            url=url,
            title=(title or first_line(text))[:500],
            text=text,
            content_type=content_type,
            truncated=truncated,
        )


def html_main_text(html: bytes | str) -> tuple[str, str]:
    """(title, main text) of an HTML page: trafilatura keeps the article, not the menus."""
    import trafilatura

    text = trafilatura.extract(
        html, include_comments=False, include_tables=True, favor_recall=True, deduplicate=False
    )
    if not text:
        text = trafilatura.html2txt(html) or ""
    metadata = trafilatura.extract_metadata(html)
    title = (metadata.title if metadata is not None else "") or ""
    return title.strip(), text


def first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return ""


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def is_web_address(value: str) -> bool:
    return value.lower().startswith(("http://", "https://"))


def unique_urls(urls: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(u.split("#", 1)[0] for u in urls if is_web_address(u)))
