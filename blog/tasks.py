"""Celery tasks of the blog: each takes primary keys, re-reads rows and is idempotent."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from . import tag_ranking, websub
from .excerpts import EXCERPT_FIELDS, store_excerpts
from .ingest.poll import poll_source
from .models import Post, Source
from .timeline_filters import invalidate_pages

# How long a source claimed by poll_due_sources stays claimed if its poll never runs.
CLAIM_FOR = timedelta(minutes=10)
# Ingestion reads outside input: however a feed behaves, its task ends within these limits (the
# soft one lets the poll record why it stopped; the hard one kills the worker process).
INGEST_TIME_LIMITS = {
    "soft_time_limit": settings.INGEST_TASK_SOFT_TIME_LIMIT,
    "time_limit": settings.INGEST_TASK_TIME_LIMIT,
}


# Excerpt tasks are acknowledged late (run again if their worker dies): each recomputes the
# excerpt from the stored HTML and writes it over the old one, so a second run stores the same.
@shared_task(acks_late=True, reject_on_worker_lost=True)
def generate_excerpt(post_id):
    """Store the excerpt of post `post_id`; a missing post (deleted meanwhile) is not an error."""
    return generate_excerpts([post_id])


@shared_task(acks_late=True, reject_on_worker_lost=True)
def generate_excerpts(post_ids):
    """Store the excerpts of posts `post_ids` (a batch from ingestion); returns how many changed.

    Posts deleted meanwhile are skipped.
    """
    return store_excerpts(Post.objects.filter(pk__in=post_ids).only(*EXCERPT_FIELDS))


@shared_task(acks_late=True)
def fill_missing_excerpts(limit=500):
    """Excerpt posts that have none, e.g. when a worker died between a commit and its task.

    A post excerpted before plain-text excerpts existed (empty excerpt_text) counts as having
    none, so an upgraded site fills them in even if nobody runs rebuild_excerpts.

    Run from beat every few minutes; returns how many excerpts were stored.
    """
    post_ids = list(
        Post.objects.filter(Q(excerpt="") | Q(excerpt_text=""))
        .exclude(body_html="", summary="")
        .values_list("pk", flat=True)[:limit]
    )
    return generate_excerpts(post_ids) if post_ids else 0


@shared_task
def recount_tag_ranking():
    """Count the most used tags again; if the ranking moved, cached pages follow it.

    Enqueued at the end of a recount interval (blog.tag_ranking.recount_soon) and run from beat
    as a safety net. Returns True when the ranking changed.
    """
    kept = tag_ranking.kept_ranking()
    counted = tag_ranking.count_tag_ranking()
    changed = kept is None or counted["generation"] != kept["generation"]
    if changed:
        invalidate_pages()
    return changed


@shared_task
def publish_due_posts():
    """Flip scheduled posts whose time has come to published; returns how many changed."""
    return Post.objects.publish_due()


# Ingestion is acknowledged late too. Running poll_due_sources twice enqueues nothing twice
# (the claim under SKIP LOCKED); running ingest_source twice stores nothing twice: entries are
# upserted by (source, guid), the poll lock keeps a second poll of the source from overlapping,
# and a killed poll leaves no half-made post (each batch is one transaction).
@shared_task(acks_late=True, **INGEST_TIME_LIMITS)
def poll_due_sources():
    """Enqueue a poll for every due source; returns how many were enqueued.

    The due rows are claimed (their next poll pushed ahead) under SKIP LOCKED, so two beats
    or an overlapping run never enqueue the same source twice; the poll sets the real time.
    """
    with transaction.atomic():
        due = list(
            Source.objects.due().select_for_update(skip_locked=True).values_list("pk", flat=True)[:1000]
        )
        Source.objects.filter(pk__in=due).update(next_poll_at=timezone.now() + CLAIM_FOR)
    for source_id in due:
        transaction.on_commit(lambda source_id=source_id: ingest_source.delay(source_id))
    return len(due)


@shared_task(acks_late=True, reject_on_worker_lost=True, **INGEST_TIME_LIMITS)
def ingest_source(source_id):
    """Poll one source and store its new or changed entries; returns a one-line summary."""
    result = poll_source(source_id)
    return f"{result.status}: {result.report.summary()}"


@shared_task(
    autoretry_for=(OSError, websub.HubPingFailed),
    retry_backoff=30,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=8,
)
def ping_websub_hub(feed_url):
    """Tell the WebSub hub that the feed at `feed_url` changed; retried with backoff for ~4 hours."""
    websub.ping_hub(feed_url)


@shared_task
def notify_websub_hub():
    """Enqueue a hub ping for each feed changed since the last run (beat, every minute); returns how many."""
    feed_urls = websub.feeds_to_announce()
    for feed_url in feed_urls:
        transaction.on_commit(lambda feed_url=feed_url: ping_websub_hub.delay(feed_url))
    return len(feed_urls)
