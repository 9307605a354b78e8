"""Whole-page cache in Redis for readers who are not logged in, and the content version behind it.

Every cached page is keyed by a site-wide content version. Any committed change that a reader
could see (a post saved, published, unpublished or deleted, an excerpt stored, a series or tag
renamed) bumps the version, so the next request renders afresh: nobody sees a deleted post or a
stale excerpt for longer than the commit takes. Old entries simply expire.

Where the version lives (the Redis roles):

- Its source of truth is a counter in the *state* Redis, `STATE_REDIS_URL` (REDIS_URL when that
  setting is absent): a Redis that never evicts. If the counter were evicted and restarted at 1,
  pages cached under versions 1, 2, … long ago would be reachable again.
- Pages live in the *cache* (CACHES["default"], which may be a Redis of its own with LRU
  eviction). Beside them sits a mirror of the version, so that one round trip to the cache Redis
  reads the version and a page stamped with the version it was built at (blog.anonymous_pages
  does it with one MGET, and serves the page only when its stamp is the mirror's version).
- A bump increments the truth, then raises the mirror to it. The mirror only ever rises (a Lua
  max), so a slow bump finishing after a faster one cannot lower it. When the cache evicts the
  mirror, the next reader finds no version there, takes the full stack, and content_version()
  re-seeds the mirror from the truth: an eviction costs one slower request, never an old page.
- A counter missing from the state Redis (first start, or a state Redis flushed by hand) starts
  at the clock in microseconds, not at 1: above every version it could have handed out before,
  so even a lost counter never makes old entries reachable again.
"""

import hashlib
import time
from functools import wraps

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.http import HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import get_language

# Part of every page key: bump it when the shape of a cached entry changes, so a deploy never
# reads entries written by the previous release.
ENTRY_FORMAT = 3

# In the state Redis: seed a missing counter from the clock, then increment it.
_BUMP = """
if redis.call('EXISTS', KEYS[1]) == 0 then redis.call('SET', KEYS[1], ARGV[1]) end
return redis.call('INCR', KEYS[1])
"""
# In the state Redis: the counter, seeded from the clock when missing.
_READ = """
local version = redis.call('GET', KEYS[1])
if not version then redis.call('SET', KEYS[1], ARGV[1]); version = ARGV[1] end
return tonumber(version)
"""
# In the cache Redis: raise the mirror to ARGV[1] unless it is already higher; return the mirror.
_RAISE_MIRROR = """
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local version = tonumber(ARGV[1])
if version > current then redis.call('SET', KEYS[1], ARGV[1]); return version end
return current
"""

_clients = {}


def redis_at(url):
    """Return a redis-py client for `url`, one per URL and process (its pool reconnects after a fork)."""
    client = _clients.get(url)
    if client is None:
        client = _clients[url] = redis.Redis.from_url(url)
        client.bump_script = client.register_script(_BUMP)
        client.read_script = client.register_script(_READ)
        client.raise_mirror_script = client.register_script(_RAISE_MIRROR)
    return client


def state_redis():
    """Return the client of the Redis that never evicts (the content version's truth)."""
    return redis_at(getattr(settings, "STATE_REDIS_URL", settings.REDIS_URL))


def cache_redis():
    """Return the client of the Redis behind CACHES["default"] (pages and the version's mirror)."""
    location = settings.CACHES["default"]["LOCATION"]
    if isinstance(location, list | tuple):
        location = location[0]
    return redis_at(location.split(",")[0])


def key_prefix():
    """Return the cache's KEY_PREFIX: every key of ours starts with it (tests give each its own)."""
    return settings.CACHES["default"].get("KEY_PREFIX", "")


def version_key():
    """Return the key of the version's truth in the state Redis."""
    return f"{key_prefix()}:content-version"


def version_mirror_key():
    """Return the key of the version's mirror in the cache Redis."""
    return f"{key_prefix()}:content-version-mirror"


