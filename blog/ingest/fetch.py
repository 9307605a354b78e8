"""Fetching outside feeds safely: public addresses only, bounded in time and size.

Every connection resolves the host itself and refuses loopback, private, link-local,
multicast and reserved addresses (also when they hide inside an IPv6 address) before
connecting, and then connects to the very address it checked, so a DNS answer that changes
between check and connect (rebinding) cannot smuggle a request inside. Redirects are followed
by hand, at most five, each one checked the same way.

A fetch has one deadline, INGEST_TOTAL_TIMEOUT after it starts, and every blocking socket call
on its behalf (connect, TLS handshake, sending, each read of the headers and the body) waits at
most until then. A timeout per call alone would let a server that sends one byte a second hold
a worker for as long as it likes. The body is read in small pieces against a size cap that also
applies after decompression, so a slow drip or a gzip bomb ends in an error, not a stuck worker.

Whatever goes wrong, fetch() raises FetchError with a message for the admin's error column.
"""

import contextvars
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass, field
from http.client import HTTPException
from urllib.parse import urljoin, urlsplit

import urllib3
from django.conf import settings
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import HTTPError as Urllib3Error
from urllib3.util.ssl_ import create_urllib3_context

from . import messages

FEED_ACCEPT = (
    "application/atom+xml, application/rss+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.8, text/html;q=0.5, */*;q=0.1"
)
REDIRECT_STATUSES = {301, 302, 303, 307, 308}
PERMANENT_REDIRECTS = {301, 308}
READ_SIZE = 16 * 1024
# A server silent for this long within a fetch is gone, even if the deadline is further off.
IDLE_TIMEOUT = 30.0
# The page of a redirect or an error is read and dropped so that its keep-alive connection can
# carry the next request; one longer than this is not worth reading, so its connection is closed.
DISCARD_LIMIT = 64 * 1024

# Well-known NAT64 prefix (RFC 6052): the last 32 bits are the IPv4 address it reaches.
NAT64_WELL_KNOWN = ipaddress.ip_network("64:ff9b::/96")
# Local-use NAT64 prefix (RFC 8215): where it puts the IPv4 address is the network's own choice.
NAT64_LOCAL_USE = ipaddress.ip_network("64:ff9b:1::/48")
# All of the IPv6 space now handed out for public unicast lies in 2000::/3.
GLOBAL_UNICAST = ipaddress.ip_network("2000::/3")

_deadline = contextvars.ContextVar("ingest_fetch_deadline", default=None)


class FetchError(Exception):
    """The feed could not be fetched; the message says why, for the admin's error column."""


class BlockedAddress(FetchError):
    """The host resolves to an address that is not on the public internet."""


def embedded_ipv4(ip):
    """The IPv4 address that IPv6 address `ip` reaches, for the forms that carry one, else None.

    IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d), well-known NAT64
    (64:ff9b::a.b.c.d) and 6to4 (2002:aabb:ccdd::) addresses all lead to an IPv4 host, so
    whether they are public is whether that host is.
    """
    if ip.ipv4_mapped:
        return ip.ipv4_mapped
    if ip in NAT64_WELL_KNOWN:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.sixtofour:
        return ip.sixtofour
    if int(ip) >> 32 == 0 and int(ip) > 1:  # IPv4-compatible; :: and ::1 are not
        return ipaddress.IPv4Address(int(ip))
    return None


def is_public_address(address):
    """True for a globally routable unicast address, judging an IPv6 form of IPv4 by its IPv4.

    Site-local (fec0::/10, deprecated but still routed by some networks) and local-use NAT64
    addresses are never public; other IPv6 addresses must lie in the global unicast space.
    """
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6:
        if ip.is_site_local or ip in NAT64_LOCAL_USE:
            return False
        embedded = embedded_ipv4(ip)
        if embedded is not None:
            ip = embedded
        elif ip not in GLOBAL_UNICAST:
            return False
    return ip.is_global and not ip.is_multicast


def _is_allowlisted(address, networks):
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    candidates = [ip] + ([embedded_ipv4(ip)] if ip.version == 6 and embedded_ipv4(ip) else [])
    # Compare like with like: ipaddress would happily match an IPv6 address's low 32 bits
    # against an IPv4 network.
    return any(
        candidate.version == network.version and candidate in network
        for candidate in candidates
        for network in networks
    )


