"""WebSub (https://www.w3.org/TR/websub/): tell the hub in WEBSUB_HUB which feeds changed.

Posts go live by three roads: a save in the admin, a bulk publish (a queryset update that sends
no signal) and the clock (a scheduled post whose time comes, flipped by publish_due_posts).
The one thing all of them do is bump the content version on commit, so a beat task compares
that version with the one it last announced and, when it moved, pings the hub for the site's
feeds and the tag, series and author feeds of the posts changed since. One ping per feed URL,
each its own retried task; a ping is idempotent, so a duplicate only costs the hub a fetch.
"""

import urllib.error
import urllib.request
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.core.cache import caches
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.connection import ConnectionProxy

from .absolute_urls import absolute_url
from .models import Post
from .page_cache import content_version

# The last announcement lives on the state Redis: evicted, every feed would be announced again.
state = ConnectionProxy(caches, "state")

STATE_KEY = "websub:announced"
# Past this many changed posts (a bulk edit), only the site-wide feeds are announced.
MAX_POSTS_PER_ANNOUNCEMENT = 100
PING_TIMEOUT_SECONDS = 10


class HubPingFailed(Exception):
    """The hub failed a publish ping in a way worth retrying (5xx, 408, 429)."""


class HubRejectedPing(Exception):
    """The hub refused a publish ping for good (another 4xx): retrying would not help."""


RETRYABLE_STATUSES = {408, 425, 429}


def site_feed_urls():
    """Return the absolute URLs of the site-wide feeds."""
    return [absolute_url(reverse(f"blog:latest_feed_{kind}")) for kind in ("atom", "rss", "json")]


def scoped_feed_urls(posts):
    """Return the absolute URLs of the tag, series and author feeds that `posts` appear in."""
    urls = []
    for post in posts:
        scopes = [("author", {"username": post.author.username})]
        scopes += [("tag", {"slug": tag.slug}) for tag in post.tags.all()]
        if post.series_id:
            scopes.append(("series", {"slug": post.series.slug}))
        for scope, kwargs in scopes:
            for kind in ("atom", "rss", "json"):
                urls.append(absolute_url(reverse(f"blog:{scope}_feed_{kind}", kwargs=kwargs)))
    return urls


def feeds_changed_since(since):
    """Return feed URLs to announce for changes after `since` (None: only the site-wide feeds).

    A post counts as changed if it was saved, or went live, after `since`; the site-wide feeds
    are always included, because a removal leaves no trace to find the post by.
    """
    urls = site_feed_urls()
    if since is not None:
        posts = (
            Post.objects.published()
            .filter(Q(updated_at__gt=since) | Q(published_at__gt=since))
            .select_related("author", "series")
            .prefetch_related("tags")
            .order_by("-updated_at")[: MAX_POSTS_PER_ANNOUNCEMENT + 1]
        )
        posts = list(posts)
        if len(posts) <= MAX_POSTS_PER_ANNOUNCEMENT:
            urls += scoped_feed_urls(posts)
    return list(dict.fromkeys(urls))


def feeds_to_announce():
    """Return the feed URLs changed since the last announcement, and remember this one.

    Empty when no hub is configured or the content version has not moved. The time recorded
    is taken before the query, so a change committed meanwhile is announced next time too.
    """
    if not settings.WEBSUB_HUB:
        return []
    version = content_version()
    announced = state.get(STATE_KEY)
    if announced is not None and announced["version"] == version:
        return []
    now = timezone.now()
    urls = feeds_changed_since(announced["at"] if announced else None)
    state.set(STATE_KEY, {"version": version, "at": now}, timeout=None)
    return urls


def ping_hub(feed_url, hub_url=None):
    """POST a publish ping for `feed_url` to the hub; raise HubPingFailed or OSError when worth a retry."""
    hub_url = hub_url or settings.WEBSUB_HUB
    if urlsplit(hub_url).scheme not in {"http", "https"}:
        raise ValueError(f"WEBSUB_HUB must be an http(s) URL, not {hub_url!r}.")
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked just above
        hub_url,
        data=urlencode({"hub.mode": "publish", "hub.url": feed_url}).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded", "User-Agent": settings.SITE_NAME},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=PING_TIMEOUT_SECONDS) as response:  # noqa: S310
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    if 200 <= status < 300:
        return
    message = f"The WebSub hub {hub_url} answered {status} to the ping for {feed_url}."
    if status >= 500 or status in RETRYABLE_STATUSES:
        raise HubPingFailed(message)
    raise HubRejectedPing(message + " Check WEBSUB_HUB.")