def _clock_seed():
    return str(time.time_ns() // 1000)


def content_version():
    """Return the current content version: the mirror beside the pages, re-seeded when evicted."""
    mirrored = cache_redis().get(version_mirror_key())
    if mirrored is not None:
        return int(mirrored)
    truth = state_redis().read_script(keys=[version_key()], args=[_clock_seed()])
    return int(cache_redis().raise_mirror_script(keys=[version_mirror_key()], args=[truth]))


def change_position_key():
    """Return the key of the primary's WAL position when content last changed (state Redis)."""
    return f"{key_prefix()}:content-change-lsn"


def content_change_position():
    """Return the primary's WAL position at the last content change ("0/0" before any), as text.

    A read replica that has replayed this far shows every change a reader was promised
    (config.db_routers checks it before a public read goes there).
    """
    position = state_redis().get(change_position_key())
    return position.decode() if position else "0/0"


def bump_content_version():
    """Invalidate every cached page now.

    The WAL position is kept before the version moves: a reader who sees the new version also
    finds a position at least as far, so a page rendered from a replica that has not replayed
    the change can never be stored under the new version.
    """
    if "replica" in connections.settings:  # a read replica (config.db_routers) reads this
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_lsn()::text")
            state_redis().set(change_position_key(), cursor.fetchone()[0])
    truth = state_redis().bump_script(keys=[version_key()], args=[_clock_seed()])
    cache_redis().raise_mirror_script(keys=[version_mirror_key()], args=[truth])


def bump_content_version_on_commit():
    """Invalidate every cached page once the current transaction commits (at once outside one)."""
    transaction.on_commit(bump_content_version)


def page_key(request, version):
    """The cache key of this request's page: content version, scheme, host, UI language and full path.

    The host takes part because pages may carry it (the search API's absolute URLs): a page built
    for one host name must not be served to another.
    """
    path = hashlib.blake2b(request.get_full_path().encode(), digest_size=16).hexdigest()
    host = hashlib.blake2b(request.get_host().encode(), digest_size=8).hexdigest()
    return f"page{ENTRY_FORMAT}:{version}:{request.scheme}:{host}:{get_language()}:{path}"


def shared_cache_control(response):
    """Let shared caches (a CDN, nginx) keep `response` briefly: the same for every anonymous reader.

    s-maxage bounds how long a shared cache may show a page after a change (a removed post
    included) without asking again; stale-while-revalidate lets it answer with the old copy while
    it fetches the new one. Browsers get no max-age: a reader's own reload always asks.
    """
    patch_cache_control(
        response,
        public=True,
        s_maxage=settings.SHARED_CACHE_SECONDS,
        stale_while_revalidate=settings.SHARED_CACHE_STALE_SECONDS,
    )


def cached_for_readers(view):
    """Serve `view`'s successful GET responses from Redis for anonymous readers.

    Such responses are also marked for blog.anonymous_pages, which keeps the finished response
    (after every middleware) and answers the next reader without a cookie before Django runs.
    """
    return _cached(view, logged_in_too=False)


def cached_for_everyone(view):
    """Serve `view`'s successful GET responses from Redis for every reader, logged in or not.

    Only for views whose answer does not depend on who asks (the search API's JSON): there a
    session would otherwise be a way around the cache, making every request a fresh query.
    Never answered ahead of Django: such a view may count requests (the search API's rate limit).
    """
    return _cached(view, logged_in_too=True)


def _cached(view, *, logged_in_too):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        anonymous = not request.user.is_authenticated
        if (
            settings.PAGE_CACHE_SECONDS <= 0
            or request.method not in {"GET", "HEAD"}
            or not (anonymous or logged_in_too)
        ):
            return view(request, *args, **kwargs)
        # The outermost middleware read the version before anything ran (blog.anonymous_pages):
        # reuse it rather than ask Redis twice; an earlier read is never a staler key.
        version = getattr(request, "content_version", None) or content_version()
        key = page_key(request, version)
        cached = cache.get(key)
        if cached is not None:
            content, content_type = cached
            response = HttpResponse(content, content_type=content_type)
            response["X-Page-Cache"] = "hit"
        else:
            response = view(request, *args, **kwargs)
            if response.status_code == 200 and not response.streaming and not response.cookies:
                cached = (response.content, response["Content-Type"])
                cache.set(key, cached, timeout=settings.PAGE_CACHE_SECONDS)
            response["X-Page-Cache"] = "miss"
        patch_vary_headers(response, ["Cookie"])
        if anonymous and response.status_code == 200:
            shared_cache_control(response)
            if not logged_in_too:
                response.for_anonymous_readers = True
        return response

    return wrapper
