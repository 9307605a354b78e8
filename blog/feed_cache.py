"""Machine-read responses (feeds, sitemaps) cached whole in Redis and served conditionally.

An entry is keyed by the site-wide content version of blog.page_cache, so the same committed
change that invalidates cached pages invalidates feeds and sitemaps: no second scheme to keep
in step. Unlike the page cache it also serves logged-in users (a feed never varies by user)
and keeps the content type, ETag and Last-Modified, so reader apps polling every few minutes
get a `304 Not Modified` without a single SQL query.

Every answer, 200 or 304, is marked for blog.anonymous_pages: the finished response is kept, and
the next reader without a session cookie gets it (or its 304) before Django runs.
"""

import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date

from .page_cache import content_version, shared_cache_control

# How long "this body was first served at" stays remembered between content versions.
CHANGED_AT_SECONDS = 30 * 24 * 3600
# Bump when a deploy changes what feeds or sitemaps look like, so no copy built by the old
# code is served until the next content change.
OUTPUT_VERSION = 1
# Settings that shape every feed and sitemap; changing one (a new SITE_URL) must not serve
# copies built with the old value.
SHAPING_SETTINGS = ("SITE_URL", "SITE_NAME", "LANGUAGE_CODE", "FEED_ITEMS", "WEBSUB_HUB")


@dataclass(frozen=True)
class FrozenResponse:
    """What is kept of a built response: body, content type, validators and extra headers."""

    content: bytes
    content_type: str
    etag: str
    last_modified: int
    headers: tuple[tuple[str, str], ...] = ()


def _changed_at(name, etag):
    """Return when the body with `etag` was first served under `name` (now, if it is new).

    Last-Modified is when the representation last changed, not the newest item's date: after
    an unpublish the newest date goes backwards, and a reader sending only If-Modified-Since
    would be told "not modified" and keep showing the removed post.
    """
    key = f"feed-changed:{hashlib.blake2b(name.encode(), digest_size=16).hexdigest()}"
    seen = cache.get(key)
    if seen is not None and seen[0] == etag:
        return seen[1]
    # HTTP dates count whole seconds: a change within the second of the last one must still
    # move Last-Modified forward, or If-Modified-Since would call the new body unchanged.
    changed_at = int(time.time()) if seen is None else max(int(time.time()), seen[1] + 1)
    cache.set(key, (etag, changed_at), timeout=CHANGED_AT_SECONDS)
    return changed_at


def freeze(name, response, headers=()):
    """Return the FrozenResponse of a built 200 `response` served under `name`."""
    content = response.content
    etag = '"' + hashlib.blake2b(content, digest_size=16).hexdigest() + '"'
    return FrozenResponse(
        content=content,
        content_type=response["Content-Type"],
        etag=etag,
        last_modified=_changed_at(name, etag),
        headers=tuple(headers),
    )


def serve_cached(request, name, build, headers=()):
    """Return the response named `name` (e.g. the path), building it with `build()` only on a miss.

    `build` returns an HttpResponse (or raises Http404); only a 200 is cached. `headers` are
    extra (name, value) pairs sent with every copy. A request whose If-None-Match or
    If-Modified-Since matches gets a 304. `X-Feed-Cache` says "hit" or "miss".
    """
    enabled = settings.FEED_CACHE_SECONDS > 0
    shape = "\0".join(
        [str(OUTPUT_VERSION), name, *(str(getattr(settings, setting)) for setting in SHAPING_SETTINGS)]
    )
    key = f"feed:{content_version()}:{hashlib.blake2b(shape.encode(), digest_size=16).hexdigest()}"
    frozen = cache.get(key) if enabled else None
    state = "hit"
    if frozen is None:
        state = "miss"
        built = build()
        if built.status_code != 200 or built.streaming:
            return built
        frozen = freeze(name, built, headers)
        if enabled:
            cache.set(key, frozen, timeout=settings.FEED_CACHE_SECONDS)
    response = HttpResponse(frozen.content, content_type=frozen.content_type)
    for header, value in frozen.headers:
        response[header] = value
    response["ETag"] = frozen.etag
    response["Last-Modified"] = http_date(frozen.last_modified)
    response["X-Feed-Cache"] = state
    # Reader apps and proxies may reuse a copy briefly, then must ask again (cheaply, with 304s).
    patch_cache_control(response, max_age=settings.FEED_MAX_AGE_SECONDS)
    shared_cache_control(response)
    answer = get_conditional_response(
        request, etag=frozen.etag, last_modified=frozen.last_modified, response=response
    )
    answer.for_anonymous_readers = True
    return answer
