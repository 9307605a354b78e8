"""Cached pages for readers without a session, answered before Django's middleware stack runs.

Nearly every request is an anonymous reader asking for a page someone else just asked for. The
full stack (security, CSP, whitenoise, sessions, locale, CSRF, auth, messages …) costs several
times what the machine needs to send a cached page, so:

- StoreAnonymousPagesMiddleware, the outermost middleware, keeps the *finished* response (status,
  every header the stack added, body) of each page a view marked `for_anonymous_readers` (the
  page cache's anonymous 200s, feeds' and sitemaps' 200s and 304s), when the request is one the
  fast path may answer.
- AnonymousPageFastPath wraps the WSGI application (config/wsgi.py). A request the fast path may
  answer is looked up with one MGET in the cache Redis: the content version's mirror and the
  request's entry, which is stamped with the version read before its page was rendered. Only an
  entry whose stamp is the current version is replayed, byte for byte; anything else (no entry,
  an older stamp, no mirror because the cache evicted it) goes to Django, which stores it anew.

The fast path may answer a request only when nothing but the entry's key can change the answer:
GET or HEAD, no Authorization header, no session or messages cookie, no If-Match or
If-Unmodified-Since (412s are Django's to decide). The key holds everything else the stack's
answer depends on: the scheme (HSTS is sent on HTTPS only), the host (pages may carry it), the
UI language computed the way LocaleMiddleware computes it (language cookie, then
Accept-Language, then LANGUAGE_CODE) and the raw path and query. The content version is the
stamp, compared on every read: a committed change bumps it, so nobody sees a removed post once
its commit is done; and it is read before the page is rendered, so a page rendered while a
change commits carries the older stamp. Both sides compute the key with the same function from
the same WSGI environ (request.META), so they cannot disagree; the middleware also refuses to
keep a response whose Content-Language is not the language computed, or whose Vary names a
header the key does not cover.

A conditional request (If-None-Match, If-Modified-Since) to an entry with an ETag or
Last-Modified is decided by Django's own get_conditional_response against the stored
validators; a 304 is replayed from the 304 the stack produced for the same key, and goes to
Django until there is one. Entries expire after PAGE_CACHE_SECONDS (0 turns all of this off).
"""

import hashlib
import json
from types import SimpleNamespace

import redis
from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.http.cookie import parse_cookie
from django.utils.cache import cc_delim_re, get_conditional_response
from django.utils.http import parse_http_date_safe
from django.utils.translation import get_language_from_request

from .page_cache import cache_redis, content_version, key_prefix, version_mirror_key

# Part of every entry key: bump it when the shape of an entry changes.
ENTRY_FORMAT = 1
# Headers whose value says how the stack found the page; a replay is a warm hit by definition.
CACHE_STATE_HEADERS = {"x-page-cache", "x-feed-cache"}
# Vary may name only what the key covers (the language comes from these two).
KEYED_VARY = {"cookie", "accept-language"}


def entry_key(digest):
    """Return the key of the stored 200 of the request with `digest`; its 304 is this plus ":304"."""
    return f"{key_prefix()}:anon{ENTRY_FORMAT}:{digest}"


class _LanguageInputs(SimpleNamespace):
    """What get_language_from_request reads of a request: COOKIES and META."""


def request_inputs(meta):
    """Return (digest, language) of a request the fast path may answer, else None.

    `meta` is the WSGI environ (request.META). The digest covers scheme, host, language and the
    raw path and query; the language is the one LocaleMiddleware will activate.
    """
    if meta.get("REQUEST_METHOD") not in ("GET", "HEAD"):
        return None
    if meta.get("PATH_INFO", "").startswith(settings.STATIC_URL):
        return None  # whitenoise's files: never stored here, so never worth a look-up
    if "HTTP_AUTHORIZATION" in meta or "HTTP_IF_MATCH" in meta or "HTTP_IF_UNMODIFIED_SINCE" in meta:
        return None
    raw_cookies = meta.get("HTTP_COOKIE", "")
    cookies = parse_cookie(raw_cookies) if raw_cookies else {}
    if settings.SESSION_COOKIE_NAME in cookies or CookieStorage.cookie_name in cookies:
        return None
    language = get_language_from_request(_LanguageInputs(COOKIES=cookies, META=meta))
    proxy_header = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    parts = [
        meta.get("wsgi.url_scheme", ""),
        meta.get(proxy_header[0], "") if proxy_header else "",
        meta.get("HTTP_X_FORWARDED_HOST", "") if settings.USE_X_FORWARDED_HOST else "",
        meta.get("HTTP_X_FORWARDED_PORT", "") if settings.USE_X_FORWARDED_PORT else "",
        meta.get("HTTP_HOST", ""),
        f"{meta.get('SERVER_NAME', '')}:{meta.get('SERVER_PORT', '')}",
        language,
        meta.get("SCRIPT_NAME", "") + meta.get("PATH_INFO", ""),
        meta.get("QUERY_STRING", ""),
    ]
    digest = hashlib.blake2b("\0".join(parts).encode("utf-8", "surrogatepass"), digest_size=16)
    return digest.hexdigest(), language


