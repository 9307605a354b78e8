"""The blog's one change event: `posts_changed`, announced by every write of posts, sent after commit.

Every write path of posts (save, the batch insert of ingestion, publish, unpublish, publishing
due posts, deletion, tagging, re-rendering and excerpt rebuilds) calls `announce_posts_changed`
with the ids it wrote and what changed. Whatever is derived from posts subscribes to the one
signal instead of to each write: the excerpt task and the page cache (blog.signals) and the
search index (search.signals). Nothing is sent for a transaction that rolls back, and what is
sent names committed rows, so a subscriber's task that re-reads them sees what was written.

Models import this module, never a task: the receivers that enqueue tasks live in the apps'
signals modules, connected when the apps are ready.
"""

import logging

from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger(__name__)

# What changed, in `what` (a frozenset of these):
CONTENT = "content"  # what a post says or how it is rendered: excerpt, index and pages follow
VISIBILITY = "visibility"  # status or publication time: the index and pages follow
LABELS = "labels"  # tags or series: the index and pages follow
EXCERPT = "excerpt"  # only the stored excerpt: pages follow
DELETED = "deleted"  # the posts are gone: the index (cascade did it) and pages follow

SENDER = "blog.Post"

# Sent with `post_ids` (sorted, distinct) and `what`.
posts_changed = Signal()


def announce_posts_changed(post_ids, what):
    """Send `posts_changed` for `post_ids` once the current transaction commits (at once outside one).

    A receiver that fails (a broker down, say) is logged, not raised: the write is committed
    by then, and the beat jobs that catch up on excerpts and documents make up for the loss.
    """
    ids = sorted({int(post_id) for post_id in post_ids})
    if not ids:
        return
    what = frozenset(what)

    def send():
        for receiver, outcome in posts_changed.send_robust(sender=SENDER, post_ids=ids, what=what):
            if isinstance(outcome, Exception):
                logger.error("posts_changed receiver %r failed", receiver, exc_info=outcome)

    transaction.on_commit(send)