def vetted_addresses(host, port):
    """Resolve `host` and return its socket addresses, refusing non-public ones unless allowed."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise FetchError(messages.CANNOT_RESOLVE % {"host": host, "reason": error.strerror}) from None
    except UnicodeError:
        raise FetchError(messages.INVALID_HOST % {"host": host[:200]}) from None
    if not settings.INGEST_ALLOW_PRIVATE:
        exempt = [ipaddress.ip_network(net, strict=False) for net in settings.INGEST_PRIVATE_ALLOWLIST]
        for info in infos:
            address = info[4][0]
            if not is_public_address(address) and not _is_allowlisted(address, exempt):
                raise BlockedAddress(messages.NOT_PUBLIC % {"host": host, "address": address})
    return infos


def _seconds_left():
    """Seconds until the current fetch's deadline (None outside a fetch).

    Raises TimeoutError once the deadline has passed, which the socket layers above report as
    a timeout like any other.
    """
    deadline = _deadline.get()
    if deadline is None:
        return None
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("timed out")
    return left


def _shrink_timeout(sock):
    """Let the next blocking call on `sock` wait no longer than the current fetch may still run."""
    left = _seconds_left()
    if left is not None:
        sock.settimeout(min(left, IDLE_TIMEOUT))


class _DeadlineSocket(socket.socket):
    """A plain socket whose every blocking call ends by the current fetch's deadline."""

    def recv(self, *args, **kwargs):
        _shrink_timeout(self)
        return super().recv(*args, **kwargs)

    def recv_into(self, *args, **kwargs):
        _shrink_timeout(self)
        return super().recv_into(*args, **kwargs)

    def send(self, *args, **kwargs):
        _shrink_timeout(self)
        return super().send(*args, **kwargs)

    def sendall(self, *args, **kwargs):
        _shrink_timeout(self)
        return super().sendall(*args, **kwargs)


class _DeadlineSSLSocket(ssl.SSLSocket):
    """The TLS socket of a fetch: the handshake and every read and write end by its deadline.

    SSLSocket's recv, recv_into and sendall all go through read and send.
    """

    def do_handshake(self, *args, **kwargs):
        _shrink_timeout(self)
        return super().do_handshake(*args, **kwargs)

    def read(self, *args, **kwargs):
        _shrink_timeout(self)
        return super().read(*args, **kwargs)

    def send(self, *args, **kwargs):
        _shrink_timeout(self)
        return super().send(*args, **kwargs)


def _tls_context():
    """urllib3's verifying TLS context, but wrapping sockets as _DeadlineSSLSocket."""
    context = create_urllib3_context()
    context.load_default_certs()  # urllib3 does this only for contexts it makes itself
    context.sslsocket_class = _DeadlineSSLSocket
    return context


class _VettedConnectionMixin:
    """urllib3 connection that connects only to addresses it has checked itself."""

    def _new_conn(self):
        last_error = None
        for family, socktype, proto, _, address in vetted_addresses(self._dns_host, self.port):
            sock = _DeadlineSocket(family, socktype, proto)
            try:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                # urllib3 passes the connect timeout, or a sentinel object for its default.
                timeout = self.timeout if isinstance(self.timeout, int | float) else IDLE_TIMEOUT
                left = _seconds_left()
                sock.settimeout(timeout if left is None else min(timeout, left))
                sock.connect(address)
                return sock
            except OSError as error:
                sock.close()
                last_error = error
        if _deadline_passed():
            raise FetchError(_gave_up(self.host))
        raise FetchError(
            messages.CANNOT_CONNECT % {"host": self.host, "port": self.port, "reason": _describe(last_error)}
        )


class VettedHTTPConnection(_VettedConnectionMixin, HTTPConnection):
    pass


class VettedHTTPSConnection(_VettedConnectionMixin, HTTPSConnection):
    pass


class VettedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = VettedHTTPConnection


class VettedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = VettedHTTPSConnection


def _pool_manager():
    manager = urllib3.PoolManager(num_pools=50, maxsize=4, retries=False, ssl_context=_tls_context())
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


def _split_url(url):
    """urlsplit(url), raising ValueError also for a port that is not a number in range."""
    parts = urlsplit(url)
    if parts.port is not None and not 0 < parts.port < 65536:  # .port raises for most bad ports
        raise ValueError(f"port out of range: {parts.port}")
    return parts


def check_url(url):
    """Refuse anything but an absolute http(s) URL with a host."""
    try:
        parts = _split_url(url)
    except ValueError:
        raise FetchError(messages.INVALID_URL % {"url": url[:200]}) from None
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise FetchError(messages.NOT_HTTP % {"url": url[:200]})
    if parts.username or parts.password:
        raise FetchError(messages.CREDENTIALS_IN_URL)


def fetch(url, *, etag="", last_modified="", accept=FEED_ACCEPT):
    """Fetch `url` with a conditional GET, following at most INGEST_MAX_REDIRECTS redirects.

    Raises FetchError (or BlockedAddress) with a readable reason, and nothing else, whatever
    the server sends; 304 and 410 are results. The whole fetch, redirects included, ends
    within INGEST_TOTAL_TIMEOUT.
    """
    token = _deadline.set(time.monotonic() + settings.INGEST_TOTAL_TIMEOUT)
    try:
        return _follow(url, etag, last_modified, accept)
    except FetchError:
        raise
    except (Urllib3Error, OSError, HTTPException, ValueError) as error:
        raise FetchError(_timed_out_or(url, error)) from None
    finally:
        _deadline.reset(token)


