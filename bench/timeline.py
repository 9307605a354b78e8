"""Print the timeline's median server time with many posts loaded, cold cache and warm cache.

Usage: python bench/timeline.py [--posts 100000] [--requests 200]

In-process through Django's full middleware stack (django.test.Client) with production
settings, in a database of the bench's own (<DATABASE_URL's name>_timelinebench), filled by
bench/generate_posts.py up to --posts. Cold: the page cache is invalidated before every
request, so each one runs its queries and renders, the filter control's choices included;
after a post change: invalidated as a change of posts does it (blog.signals), which stores
the choices for the new version, so the request renders the rest; warm: the same pages
served from Redis.
Pages are the first page and pages reached through deep cursors.
"""

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.database import bench_database_url
from bench.production import production_like_environment
from bench.report import report


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    options = parser.parse_args()

    bench_database_url("timelinebench", fresh=False)
    production_like_environment()
    import django

    django.setup()
    from django.test import Client

    from bench.generate_posts import generate_posts
    from blog.cursors import encode_cursor
    from blog.events import SENDER
    from blog.models import Post
    from blog.page_cache import bump_content_version
    from blog.signals import invalidate_pages_of_changed_posts

    shortfall = options.posts - Post.objects.count()
    if shortfall > 0:
        print(f"generating {shortfall:,} posts …", flush=True)
        generate_posts(shortfall, seed=5)
    live = Post.objects.published()
    total = live.count()
    rng = random.Random(3)
    # Deep cursors: the posts at random depths of the timeline, up to its very end.
    ordered = live.order_by("-published_at", "-id").only("id", "published_at")
    depths = sorted(rng.randrange(0, total) for _ in range(20))
    cursors = [encode_cursor(ordered[depth]) for depth in depths]
    urls = ["/"] * 10 + [f"/?before={cursor}" for cursor in cursors]

    client = Client()
    for url in urls:  # warm the code paths, template loaders and connections
        assert client.get(url).status_code == 200

    def timed(url, invalidate=None):
        cold = invalidate is not None
        if cold:
            invalidate()
        started = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, (url, response.status_code)
        assert response["X-Page-Cache"] == ("miss" if cold else "hit")
        return elapsed * 1000

    def after_a_post_change():
        invalidate_pages_of_changed_posts(sender=SENDER)

    cold = [timed(urls[i % len(urls)], bump_content_version) for i in range(options.requests)]
    changed = [timed(urls[i % len(urls)], after_a_post_change) for i in range(options.requests)]
    for url in urls:
        client.get(url)
    warm = [timed(urls[i % len(urls)]) for i in range(options.requests)]
    context = {"posts": Post.objects.count(), "published": total, "requests": options.requests}
    report("timeline", "timeline median server time, cold cache", statistics.median(cold), "ms", **context)
    after_change = statistics.median(changed)
    report("timeline", "timeline median server time, after a post change", after_change, "ms", **context)
    report("timeline", "timeline median server time, warm cache", statistics.median(warm), "ms", **context)
    report("timeline", "timeline p95 server time, cold cache", percentile(cold, 95), "ms", **context)


def percentile(values, percent):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(percent / 100 * (len(ordered) - 1)))]


if __name__ == "__main__":
    main()
