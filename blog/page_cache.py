"""Whole-page cache in Redis for readers who are not logged in.

Every cached page is keyed by a site-wide content version. Any committed change that a reader
could see (a post saved, published, unpublished or deleted, an excerpt stored, a series or tag
renamed) bumps the version, so the next request renders afresh: nobody sees a deleted post or a
stale excerpt for longer than the commit takes. Old entries simply expire.
"""

import hashlib
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language

VERSION_KEY = "content-version"
# Part of every page key: bump it when the shape of a cached entry changes, so a deploy never
# reads entries written by the previous release.
ENTRY_FORMAT = 2


def content_version():
    """Return the current content version (creating it on first use)."""
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, 1, timeout=None)
        version = cache.get(VERSION_KEY, 1)
    return version


def bump_content_version():
    """Invalidate every cached page now."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # the key was evicted or never set
        cache.add(VERSION_KEY, 1, timeout=None)
        cache.incr(VERSION_KEY)


def bump_content_version_on_commit():
    """Invalidate every cached page once the current transaction commits (at once outside one)."""
    transaction.on_commit(bump_content_version)


def page_key(request, version):
    """The cache key of this request's page: content version, UI language and full path."""
    path = hashlib.blake2b(request.get_full_path().encode(), digest_size=16).hexdigest()
    return f"page{ENTRY_FORMAT}:{version}:{get_language()}:{path}"


def cached_for_readers(view):
    """Serve `view`'s successful GET responses from Redis for anonymous readers."""
    return _cached(view, logged_in_too=False)


def cached_for_everyone(view):
    """Serve `view`'s successful GET responses from Redis for every reader, logged in or not.

    Only for views whose answer does not depend on who asks (the search API's JSON): there a
    session would otherwise be a way around the cache, making every request a fresh query.
    """
    return _cached(view, logged_in_too=True)


def _cached(view, *, logged_in_too):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if (
            settings.PAGE_CACHE_SECONDS <= 0
            or request.method not in {"GET", "HEAD"}
            or (request.user.is_authenticated and not logged_in_too)
        ):
            return view(request, *args, **kwargs)
        key = page_key(request, content_version())
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
        return response

    return wrapper