def _encode(version, status, headers, body, etag=None, last_modified=None):
    head = {"status": status, "headers": headers, "etag": etag, "last_modified": last_modified}
    return b"%d\0" % version + json.dumps(head, separators=(",", ":")).encode() + b"\0" + body


def _decode(entry):
    """Return (version stamp, head, headers, body) of a stored entry."""
    version, _, rest = entry.partition(b"\0")
    head, _, body = rest.partition(b"\0")
    head = json.loads(head)
    return int(version), head, [tuple(header) for header in head["headers"]], body


def cached_answer(environ):
    """Return (status, headers, body) for this request from the stored pages, or None for Django."""
    if settings.PAGE_CACHE_SECONDS <= 0:
        return None
    inputs = request_inputs(environ)
    if inputs is None:
        return None
    key = entry_key(inputs[0])
    conditional = "HTTP_IF_NONE_MATCH" in environ or "HTTP_IF_MODIFIED_SINCE" in environ
    try:
        if conditional:
            # A reader app polling with its validators: the stored 304 carries the same ETag and
            # Last-Modified as the 200, so the (large) page need not cross the wire to decide.
            mirror, not_modified = cache_redis().mget(version_mirror_key(), key + ":304")
            if mirror is not None and not_modified is not None:
                version, head, headers, _body = _decode(not_modified)
                if version == int(mirror) and _not_modified(environ, head):
                    return head["status"], headers, b""
        mirror, page = cache_redis().mget(version_mirror_key(), key)
    except redis.RedisError:
        return None  # the full stack decides what a reader sees while the cache is away
    if mirror is None or page is None:
        return None
    version, head, headers, body = _decode(page)
    if version != int(mirror):
        return None
    if conditional and (head["etag"] or head["last_modified"]) and _not_modified(environ, head):
        return None  # a 304 not stored yet: the stack answers it, and the middleware keeps it
    if environ["REQUEST_METHOD"] == "HEAD":
        body = b""
    return head["status"], headers, body


def _not_modified(environ, head):
    """Return whether Django would answer this conditional request 304 for the stored validators."""
    request = SimpleNamespace(META=environ, method=environ["REQUEST_METHOD"])
    answer = get_conditional_response(request, etag=head["etag"], last_modified=head["last_modified"])
    return answer is not None and answer.status_code == 304


class AnonymousPageFastPath:
    """WSGI middleware: answer stored anonymous pages before Django, hand everything else to it."""

    def __init__(self, application, extra_headers=None):
        # `extra_headers(environ)` gives what middleware outside the stored response would have
        # added to this answer (config/wsgi.py: the request id), since none of it runs here.
        self.application = application
        self.extra_headers = extra_headers

    def __call__(self, environ, start_response):
        answer = cached_answer(environ)
        if answer is None:
            return self.application(environ, start_response)
        status, headers, body = answer
        if self.extra_headers is not None:
            headers = headers + self.extra_headers(environ)
        start_response(status, headers)
        return [body]


def storable(response, language):
    """Return whether the finished `response` may be replayed to every reader with the same key."""
    if response.status_code not in (200, 304) or response.streaming or response.cookies:
        return False
    if not getattr(response, "for_anonymous_readers", False):
        return False
    if response.get("Content-Language", language) != language:
        return False
    vary = {header.strip().lower() for header in cc_delim_re.split(response.get("Vary", "")) if header}
    if not vary <= KEYED_VARY:
        return False
    cache_control = response.get("Cache-Control", "").lower()
    return "private" not in cache_control and "no-store" not in cache_control


def store(version, digest, response):
    """Keep the finished `response` as the entry of `digest`, stamped with `version`."""
    headers = [
        (name, "hit" if name.lower() in CACHE_STATE_HEADERS else value) for name, value in response.items()
    ]
    status = f"{response.status_code} {response.reason_phrase}"
    # A 304 carries the 200's validators (Django copies ETag and Last-Modified into it).
    validators = response.get("ETag"), parse_http_date_safe(response.get("Last-Modified"))
    if response.status_code == 304:
        key, body = entry_key(digest) + ":304", b""
    else:
        key, body = entry_key(digest), response.content
    entry = _encode(version, status, headers, body, *validators)
    cache_redis().set(key, entry, ex=settings.PAGE_CACHE_SECONDS)


class StoreAnonymousPagesMiddleware:
    """Outermost middleware: keeps finished anonymous pages for the fast path; marks personal ones.

    The version is read before the view runs, as the page cache does: a page rendered while a
    change commits is stamped with the version it may predate, which the bump has already retired.
    A response to a logged-in reader that says nothing about caching gets `Cache-Control:
    private`, so no shared cache keeps a page with someone's name on it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        inputs = request_inputs(request.META) if settings.PAGE_CACHE_SECONDS > 0 else None
        if inputs is not None:
            version = request.content_version = content_version()
        response = self.get_response(request)
        if inputs is not None and storable(response, inputs[1]):
            store(version, inputs[0], response)
        if not response.has_header("Cache-Control"):  # checked first: it spares a session load
            user = getattr(request, "user", None)  # absent when a middleware answered before auth
            if user is not None and user.is_authenticated:
                response["Cache-Control"] = "private"
        return response
