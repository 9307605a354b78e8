"""Signal receivers that queue re-indexing after commit; connected in SearchConfig.ready().

Receivers only queue work: the task re-reads the post, so a rolled-back change queues nothing
and a queued task always indexes what was committed.
"""

from django.db import transaction

from .dictionary import bump_dictionary_version


def _after_commit(task, *args):
    transaction.on_commit(lambda: task.delay(*args))


def post_changed(sender, instance, **kwargs):
    """A post was saved or deleted: refresh its document."""
    from .tasks import index_post

    _after_commit(index_post, instance.pk)


def posts_created(sender, post_ids, **kwargs):
    """Posts were inserted in bulk (feed ingestion): index them in one task."""
    from .tasks import index_posts

    _after_commit(index_posts, list(post_ids))


def post_tags_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """Tags were added to or removed from posts: refresh the documents of those posts."""
    from .tasks import index_post

    if action not in {"post_add", "post_remove", "post_clear", "pre_clear"}:
        return
    if not reverse:
        if action != "pre_clear":
            _after_commit(index_post, instance.pk)
        return
    # A tag's posts changed: pk_set holds post ids, except for clear, where we ask before it.
    if action == "pre_clear":
        pk_set = set(instance.tagged_posts.values_list("content_object_id", flat=True))
        instance._search_cleared_post_ids = pk_set
    elif action == "post_clear":
        pk_set = getattr(instance, "_search_cleared_post_ids", set())
    for post_id in pk_set or ():
        _after_commit(index_post, post_id)


def series_saved(sender, instance, created, **kwargs):
    """A series was renamed (or created): refresh the documents of its posts."""
    from .tasks import index_posts_in_series

    if not created:
        _after_commit(index_posts_in_series, instance.pk)


def series_deleting(sender, instance, **kwargs):
    """A series is about to be deleted: its posts lose its title, refresh them afterwards."""
    from .tasks import index_post

    for post_id in instance.posts.values_list("pk", flat=True):
        _after_commit(index_post, post_id)


def tag_saved(sender, instance, created, **kwargs):
    """A tag was renamed: refresh the documents of the posts carrying it."""
    from .tasks import index_posts_with_tag

    if not created:
        _after_commit(index_posts_with_tag, instance.pk)


def tag_deleting(sender, instance, **kwargs):
    """A tag is about to be deleted: refresh the posts that carried it afterwards."""
    from .tasks import index_post

    for post_id in instance.tagged_posts.values_list("content_object_id", flat=True):
        _after_commit(index_post, post_id)


def dictionary_changed(sender, **kwargs):
    """A domain word was added, changed or removed: new segmenters everywhere, then a full reindex."""
    from .tasks import reindex_all_posts

    transaction.on_commit(bump_dictionary_version)
    _after_commit(reindex_all_posts)
