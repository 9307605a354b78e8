"""Links from outside feeds: absolute http(s) URLs, percent-encoded, or nothing at all.

Every URL an outside feed gives us ends up in an href or src on our pages and in our feeds:
the entry's link ("Originally published at", the timeline badge, Atom rel="via", JSON
external_url), the feed's site, and the links and images of the entry's HTML. A `javascript:`
or `data:` URL there is script on our own origin, and a space or a raw non-ASCII character
makes our Atom invalid; so each is checked the way Django's URLField checks a URL typed into a
form, after being encoded the way a browser encodes what it sends.
"""

import re
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

# What Source.site_url and Post.original_url hold; a longer URL cut short would be a wrong one.
MAX_URL_LENGTH = 1000

_VALIDATE_HTTP_URL = URLValidator(schemes=["http", "https"])
# As the WHATWG URL parser does: leading and trailing C0 controls and spaces are dropped, and
# tabs and newlines anywhere are ignored ("java\nscript:" is "javascript:").
_EDGE_RE = re.compile("^[\x00-\x20]+|[\x00-\x20]+$")
_TAB_OR_NEWLINE_RE = re.compile("[\t\n\r]")
# A "%" that does not start an escape is a literal percent sign.
_LONE_PERCENT_RE = re.compile(r"%(?![0-9A-Fa-f]{2})")
# Everything RFC 3986 allows as is in a path, query or fragment (and "%" of existing escapes).
_PATH_SAFE = "/:@!$&'()*+,;=-._~%"
_QUERY_SAFE = _PATH_SAFE + "?"


def _encoded(part, safe):
    return quote(_LONE_PERCENT_RE.sub("%25", part), safe=safe)


def _ascii_netloc(parts):
    """The URL's authority with an IDNA host and encoded user info, or None if it has none."""
    host = parts.hostname
    if not host:
        return None
    if not host.isascii():
        host = host.encode("idna").decode("ascii")  # UnicodeError for a host that is no name
    if ":" in host:  # an IPv6 literal
        host = f"[{host}]"
    netloc = host if parts.port is None else f"{host}:{parts.port}"
    if parts.username is not None:
        user_info = _encoded(parts.username, "!$&'()*+,;=-._~%")
        if parts.password is not None:
            user_info += ":" + _encoded(parts.password, "!$&'()*+,;=-._~%")
        netloc = f"{user_info}@{netloc}"
    return netloc


def http_url(value, base="", max_length=MAX_URL_LENGTH):
    """Return `value` (resolved against `base`) as an absolute, encoded http(s) URL, or "".

    "" means the link must not be shown: another scheme (javascript:, data:, mailto:, ftp:),
    no host, a URL Django's URLValidator refuses, or one longer than `max_length`.
    """
    text = _TAB_OR_NEWLINE_RE.sub("", _EDGE_RE.sub("", value or ""))
    if not text:
        return ""
    try:
        if base:
            text = urljoin(base, text)
        parts = urlsplit(text)
        if parts.scheme.lower() not in {"http", "https"}:
            return ""
        netloc = _ascii_netloc(parts)
    except (ValueError, UnicodeError):  # "http://[::1", a port of "x", an unencodable host
        return ""
    if netloc is None:
        return ""
    url = urlunsplit(
        (
            parts.scheme.lower(),
            netloc,
            _encoded(parts.path, _PATH_SAFE),
            _encoded(parts.query, _QUERY_SAFE),
            _encoded(parts.fragment, _QUERY_SAFE),
        )
    )
    if len(url) > max_length:
        return ""
    try:
        _VALIDATE_HTTP_URL(url)
    except ValidationError:
        return ""
    return url
