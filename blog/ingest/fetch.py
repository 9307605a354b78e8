"""Fetching outside feeds safely: public addresses only, bounded in time and size.

Every connection resolves the host itself and refuses loopback, private, link-local,
multicast and reserved addresses before connecting, and then connects to the very address
it checked, so a DNS answer that changes between check and connect (rebinding) cannot
smuggle a request inside. Redirects are followed by hand, at most five, each one checked the
same way. The body is read in pieces against a deadline and a size cap that also applies
after decompression, so a slow drip or a gzip bomb ends in an error, not a stuck worker.
"""

import ipaddress
import socket
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import urllib3
from django.conf import settings
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import HTTPError as Urllib3Error

FEED_ACCEPT = (
    "application/atom+xml, application/rss+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.8, text/html;q=0.5, */*;q=0.1"
)
REDIRECT_STATUSES = {301, 302, 303, 307, 308}
PERMANENT_REDIRECTS = {301, 308}
READ_SIZE = 64 * 1024


class FetchError(Exception):
    """The feed could not be fetched; the message says why, for the admin's error column."""


class BlockedAddress(FetchError):
    """The host resolves to an address that is not on the public internet."""


def is_public_address(address):
    """True for a globally routable unicast address."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def vetted_addresses(host, port):
    """Resolve `host` and return its socket addresses, refusing non-public ones unless allowed."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise FetchError(f"cannot resolve {host}: {error.strerror}") from None
    if not settings.INGEST_ALLOW_PRIVATE:
        exempt = [ipaddress.ip_network(net, strict=False) for net in settings.INGEST_PRIVATE_ALLOWLIST]
        for info in infos:
            address = info[4][0]
            if not is_public_address(address) and not any(
                ipaddress.ip_address(address.split("%", 1)[0]) in network for network in exempt
            ):
                raise BlockedAddress(
                    f"{host} resolves to {address}, which is not a public address; "
                    "set INGEST_ALLOW_PRIVATE=true only for local testing"
                )
    return infos


class _VettedConnectionMixin:
    """urllib3 connection that connects only to addresses it has checked itself."""

    def _new_conn(self):
        last_error = None
        for family, socktype, proto, _, address in vetted_addresses(self._dns_host, self.port):
            sock = socket.socket(family, socktype, proto)
            try:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                if isinstance(self.timeout, int | float):  # else urllib3's "default" sentinel
                    sock.settimeout(self.timeout)
                sock.connect(address)
                return sock
            except OSError as error:
                sock.close()
                last_error = error
        raise FetchError(f"cannot connect to {self.host}:{self.port}: {last_error}")


class VettedHTTPConnection(_VettedConnectionMixin, HTTPConnection):
    pass


class VettedHTTPSConnection(_VettedConnectionMixin, HTTPSConnection):
    pass


class VettedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = VettedHTTPConnection


class VettedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = VettedHTTPSConnection


def _pool_manager():
    manager = urllib3.PoolManager(num_pools=50, maxsize=4, retries=False)
    manager.pool_classes_by_scheme = {"http": VettedHTTPConnectionPool, "https": VettedHTTPSConnectionPool}
    return manager


POOL = _pool_manager()


@dataclass
class FetchResult:
    """What one fetch brought back."""

    status: int  # 200, 304 (not modified) or 410 (gone)
    url: str  # where the feed was finally found
    permanent_url: str | None = None  # set when every redirect on the way was permanent
    body: bytes = b""
    headers: dict = field(default_factory=dict)

    @property
    def etag(self):
        return self.headers.get("etag", "")

    @property
    def last_modified(self):
        return self.headers.get("last-modified", "")


def user_agent():
    """The User-Agent that tells feed owners who is fetching and where to look."""
    return f"Inkstone feed fetcher (+{settings.SITE_URL})"


def check_url(url):
    """Refuse anything but an absolute http(s) URL with a host."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise FetchError(f"not an http(s) URL: {url[:200]}")
    if parts.username or parts.password:
        raise FetchError("URLs with a user name or password are not fetched")


def fetch(url, *, etag="", last_modified="", accept=FEED_ACCEPT):
    """Fetch `url` with a conditional GET, following at most INGEST_MAX_REDIRECTS redirects.

    Raises FetchError (or BlockedAddress) with a readable reason; 304 and 410 are results.
    """
    deadline = time.monotonic() + settings.INGEST_TOTAL_TIMEOUT
    permanent = True
    current = url
    for _ in range(settings.INGEST_MAX_REDIRECTS + 1):
        check_url(current)
        headers = {"User-Agent": user_agent(), "Accept": accept, "Accept-Encoding": "gzip, deflate"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        response = _request(current, headers, deadline)
        try:
            status = response.status
            if status in REDIRECT_STATUSES:
                location = response.headers.get("Location")
                if not location:
                    raise FetchError(f"HTTP {status} redirect without a Location header")
                permanent = permanent and status in PERMANENT_REDIRECTS
                current = urljoin(current, location.strip())
                continue
            result_headers = {key.lower(): value for key, value in response.headers.items()}
            moved_to = current if permanent and current != url else None
            if status == 304:
                return FetchResult(304, current, moved_to, headers=result_headers)
            if status == 410:
                return FetchResult(410, current, moved_to, headers=result_headers)
            if status >= 400:
                raise FetchError(f"HTTP {status} from {urlsplit(current).hostname}")
            body = _read_body(response, deadline)
            return FetchResult(status, current, moved_to, body, result_headers)
        finally:
            response.release_conn()
    raise FetchError(f"more than {settings.INGEST_MAX_REDIRECTS} redirects")


def _request(url, headers, deadline):
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise FetchError(f"gave up after {settings.INGEST_TOTAL_TIMEOUT:g} s")
    timeout = urllib3.Timeout(
        connect=min(settings.INGEST_CONNECT_TIMEOUT, remaining), read=max(min(remaining, 30.0), 0.01)
    )
    try:
        return POOL.request(
            "GET",
            url,
            headers=headers,
            timeout=timeout,
            redirect=False,
            retries=False,
            preload_content=False,
            decode_content=True,
        )
    except FetchError:
        raise
    except (Urllib3Error, OSError) as error:
        reason = getattr(error, "reason", None) or error
        if isinstance(reason, FetchError):
            raise reason from None
        raise FetchError(f"{urlsplit(url).hostname}: {_describe(reason)}") from None


def _read_body(response, deadline):
    limit = settings.INGEST_MAX_BYTES
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        raise FetchError(f"the feed is {int(declared):,} bytes, more than the {limit:,}-byte limit")
    pieces = []
    size = 0
    try:
        while True:
            if time.monotonic() > deadline:
                raise FetchError(f"gave up after {settings.INGEST_TOTAL_TIMEOUT:g} s")
            piece = response.read(READ_SIZE)
            if not piece:
                break
            size += len(piece)
            if size > limit:
                raise FetchError(f"the feed is larger than the {limit:,}-byte limit (after decompression)")
            pieces.append(piece)
    except (Urllib3Error, OSError) as error:
        raise FetchError(f"reading the feed failed: {_describe(error)}") from None
    return b"".join(pieces)


def _describe(error):
    text = str(error)
    if "timed out" in text.lower() or isinstance(error, TimeoutError | socket.timeout):
        return "timed out"
    return text[:300]
