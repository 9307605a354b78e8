"""The ceiling: the fastest a cached page can be served here, by a WSGI app that does nothing else.

Usage: gunicorn bench.ceiling:application (bench/load.py starts it under the same gunicorn
settings as Inkstone and measures both in one run), or `python bench/ceiling.py --seed` to
store the page first.

Each request costs one Redis GET of a 40 KB page and one write of it to the socket: no routing,
no middleware, no headers beyond a content type. Any Python web app answering a cached page
from Redis pays at least this, so bench/load.py reports Inkstone's routes as a share of it, a
figure that holds from machine to machine where raw requests per second do not.
"""

import argparse
import os
import sys

import redis

PAGE_KEY = "bench-ceiling:page"
PAGE_BYTES = 40 * 1024

_client = None


def redis_url():
    """Return the Redis the ceiling reads: the same REDIS_URL Inkstone's cache uses."""
    return os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")


def seed_page(url=None):
    """Store the 40 KB page the ceiling serves (an HTML-ish body, mostly Chinese, like a post)."""
    paragraph = "<p>注意力机制把查询与键的相似度变成权重，再对值加权求和。Attention weights values.</p>\n"
    body = ("<!doctype html><html><body>\n" + paragraph * PAGE_BYTES).encode()[:PAGE_BYTES]
    redis.Redis.from_url(url or redis_url()).set(PAGE_KEY, body)
    return len(body)


def application(environ, start_response):
    """Answer every request with the cached page, or 503 when it was never stored."""
    global _client
    if _client is None:  # one connection pool per worker process, made after the fork
        _client = redis.Redis.from_url(redis_url())
    body = _client.get(PAGE_KEY)
    if body is None:
        start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
        return [b"run bench/ceiling.py --seed first\n"]
    headers = [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))]
    start_response("200 OK", headers)
    return [body]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", action="store_true", help="Store the 40 KB page in REDIS_URL.")
    options = parser.parse_args()
    if options.seed:
        print(f"stored {seed_page():,} bytes under {PAGE_KEY} in {redis_url()}")
    else:
        parser.print_help(sys.stdout)


if __name__ == "__main__":
    main()
