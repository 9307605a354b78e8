"""Celery tasks of search: each takes primary keys, re-reads rows and is idempotent.

Search pages are cached like every reader page, under the content version. The version is
bumped when posts change (blog.events) and once more here when documents change, since the index
catches up after the post's commit and a search page cached in between would be stale.
"""

from celery import shared_task
from django.conf import settings

from blog.models import Post
from blog.page_cache import bump_content_version_on_commit

from . import indexing, vocabulary
from .tokenize import get_segmenter


@shared_task
def refresh_documents(post_ids):
    """Bring the documents of posts `post_ids` up to date (removing those of drafts and deleted
    posts); returns how many posts are indexed. Named apart from indexing.index_posts, the
    function it calls, so a caller never enqueues one when it means the other."""
    indexed = indexing.index_posts(post_ids)
    bump_content_version_on_commit()
    return len(indexed)


@shared_task
def index_posts_in_series(series_id):
    """Re-index the posts of series `series_id`, whose title is part of their documents."""
    indexing.index_posts(Post.objects.filter(series_id=series_id).values_list("pk", flat=True))
    bump_content_version_on_commit()


@shared_task
def index_posts_with_tag(tag_id):
    """Re-index the posts carrying tag `tag_id`, whose name is part of their documents."""
    indexing.index_posts(Post.objects.filter(tags__id=tag_id).values_list("pk", flat=True))
    bump_content_version_on_commit()


@shared_task(
    soft_time_limit=settings.REINDEX_TASK_SOFT_TIME_LIMIT, time_limit=settings.REINDEX_TASK_TIME_LIMIT
)
def reindex_all_posts():
    """Rebuild every document, e.g. after the domain dictionary changed; returns how many."""
    get_segmenter(recheck=True)  # the new dictionary, before the first document
    count = indexing.reindex_all()
    bump_content_version_on_commit()
    return count


@shared_task
def sync_search_index():
    """Index live posts that have no document and drop drafts' documents.

    A safety net, run from beat: every write of posts announces itself (blog.events), so this
    finds work only when an announcement was lost (a broker down at the commit, a worker killed
    before its task ran) or a post was changed by hand in SQL.
    """
    changes = {"indexed": indexing.index_missing_documents(), "removed": indexing.remove_stale_documents()}
    if any(changes.values()):
        bump_content_version_on_commit()
    return changes


@shared_task
def rebuild_search_vocabulary():
    """Recount the words search corrections are drawn from, dropping those no visible post holds.

    New words are added as documents are written (search.indexing); this only prunes and
    recounts, so it can run rarely (hourly from beat).
    """
    return vocabulary.rebuild_vocabulary()
