"""Signal receivers that queue re-indexing after commit; connected in SearchConfig.ready().

Posts are followed through the blog's one change event (blog.events.posts_changed); series and
tags, whose names are part of their posts' documents, through their own model signals.

Receivers only queue work: the task re-reads the post, so a rolled-back change queues nothing
and a queued task always indexes what was committed.
"""

from django.db import transaction

from blog.events import EXCERPT

from .dictionary import bump_dictionary_version


def _after_commit(task, *args):
    transaction.on_commit(lambda: task.delay(*args))


def posts_changed(sender, post_ids, what, **kwargs):
    """Posts were written (blog.events): refresh their documents, in one task.

    Only their excerpts changing leaves the documents as they are.
    """
    from .tasks import refresh_documents

    if what - {EXCERPT}:
        refresh_documents.delay(list(post_ids))  # posts_changed is sent after commit


def series_saved(sender, instance, created, **kwargs):
    """A series was renamed (or created): refresh the documents of its posts."""
    from .tasks import index_posts_in_series

    if not created:
        _after_commit(index_posts_in_series, instance.pk)


def series_deleting(sender, instance, **kwargs):
    """A series is about to be deleted: its posts lose its title, refresh them afterwards."""
    from .tasks import refresh_documents

    _after_commit(refresh_documents, list(instance.posts.values_list("pk", flat=True)))


def tag_saved(sender, instance, created, **kwargs):
    """A tag was renamed: refresh the documents of the posts carrying it."""
    from .tasks import index_posts_with_tag

    if not created:
        _after_commit(index_posts_with_tag, instance.pk)


def tag_deleting(sender, instance, **kwargs):
    """A tag is about to be deleted: refresh the posts that carried it afterwards."""
    from .tasks import refresh_documents

    _after_commit(refresh_documents, list(instance.tagged_posts.values_list("content_object_id", flat=True)))


def dictionary_changed(sender, **kwargs):
    """A domain word was added, changed or removed: new segmenters everywhere, then a full reindex."""
    from .tasks import reindex_all_posts

    transaction.on_commit(bump_dictionary_version)
    _after_commit(reindex_all_posts)
