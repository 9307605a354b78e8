"""One feed cannot hold a worker: a real prefork worker stops a poll at the soft time limit,
records why on its source, and goes on to the next source."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

from blog.models import Post, Source
from blog.tasks import ingest_source
from tests.blog.feed_samples import entries, rss

SOFT_LIMIT = 2  # seconds; the big feed below takes feedparser several times as long


@pytest.fixture
def prefork_worker(transactional_db, settings):
    """A `celery worker --pool=prefork` process of its own on this test's database and queue,
    with short ingestion time limits; yields the queue name."""
    queue = f"inkstone-test-limits-{uuid.uuid4().hex}"
    database = connection.settings_dict
    environment = {
        **os.environ,
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "REDIS_URL": settings.CACHES["default"]["LOCATION"],
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "INGEST_ALLOW_PRIVATE": "true",
        "INGEST_TOTAL_TIMEOUT": "1.5",
        "INGEST_TASK_SOFT_TIME_LIMIT": str(SOFT_LIMIT),
        "INGEST_TASK_TIME_LIMIT": "30",
        "DEBUG": "true",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=prefork", "--concurrency=1",
         "-Q", queue, "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=WARNING"],
        env=environment, cwd=Path(__file__).resolve().parents[2],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        yield queue
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def test_a_feed_too_big_to_read_in_time_is_stopped_and_the_worker_moves_on(prefork_worker, httpserver):
    huge = rss(entries(8_000)).encode()  # about 2 MB: feedparser needs several times SOFT_LIMIT
    httpserver.expect_request("/huge.xml").respond_with_data(huge, content_type="application/rss+xml")
    httpserver.expect_request("/small.xml").respond_with_data(
        rss(entries(2, "small")), content_type="application/rss+xml"
    )
    big = Source.objects.create(feed_url=httpserver.url_for("/huge.xml"), poll_interval_minutes=30)
    small = Source.objects.create(feed_url=httpserver.url_for("/small.xml"))
    # A task message carries the limits of the process that sends it (here, this one's defaults).
    limits = {"soft_time_limit": SOFT_LIMIT, "time_limit": 30, "queue": prefork_worker}
    started = time.monotonic()
    ingest_source.apply_async((big.pk,), **limits)
    ingest_source.apply_async((small.pk,), **limits)  # waits for the same worker process

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and Post.objects.filter(source=small).count() < 2:
        time.sleep(0.2)
    assert Post.objects.filter(source=small).count() == 2
    big.refresh_from_db()
    assert f"The poll was stopped after {SOFT_LIMIT} s (INGEST_TASK_SOFT_TIME_LIMIT)" in big.last_error
    assert big.consecutive_errors == 1 and not Post.objects.filter(source=big).exists()
    assert (big.next_poll_at - big.last_polled_at).total_seconds() == 60 * 60  # backs off
    assert time.monotonic() - started < 45
