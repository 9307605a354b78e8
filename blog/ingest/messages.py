"""Ingestion's messages to editors: stored in English on the source, shown in the reader's language.

A poll runs in a worker, with no editor and no language at hand, and what it finds is stored on
the source (last_error, last_warning) for whoever opens the admin later, in whatever language.
So every message is a template marked for translation (gettext_noop), formatted in English
where it happens; `localize` finds the template a stored text was made from and returns it in
the active language, its parts too (a reason inside a reason). Texts stored before the
templates existed are the same English, so they are translated as well. Anything no template
matches (an operating system's or a parser's own words) is shown as it came.
"""

import re
from functools import cache

from django.utils.translation import gettext, gettext_noop

# blog/ingest/fetch.py
CANNOT_RESOLVE = gettext_noop("cannot resolve %(host)s: %(reason)s")
INVALID_HOST = gettext_noop("%(host)s is not a valid host name")
NOT_PUBLIC = gettext_noop(
    "%(host)s resolves to %(address)s, which is not a public address; "
    "set INGEST_ALLOW_PRIVATE=true only for local testing"
)
TIMED_OUT = gettext_noop("timed out")
CANNOT_CONNECT = gettext_noop("cannot connect to %(host)s:%(port)s: %(reason)s")
INVALID_URL = gettext_noop("not a valid URL: %(url)s")
NOT_HTTP = gettext_noop("not an http(s) URL: %(url)s")
CREDENTIALS_IN_URL = gettext_noop("URLs with a user name or password are not fetched")
REDIRECT_WITHOUT_LOCATION = gettext_noop("HTTP %(status)s redirect without a Location header")
HTTP_STATUS = gettext_noop("HTTP %(status)s from %(host)s")
TOO_MANY_REDIRECTS = gettext_noop("more than %(count)s redirects")
INVALID_REDIRECT = gettext_noop(
    "HTTP %(status)s redirect to %(location)s, which is not a valid URL; "
    "ask the feed's owner to fix the redirect, or add the feed by its final address"
)
TOO_LARGE = gettext_noop("the feed is %(size)s bytes, more than the %(limit)s-byte limit")
TOO_LARGE_DECOMPRESSED = gettext_noop(
    "the feed is larger than the %(limit)s-byte limit (after decompression)"
)
READ_FAILED = gettext_noop("reading the feed failed: %(reason)s")
GAVE_UP = gettext_noop(
    "gave up after %(seconds)s s (INGEST_TOTAL_TIMEOUT): %(host)s answered too slowly; "
    "the next poll tries again"
)
# Translated as itself, so that only the reason changes ("a.example: timed out" → "a.example: 超时");
# many texts no template made (a parser's "SAXParseException: …") have this shape too.
HOST_REASON = gettext_noop("%(host)s: %(reason)s")
# blog/ingest/poll.py
POLL_SKIPPED = gettext_noop(
    "A poll at %(when)s was skipped: another poll of this source held its lock, either still "
    "running or stopped by a worker that died. The lock runs out at %(until)s at the latest, "
    "and the next poll is due then."
)
POLL_STOPPED = gettext_noop(
    "The poll was stopped after %(seconds)s s (INGEST_TASK_SOFT_TIME_LIMIT): the feed took too "
    "long to fetch, read or store. It is tried again later; if it is this large every time, "
    "raise the limit."
)
FEED_GONE = gettext_noop("HTTP 410 Gone: the feed was removed, so the source was deactivated.")
NOT_A_FEED = gettext_noop("The address did not return an RSS or Atom feed.")
ENTRIES_FAILED = gettext_noop("%(count)s entries failed: %(first)s")
# blog/ingest/sources.py
NO_FEED_FOUND = gettext_noop(
    "%(url)s is neither an RSS/Atom feed nor a page that links to one "
    '(<link rel="alternate" type="application/atom+xml">). Paste the feed\'s own URL.'
)
LINKED_FEED_UNREADABLE = gettext_noop("The page links to %(url)s, but that is not a readable feed.")
CANNOT_FETCH = gettext_noop("Could not fetch %(url)s: %(reason)s")
ALREADY_A_SOURCE = gettext_noop("%(url)s is already a source.")
# blog/ingest/parse.py
BYTES_REPLACED = gettext_noop("bytes that are not %(codec)s were replaced")
WRONG_ENCODING = gettext_noop("the feed says it is %(labels)s but is not")
NO_ENCODING = gettext_noop("the feed names no character encoding and is not UTF-8")
ENCODING_GUESSED = gettext_noop("it was read as %(codec)s, the likeliest by its bytes")

TEMPLATES = [value for name, value in list(globals().items()) if name.isupper() and isinstance(value, str)]
_PLACEHOLDER_RE = re.compile(r"%\((\w+)\)s")
# Parts joined into one stored text ("problem; it was read as big5, …").
_SEPARATOR = "; "


@cache
def _patterns():
    """(compiled pattern, template) for every template, the longest (most specific) first."""
    patterns = []
    for template in sorted(TEMPLATES, key=len, reverse=True):
        pieces = _PLACEHOLDER_RE.split(template)  # literal, name, literal, name, …
        regex = "".join(
            re.escape(piece) if index % 2 == 0 else f"(?P<{piece}>.+?)" for index, piece in enumerate(pieces)
        )
        patterns.append((re.compile(regex, re.DOTALL), template))
    return patterns


def _localize_whole(text):
    """`text` translated if one template made all of it, else None."""
    for pattern, template in _patterns():
        match = pattern.fullmatch(text)
        if match:
            return gettext(template) % {name: localize(value) for name, value in match.groupdict().items()}
    return None


def localize(text):
    """Return a stored ingestion message in the active language (unchanged where unknown)."""
    if not text:
        return text
    whole = _localize_whole(text)
    if whole is not None:
        return whole
    # "first; second": translate the parts that are messages of their own.
    start = text.find(_SEPARATOR)
    while start != -1:
        first = _localize_whole(text[:start])
        if first is not None:
            return first + gettext("; ") + localize(text[start + len(_SEPARATOR) :])
        start = text.find(_SEPARATOR, start + 1)
    return text
