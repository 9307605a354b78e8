"""Print requests/second for /feeds/latest.atom served warm, and the median time of a cold build.

Usage: python bench/feeds.py [--posts 100000] [--requests 3000] [--builds 40]

In-process: requests go through Django's test client, i.e. the whole middleware stack and URL
routing with production settings, but no HTTP server or socket. The database is the bench's own
(<DATABASE_URL's name>_feedsbench, kept between runs), filled up to --posts with
bench/generate_posts.py (no search documents). Figures:

- warm: the built feed is in Redis (one GET for the content version, one for the feed);
- warm 304: the same, answered with 304 Not Modified to a reader that sends If-None-Match;
- cold build: the content version has just been bumped (as by a publish), so the feed is built
  again from PostgreSQL; the items' rendered HTML is still cached, as it is after a real publish
  (only the new post needs rendering);
- fully cold: nothing in Redis, every item's Markdown rendered again (after a deploy that
  changes the renderer, or a Redis flush).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.database import bench_database_url
from bench.generate_posts import generate_posts
from bench.production import production_like_environment
from bench.report import report

bench_database_url("feedsbench", fresh=False)
production_like_environment()
os.environ.setdefault("CACHE_KEY_PREFIX", "inkstone-feedsbench")

import django

django.setup()

from django.core.cache import cache
from django.test import Client

from blog.feeds import item_cache_key
from blog.models import Post
from blog.page_cache import bump_content_version

FEED = "/feeds/latest.atom"


def fill_database(target):
    """Add generated posts until the database holds `target`; returns where they came from."""
    have = Post.objects.count()
    if have < target:
        print(f"Adding {target - have} posts (have {have}) …", flush=True)
        generate_posts(target - have, seed=5, no_index=True)
    return "generate_posts"


def timed_get(client, path, **headers):
    """Return (seconds, response) of one GET."""
    started = time.perf_counter()
    response = client.get(path, headers=headers)
    return time.perf_counter() - started, response


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=100_000, help="posts in the database (default 100000)")
    parser.add_argument("--requests", type=int, default=3000, help="warm requests to time")
    parser.add_argument("--builds", type=int, default=40, help="cold builds to time")
    options = parser.parse_args()

    origin = fill_database(options.posts)
    client = Client()
    total = Post.objects.count()
    live = Post.objects.published().count()
    newest = list(Post.objects.published().order_by("-published_at", "-id")[:20])
    average_body = round(sum(len(post.body) for post in newest) / max(len(newest), 1))
    size = {"posts": total, "published": live, "data": origin, "feed_items": len(newest)}
    print(
        f"{os.cpu_count()} cores; {total} posts ({live} published, from {origin}); the feed's 20 bodies "
        f"average {average_body} characters of Markdown. In-process (Django test client), DEBUG off.",
        flush=True,
    )

    response = client.get(FEED)
    assert response.status_code == 200, response.status_code
    etag = response["ETag"]

    # Warm: served from Redis.
    for _ in range(50):
        client.get(FEED)
    started = time.perf_counter()
    for _ in range(options.requests):
        client.get(FEED)
    elapsed = time.perf_counter() - started
    report("feeds", "warm /feeds/latest.atom", options.requests / elapsed, "requests/s", **size)

    started = time.perf_counter()
    for _ in range(options.requests):
        assert client.get(FEED, headers={"if-none-match": etag}).status_code == 304
    elapsed = time.perf_counter() - started
    report("feeds", "warm /feeds/latest.atom answered 304", options.requests / elapsed, "requests/s", **size)

    # Cold: a publish bumped the version; item HTML is still cached.
    timings = []
    for _ in range(options.builds):
        bump_content_version()
        seconds, response = timed_get(client, FEED)
        assert response["X-Feed-Cache"] == "miss"
        timings.append(seconds * 1000)
    report("feeds", "cold build, item HTML cached (median)", statistics.median(timings), "ms", **size)

    # Fully cold: every item rendered from Markdown again.
    item_keys = [item_cache_key(post) for post in newest]
    timings = []
    for _ in range(max(options.builds // 4, 5)):
        bump_content_version()
        cache.delete_many(item_keys)
        seconds, response = timed_get(client, FEED)
        timings.append(seconds * 1000)
    report("feeds", "fully cold build, 20 items rendered (median)", statistics.median(timings), "ms", **size)


if __name__ == "__main__":
    main()
