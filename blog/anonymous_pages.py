"""Cached pages for readers without a session, answered before Django's middleware stack runs.

Nearly every request is an anonymous reader asking for a page someone else just asked for. The
full stack (security, CSP, whitenoise, sessions, locale, CSRF, auth, messages …) costs several
times what the machine needs to send a cached page, so:

- StoreAnonymousPagesMiddleware, the outermost middleware, keeps the *finished* response (status,
  every header the stack added, body) of each page a view marked `for_anonymous_readers` (the
  page cache's anonymous 200s, feeds' and sitemaps' 200s and 304s), when the request is one the
  fast path may answer.
- AnonymousPageFastPath wraps the WSGI application (config/wsgi.py). A request the fast path may
  answer is looked up with one Lua script in the cache Redis that reads the content version's
  mirror and the entry keyed by it; a hit is replayed byte for byte, a miss goes to Django.

The fast path may answer a request only when nothing but the entry's key can change the answer:
GET or HEAD, no Authorization header, no session or messages cookie, no If-Match or
If-Unmodified-Since (412s are Django's to decide). The key holds what the stack's answer depends
on: the content version (blog.page_cache; a committed change bumps it, so nobody sees a removed
post once its commit is done), the scheme (HSTS is sent on HTTPS only), the host (pages may
carry it), the UI language computed the way LocaleMiddleware computes it (language cookie, then
Accept-Language, then LANGUAGE_CODE) and the raw path and query. Both sides compute the key with
the same function from the same WSGI environ (request.META), so they cannot disagree; the
middleware also refuses to keep a response whose Content-Language is not the language computed,
or whose Vary names a header the key does not cover.

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
from django.http import HttpResponse
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

# KEYS[1]: the version's mirror; ARGV[1]: the entry key up to the version; ARGV[2]: the request's
# digest. No mirror (evicted): nil, and the full stack re-seeds it from the state Redis.
_LOOKUP = """
local version = redis.call('GET', KEYS[1])
if not version then return false end
return redis.call('HMGET', ARGV[1] .. version .. ':' .. ARGV[2], 'page', 'not-modified')
"""

_lookups = {}


def _lookup_script(client):
    script = _lookups.get(id(client))
    if script is None:
        script = _lookups[id(client)] = client.register_script(_LOOKUP)
    return script


def entry_key_head():
    """Return the entry keys' common start; the version and the request digest follow it."""
    return f"{key_prefix()}:anon{ENTRY_FORMAT}:"


class _LanguageInputs(SimpleNamespace):
    """What get_language_from_request reads of a request: COOKIES and META."""


def request_inputs(meta):
    """Return (digest, language) of a request the fast path may answer, else None.

    `meta` is the WSGI environ (request.META). The digest covers scheme, host, language and the
    raw path and query; the language is the one LocaleMiddleware will activate.
    """
    if meta.get("REQUEST_METHOD") not in ("GET", "HEAD"):
        return None
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


def _encode(status, headers, body, etag=None, last_modified=None):
    head = {"status": status, "headers": headers, "etag": etag, "last_modified": last_modified}
    return json.dumps(head, separators=(",", ":")).encode() + b"\0" + body


def _decode(entry):
    head, _, body = entry.partition(b"\0")
    head = json.loads(head)
    return head, [tuple(header) for header in head["headers"]], body


def cached_answer(environ):
    """Return (status, headers, body) for this request from the stored pages, or None for Django."""
    if settings.PAGE_CACHE_SECONDS <= 0:
        return None
    inputs = request_inputs(environ)
    if inputs is None:
        return None
    client = cache_redis()
    try:
        found = _lookup_script(client)(keys=[version_mirror_key()], args=[entry_key_head(), inputs[0]])
    except redis.RedisError:
        return None  # the full stack decides what a reader sees while the cache is away
    if not found or found[0] is None:
        return None
    page, not_modified = found
    head, headers, body = _decode(page)
    conditional = "HTTP_IF_NONE_MATCH" in environ or "HTTP_IF_MODIFIED_SINCE" in environ
    if conditional and (head["etag"] or head["last_modified"]) and _not_modified(environ, head):
        if not_modified is None:
            return None
        head, headers, body = _decode(not_modified)
    if environ["REQUEST_METHOD"] == "HEAD":
        body = b""
    return head["status"], headers, body


def _not_modified(environ, head):
    """Return whether Django would answer this conditional request 304 for the stored validators."""
    request = SimpleNamespace(META=environ, method=environ["REQUEST_METHOD"])
    answer = get_conditional_response(
        request, etag=head["etag"], last_modified=head["last_modified"], response=HttpResponse()
    )
    return answer.status_code == 304


class AnonymousPageFastPath:
    """WSGI middleware: answer stored anonymous pages before Django, hand everything else to it."""

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        answer = cached_answer(environ)
        if answer is None:
            return self.application(environ, start_response)
        status, headers, body = answer
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
    """Keep the finished `response` under the entry of `version` and `digest`."""
    headers = [
        (name, "hit" if name.lower() in CACHE_STATE_HEADERS else value) for name, value in response.items()
    ]
    status = f"{response.status_code} {response.reason_phrase}"
    if response.status_code == 304:
        field, entry = "not-modified", _encode(status, headers, b"")
    else:
        last_modified = parse_http_date_safe(response.get("Last-Modified"))  # None when absent
        field = "page"
        entry = _encode(status, headers, response.content, response.get("ETag"), last_modified)
    key = f"{entry_key_head()}{version}:{digest}"
    with cache_redis().pipeline(transaction=False) as pipeline:
        pipeline.hset(key, field, entry)
        pipeline.expire(key, settings.PAGE_CACHE_SECONDS)
        pipeline.execute()


class StoreAnonymousPagesMiddleware:
    """Outermost middleware: keeps finished anonymous pages for the fast path; marks personal ones.

    The version is read before the view runs, as the page cache does: a page rendered while a
    change commits is kept under the version it may predate, which the bump has already retired.
    A response to a logged-in reader that says nothing about caching gets `Cache-Control:
    private`, so no shared cache keeps a page with someone's name on it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        inputs = request_inputs(request.META) if settings.PAGE_CACHE_SECONDS > 0 else None
        version = content_version() if inputs is not None else None
        response = self.get_response(request)
        if inputs is not None and storable(response, inputs[1]):
            store(version, inputs[0], response)
        if not response.has_header("Cache-Control"):  # checked first: it spares a session load
            user = getattr(request, "user", None)  # absent when a middleware answered before auth
            if user is not None and user.is_authenticated:
                response["Cache-Control"] = "private"
        return response
