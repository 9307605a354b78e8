"""Polling one source: lock, conditional fetch, parse, store, and keep the fetch state."""

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

from blog.models import Source

from .fetch import FetchError, fetch
from .parse import parse_feed
from .store import IngestReport, store_entries

LOCK_SECONDS = 600  # longer than a fetch (30 s) plus storing a large feed
MAX_BACKOFF = timedelta(hours=24)


@dataclass
class PollResult:
    """The outcome of polling one source."""

    source: Source
    status: str  # "stored", "not-modified", "gone", "failed", "busy"
    report: IngestReport
    error: str = ""


def lock_key(source_id):
    return f"ingest-lock:{source_id}"


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
    source.etag = result.etag[:500]
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
    """Poll one source now, unless another worker is already polling it (then "busy")."""
    token = secrets.token_hex(8)
    if not cache.add(lock_key(source_id), token, timeout=LOCK_SECONDS):
        source = Source.objects.filter(pk=source_id).first()
        return PollResult(source, "busy", IngestReport())
    try:
        return _poll_locked(source_id)
    finally:
        if cache.get(lock_key(source_id)) == token:
            cache.delete(lock_key(source_id))


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
        source.last_error = "HTTP 410 Gone: the feed was removed, so the source was deactivated."
        source.last_polled_at = now
        source.save(update_fields=["is_active", "last_error", "last_polled_at"])
        return PollResult(source, "gone", report, source.last_error)
    if result.status == 304:
        record_success(source, result, now, source.last_warning)
        return PollResult(source, "not-modified", report)
    parsed = parse_feed(result.body, result.headers.get("content-type", ""), result.url)
    if not parsed.is_feed:
        message = "The address did not return an RSS or Atom feed."
        record_failure(source, message, now)
        return PollResult(source, "failed", report, message)
    discovered = []
    if not source.title and parsed.title:
        source.title = parsed.title
        discovered.append("title")
    if not source.site_url and parsed.site_url:
        source.site_url = parsed.site_url
        discovered.append("site_url")
    report = store_entries(source, parsed.entries)
    warning = parsed.warning
    if report.failed:
        warning = "; ".join(
            filter(None, [warning, f"{len(report.failed)} entries failed: {report.failed[0]}"])
        )
    record_success(source, result, now, warning, discovered)
    return PollResult(source, "stored", report)