def _follow(url, etag, last_modified, accept):
    permanent = True
    current = url
    for _ in range(settings.INGEST_MAX_REDIRECTS + 1):
        check_url(current)
        headers = {"User-Agent": user_agent(), "Accept": accept, "Accept-Encoding": "gzip, deflate"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        response = _request(current, headers)
        reusable = False  # True once the response is read to its end
        try:
            status = response.status
            if status in REDIRECT_STATUSES:
                location = response.headers.get("Location")
                if not location:
                    raise FetchError(messages.REDIRECT_WITHOUT_LOCATION % {"status": status})
                reusable = _discard_body(response)
                permanent = permanent and status in PERMANENT_REDIRECTS
                current = _redirect_target(current, location, status)
                continue
            result_headers = {key.lower(): value for key, value in response.headers.items()}
            moved_to = current if permanent and current != url else None
            if status in {304, 410}:
                reusable = _discard_body(response)
                return FetchResult(status, current, moved_to, headers=result_headers)
            if status >= 400:
                reusable = _discard_body(response)
                raise FetchError(messages.HTTP_STATUS % {"status": status, "host": _host(current)})
            body = _read_body(response, current)
            reusable = True
            return FetchResult(status, current, moved_to, body, result_headers)
        finally:
            if not reusable:  # unread bytes would be taken for the next response on it
                response.close()
            response.release_conn()
    raise FetchError(messages.TOO_MANY_REDIRECTS % {"count": settings.INGEST_MAX_REDIRECTS})


def _redirect_target(current, location, status):
    """The absolute URL a redirect points to, or FetchError if its Location is not a URL."""
    try:
        target = urljoin(current, location.strip())
        _split_url(target)
    except ValueError:
        raise FetchError(
            messages.INVALID_REDIRECT % {"status": status, "location": repr(location[:200])}
        ) from None
    return target


def _request(url, headers):
    remaining = _deadline.get() - time.monotonic()
    if remaining <= 0:
        raise FetchError(_gave_up(_host(url)))
    timeout = urllib3.Timeout(
        connect=min(settings.INGEST_CONNECT_TIMEOUT, remaining), read=min(remaining, IDLE_TIMEOUT)
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
    except (Urllib3Error, OSError, HTTPException, ValueError) as error:
        reason = getattr(error, "reason", None) or error
        if isinstance(reason, FetchError):
            raise reason from None
        raise FetchError(_timed_out_or(url, reason)) from None


def _read_body(response, url):
    limit = settings.INGEST_MAX_BYTES
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        raise FetchError(messages.TOO_LARGE % {"size": f"{int(declared):,}", "limit": f"{limit:,}"})
    pieces = []
    size = 0
    try:
        while piece := response.read1(READ_SIZE):
            size += len(piece)
            if size > limit:
                raise FetchError(messages.TOO_LARGE_DECOMPRESSED % {"limit": f"{limit:,}"})
            pieces.append(piece)
    except (Urllib3Error, OSError, HTTPException) as error:
        if _deadline_passed():
            raise FetchError(_gave_up(_host(url))) from None
        raise FetchError(messages.READ_FAILED % {"reason": _describe(error)}) from None
    return b"".join(pieces)


def _discard_body(response):
    """Read and drop the rest of a response we do not use; True if it ended within DISCARD_LIMIT."""
    read = 0
    try:
        while piece := response.read1(READ_SIZE, decode_content=False):
            read += len(piece)
            if read > DISCARD_LIMIT:
                return False
    except (Urllib3Error, OSError, HTTPException):
        return False
    return True


def _host(url):
    """The host name of `url` for a message, or the URL itself if it has none."""
    try:
        return urlsplit(url).hostname or url[:200]
    except ValueError:
        return url[:200]


def _deadline_passed():
    deadline = _deadline.get()
    return deadline is not None and time.monotonic() >= deadline


def _gave_up(host):
    return messages.GAVE_UP % {"seconds": f"{settings.INGEST_TOTAL_TIMEOUT:g}", "host": host}


def _timed_out_or(url, error):
    """The message for `error`: the deadline's if it has passed, else the error's own."""
    if _deadline_passed():
        return _gave_up(_host(url))
    return messages.HOST_REASON % {"host": _host(url), "reason": _describe(error)}


def _describe(error):
    text = str(error)
    if "timed out" in text.lower() or isinstance(error, TimeoutError | socket.timeout):
        return messages.TIMED_OUT
    return text[:300] or type(error).__name__
