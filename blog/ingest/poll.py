"""Polling one source: lock, conditional fetch, parse, store, and keep the fetch state."""

import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.cache import caches
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.connection import ConnectionProxy

from blog.models import Source

from . import messages
from .fetch import FetchError, fetch
from .parse import parse_feed
from .sources import DiscoveredFeed
from .store import IngestReport, store_entries

# Poll locks live on the state Redis: a cache evicting one would let two polls of a source overlap.
state = ConnectionProxy(caches, "state")

# The poll lock outlives the task's hard time limit by this much: by then the worker that held
# it has finished or been killed (Celery checks its limits about once a second).
LOCK_MARGIN_SECONDS = 10
MAX_BACKOFF = timedelta(hours=24)


@dataclass
class PollResult:
    """The outcome of polling one source."""

    source: Source
    status: str  # "stored", "not-modified", "gone", "failed", "skipped"
    report: IngestReport
    error: str = ""


def lock_key(source_id):
    return f"ingest-lock:{source_id}"


def lock_seconds():
    """How long a poll lock lives: the ingest task's hard time limit plus a margin.

    A worker killed mid-poll (by the hard limit, the OOM killer, a deploy) never releases its
    lock; this bounds how long its source then waits, and the lock still outlives any poll
    that is really running. A poll run outside Celery (`manage.py ingest --sync`) has no hard
    limit and may outlive its lock; a second poll alongside it is harmless, only wasteful.
    """
    return settings.INGEST_TASK_TIME_LIMIT + LOCK_MARGIN_SECONDS


def acquire_poll_lock(source_id):
    """Take the poll lock of `source_id`: a token to release it with, or None if it is held."""
    expires = time.time() + lock_seconds()
    token = f"{secrets.token_hex(8)} {expires:.0f}"
    return token if state.add(lock_key(source_id), token, timeout=lock_seconds()) else None


def release_poll_lock(source_id, token):
    """Release the lock if it is still ours (it may have expired and been taken since)."""
    if state.get(lock_key(source_id)) == token:
        state.delete(lock_key(source_id))


def lock_expires_at(source_id):
    """When the current holder's lock on `source_id` runs out, or None if nobody holds it."""
    token = state.get(lock_key(source_id)) or ""
    try:
        return datetime.fromtimestamp(int(token.split()[1]), tz=UTC)
    except (IndexError, ValueError):
        return None


def record_skip(source_id, now):
    """Record on the source that a poll was skipped for a held lock; returns the message.

    The source is due again when that lock runs out, so a poll killed with its worker delays
    the next one by no more than the lock's life (not by the beat's claim, nor silently).
    """
    expires = lock_expires_at(source_id) or now
    message = messages.POLL_SKIPPED % {
        "when": f"{timezone.localtime(now):%Y-%m-%d %H:%M:%S}",
        "until": f"{timezone.localtime(expires):%H:%M:%S}",
    }
    Source.objects.filter(pk=source_id).update(last_warning=message, next_poll_at=expires)
    return message


def next_poll_after_error(source, now):
    """Exponential back-off: the interval doubled per error in a row, at most a day."""
    delay = timedelta(minutes=source.poll_interval_minutes) * (2 ** min(source.consecutive_errors, 16))
    return now + min(delay, MAX_BACKOFF)


def record_failure(source, message, now):
    source.consecutive_errors += 1
    source.last_error = message[:2000]
    source.last_polled_at = now
    source.next_poll_at = next_poll_after_error(source, now)
    source.save(update_fields=["consecutive_errors", "last_error", "last_polled_at", "next_poll_at"])


def record_success(source, result, now, warning="", discovered=()):
    """Store a successful poll's fetch state, plus the `discovered` fields (title, site URL)."""
    source.consecutive_errors = 0
    source.last_error = ""
    source.last_warning = warning[:2000]
    source.last_polled_at = source.last_success_at = now
    source.next_poll_at = now + timedelta(minutes=source.poll_interval_minutes)
    # A 304 need not repeat the validators (python -m http.server sends none): keep those it
    # does not replace, or the next poll would download the whole feed again.
    if result.status != 304 or result.etag:
        source.etag = result.etag[:500]
    if result.status != 304 or result.last_modified:
        source.last_modified = result.last_modified[:100]
    fields = [
        "consecutive_errors", "last_error", "last_warning", "last_polled_at", "last_success_at",
        "next_poll_at", "etag", "last_modified", *discovered,
    ]  # fmt: skip
    if result.permanent_url and not Source.objects.filter(feed_url=result.permanent_url).exists():
        source.feed_url = result.permanent_url  # a 301: remember where the feed lives now
        fields.append("feed_url")
    try:
        with transaction.atomic():
            source.save(update_fields=fields)
    except IntegrityError:  # another source took that URL meanwhile; keep ours
        fields.remove("feed_url")
        source.save(update_fields=fields)


def poll_source(source_id):
    """Poll one source now, unless its lock is held (then "skipped", said on the source).

    At the task's soft time limit the poll stops and records that as its error, so one feed
    too slow to read cannot hold a worker, and its source backs off like any failing one.
    """
    now = timezone.now()
    token = acquire_poll_lock(source_id)
    if token is None:
        message = record_skip(source_id, now)
        return PollResult(Source.objects.filter(pk=source_id).first(), "skipped", IngestReport(), message)
    try:
        return _poll_locked(source_id)
    except SoftTimeLimitExceeded:
        if not connection.in_atomic_block:  # the limit may have struck mid-query: start afresh
            connection.close()
        source = Source.objects.get(pk=source_id)
        message = messages.POLL_STOPPED % {"seconds": settings.INGEST_TASK_SOFT_TIME_LIMIT}
        record_failure(source, message, now)
        return PollResult(source, "failed", IngestReport(), message)
    finally:
        release_poll_lock(source_id, token)


def _poll_locked(source_id):
    source = Source.objects.get(pk=source_id)
    now = timezone.now()
    report = IngestReport()
    try:
        result = fetch(source.feed_url, etag=source.etag, last_modified=source.last_modified)
    except FetchError as error:
        record_failure(source, str(error), now)
        return PollResult(source, "failed", report, str(error))
    if result.status == 410:
        source.is_active = False
        source.last_error = messages.FEED_GONE
        source.last_polled_at = now
        source.save(update_fields=["is_active", "last_error", "last_polled_at"])
        return PollResult(source, "gone", report, source.last_error)
    if result.status == 304:
        record_success(source, result, now, source.last_warning)
        return PollResult(source, "not-modified", report)
    parsed = parse_feed(result.body, result.headers.get("content-type", ""), result.url)
    if not parsed.is_feed:
        message = parsed.warning or messages.NOT_A_FEED
        record_failure(source, message, now)
        return PollResult(source, "failed", report, message)
    discovered = []
    # As add_source stores them: a plain-text title and an http(s) site URL, never the feed's raw.
    found = DiscoveredFeed.of(source.feed_url, parsed)
    if not source.title and found.title:
        source.title = found.title
        discovered.append("title")
    if not source.site_url and found.site_url:
        source.site_url = found.site_url
        discovered.append("site_url")
    report = store_entries(source, parsed.entries)
    warning = parsed.warning
    if report.failed:
        warning = "; ".join(
            filter(
                None,
                [warning, messages.ENTRIES_FAILED % {"count": len(report.failed), "first": report.failed[0]}],
            )
        )
    record_success(source, result, now, warning, discovered)
    return PollResult(source, "stored", report)
