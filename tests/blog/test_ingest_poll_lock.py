"""A worker killed mid-poll holds its source up only until the task's hard limit has passed,
and every poll it blocks meanwhile says so on the source."""

import time
from datetime import timedelta

import pytest
import redis
from django.core.cache import caches
from django.utils import timezone

from blog.ingest.poll import LOCK_MARGIN_SECONDS, acquire_poll_lock, lock_key, poll_source
from blog.models import Post, Source
from blog.tasks import ingest_source
from tests.blog.feed_samples import entries, rss
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def lock_ttl(source_id, settings):
    """Seconds Redis still keeps the poll lock of `source_id` (-2: no such key)."""
    client = redis.Redis.from_url(settings.CACHES["state"]["LOCATION"])
    return client.ttl(caches["state"].make_and_validate_key(lock_key(source_id)))


def test_the_lock_lives_as_long_as_the_tasks_hard_limit_plus_a_margin(settings):
    source = Source.objects.create(feed_url="https://feeds.example.com/a.xml")
    acquire_poll_lock(source.pk)
    assert ingest_source.time_limit == settings.INGEST_TASK_TIME_LIMIT
    assert ingest_source.soft_time_limit == settings.INGEST_TASK_SOFT_TIME_LIMIT < ingest_source.time_limit
    expected = ingest_source.time_limit + LOCK_MARGIN_SECONDS
    assert expected - 2 <= lock_ttl(source.pk, settings) <= expected


def test_a_poll_after_a_killed_worker_is_skipped_visibly_then_runs_when_the_lock_is_gone(
    httpserver, settings, client
):
    settings.INGEST_ALLOW_PRIVATE = True
    settings.INGEST_TASK_TIME_LIMIT = 1  # so that this test waits seconds, not minutes
    httpserver.expect_request("/feed.xml").respond_with_data(
        rss(entries(2)), content_type="application/rss+xml"
    )
    source = Source.objects.create(feed_url=httpserver.url_for("/feed.xml"))
    acquire_poll_lock(source.pk)  # a worker took the lock as a poll does, and was killed
    assert 1 + LOCK_MARGIN_SECONDS - 2 <= lock_ttl(source.pk, settings) <= 1 + LOCK_MARGIN_SECONDS

    skipped = poll_source(source.pk)
    assert skipped.status == "skipped" and "was skipped" in skipped.error
    source.refresh_from_db()
    assert "was skipped: another poll of this source held its lock" in source.last_warning
    # Due again as soon as the lock runs out, not whenever the beat's claim lapses.
    lock_gone = timezone.now() + timedelta(seconds=1 + LOCK_MARGIN_SECONDS + 1)
    assert timezone.now() < source.next_poll_at < lock_gone
    assert not Post.objects.exists() and len(httpserver.log) == 0
    client.force_login(make_user("editor", is_staff=True, is_superuser=True))
    # In English; the Chinese admin shows it in Chinese (test_ingest_messages).
    page = client.get(f"/admin/blog/source/{source.pk}/change/", HTTP_ACCEPT_LANGUAGE="en").text
    assert "was skipped: another poll of this source held its lock" in page

    deadline = time.monotonic() + 1 + LOCK_MARGIN_SECONDS + 2
    while lock_ttl(source.pk, settings) != -2 and time.monotonic() < deadline:
        time.sleep(0.2)
    ran = poll_source(source.pk)
    assert ran.status == "stored" and len(ran.report.created) == 2
    source.refresh_from_db()
    assert source.last_warning == ""
