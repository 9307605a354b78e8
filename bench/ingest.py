"""Print feed-ingestion throughput end to end, and the time of an all-304 second pass.

Usage: python bench/ingest.py [--feeds 200] [--entries 50] [--workers 2]

A local ThreadingHTTPServer serves the feeds (with ETags, so a second request gets 304);
real Celery worker processes on the configured Redis poll them. The first figure counts
entries from the first enqueue until every post is stored, rendered, excerpted (and
indexed, when the search app indexes posts); the second times a pass where every feed
answers 304. Runs in a database of its own (<DATABASE_URL's name>_ingestbench).
"""

import argparse
import hashlib
import os
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.database import bench_database_url
from bench.report import report

BODY_TEMPLATE = (
    "<h2>第 {n} 节</h2><p>本文讨论注意力机制中的 \\(QK^\\top / \\sqrt{{d_k}}\\) 缩放，以及 "
    "<img class='ztext-math' data-tex='\\mathrm{{softmax}}(x)_i'> 的数值稳定性。</p>"
    "<p>$$\\mathcal{{L}} = -\\sum_i y_i \\log p_i$$</p><ol><li>计算 logits；</li><li>减去最大值；</li></ol>"
    "<pre><code class='language-python'>def softmax(x):\n    e = np.exp(x - x.max())\n"
    "    return e / e.sum()\n</code></pre>"
    "<p>More text with a <a href='/ref/{n}'>reference</a> and Qwen1.5-7B-Chat.</p>"
)


def feed_document(feed, entries):
    items = "".join(
        f"<item><title>Feed {feed} entry {n}：数值稳定的 softmax</title>"
        f"<link>http://feeds.local/{feed}/{n}</link><guid>feed-{feed}-entry-{n}</guid>"
        f"<description><![CDATA[{BODY_TEMPLATE.format(n=n)}]]></description></item>"
        for n in range(entries)
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Feed {feed}</title>'
        f"<link>http://feeds.local/{feed}/</link><description>bench</description>{items}</channel></rss>"
    ).encode()


def serve_feeds(feeds, entries):
    """Start a threaded HTTP server with `feeds` feeds; returns (server, base URL)."""
    documents = {f"/{feed}.xml": feed_document(feed, entries) for feed in range(feeds)}
    etags = {path: f'"{hashlib.md5(body).hexdigest()}"' for path, body in documents.items()}  # noqa: S324

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body = documents.get(self.path)
            if body is None:
                self.send_error(404)
                return
            if self.headers.get("If-None-Match") == etags[self.path]:
                self.send_response(304)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
            self.send_header("ETag", etags[self.path])
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def start_workers(count, queue):
    environment = {**os.environ, "INGEST_ALLOW_PRIVATE": "true", "CELERY_TASK_DEFAULT_QUEUE": queue}
    command = [
        sys.executable, "-m", "celery", "-A", "config", "worker", "--concurrency", "1", "--queues", queue,
        "--loglevel", "warning", "--without-gossip", "--without-mingle", "--without-heartbeat",
    ]  # fmt: skip
    return [
        subprocess.Popen([*command, "--hostname", f"bench{index}@%h"], cwd=ROOT, env=environment)
        for index in range(count)
    ]


def wait_until(predicate, timeout, label):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise SystemExit(f"timed out waiting for {label}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--entries", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    options = parser.parse_args()

    bench_database_url("ingestbench")
    queue = f"ingestbench-{os.getpid()}"
    os.environ["CELERY_TASK_DEFAULT_QUEUE"] = queue
    os.environ["INGEST_ALLOW_PRIVATE"] = "true"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.apps import apps

    from blog.models import Post, Source
    from blog.tasks import ingest_source
    from config.celery import app

    app.conf.task_default_queue = queue
    try:  # "indexed" is part of end to end once the search app keeps a document per post
        search_documents = apps.get_model("search", "SearchDocument")
    except LookupError:
        search_documents = None

    server, base = serve_feeds(options.feeds, options.entries)
    sources = Source.objects.bulk_create(
        Source(feed_url=f"{base}/{feed}.xml", title=f"Feed {feed}") for feed in range(options.feeds)
    )
    total = options.feeds * options.entries
    workers = start_workers(options.workers, queue)
    try:
        time.sleep(3)  # let the workers connect before the clock starts
        started = time.perf_counter()
        for source in sources:
            ingest_source.delay(source.pk)

        def all_done():
            if Post.objects.exclude(excerpt="").count() < total:
                return False
            return search_documents is None or search_documents.objects.count() >= total

        wait_until(all_done, 1800, "the first pass")
        first = time.perf_counter() - started
        stored = Post.objects.count()
        second_started_at = time.time()
        started = time.perf_counter()
        for source in sources:
            ingest_source.delay(source.pk)
        polled_again = Source.objects.filter(last_polled_at__gte=_aware(second_started_at))
        wait_until(lambda: polled_again.count() == len(sources), 600, "the 304 pass")
        second = time.perf_counter() - started
        assert Post.objects.count() == stored, "the 304 pass created posts"
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            worker.wait(timeout=30)
        server.shutdown()
    context = {"feeds": options.feeds, "entries": total, "workers": options.workers}
    indexed = "stored+rendered+excerpted" + ("+indexed" if search_documents is not None else "")
    report("ingest", f"entries ingested per second ({indexed})", total / first, "entries/s", **context)
    report("ingest", "second pass, every feed 304", second, "s", **context)


def _aware(timestamp):
    from datetime import UTC, datetime

    return datetime.fromtimestamp(timestamp, tz=UTC)


if __name__ == "__main__":
    main()
