"""Signal receivers of the blog: Django's model signals become `posts_changed`, and what follows it.

Writes that Django announces per row (a post deleted, a post's tags changed) are turned into the
blog's one change event here; the excerpt task and the page cache subscribe to that event. A
committed change readers could see of a series, tag or source invalidates the page cache too.
"""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from .events import CONTENT, DELETED, EXCERPT, LABELS, announce_posts_changed, posts_changed
from .models import Post, Series, Source, Tag, TaggedPost
from .tag_ranking import recount_soon
from .tasks import generate_excerpts, recount_tag_ranking
from .timeline_filters import invalidate_pages

# What readers see of a source: its name and links beside its posts. Its fetch state changes on
# every poll and must not empty the page cache each minute.
SOURCE_FIELDS_READERS_SEE = {"title", "site_url", "feed_url", "is_active"}


@receiver(posts_changed)
def excerpt_changed_posts(sender, post_ids, what, **kwargs):
    """What a post says changed: its excerpt is made again, by a worker."""
    if CONTENT in what:
        generate_excerpts.delay(post_ids)


# Connected before the page cache's receiver: the ranking is counted before pages are rebuilt.
@receiver(posts_changed)
def recount_tags_of_changed_posts(sender, post_ids, what, **kwargs):
    """Posts changed (a save or a batch insert may bring tags, and may hide or show them): the
    most used tags are counted again. Only excerpts changing moves nothing."""
    if what - {EXCERPT}:
        recount_soon(lambda countdown: recount_tag_ranking.apply_async(countdown=countdown), len(post_ids))


@receiver(posts_changed)
def invalidate_pages_of_changed_posts(sender, **kwargs):
    invalidate_pages()  # posts_changed is sent after commit


@receiver(post_delete, sender=Post)
def announce_deleted_post(sender, instance, **kwargs):
    announce_posts_changed([instance.pk], {DELETED})


@receiver(m2m_changed, sender=TaggedPost)
def announce_tagging(sender, instance, action, reverse, pk_set, **kwargs):
    """Tags were added to or removed from posts: those posts' labels changed.

    Only m2m_changed, not TaggedPost's own post_save/post_delete: taggit sends this for every
    change through `post.tags`, while the rows' deletes come again, one announcement a row, when
    a post or tag is deleted (already announced, or re-indexed by search's tag receivers).
    """
    if action not in {"post_add", "post_remove", "pre_clear", "post_clear"}:
        return
    if not reverse:
        if action != "pre_clear":
            announce_posts_changed([instance.pk], {LABELS})
        return
    # A tag's posts changed: pk_set holds post ids, except for clear, where we ask before it.
    if action == "pre_clear":
        instance._cleared_post_ids = set(instance.tagged_posts.values_list("content_object_id", flat=True))
    elif action == "post_clear":
        announce_posts_changed(getattr(instance, "_cleared_post_ids", ()), {LABELS})
    else:
        announce_posts_changed(pk_set or (), {LABELS})


@receiver(post_save, sender=Series)
@receiver(post_delete, sender=Series)
@receiver(post_save, sender=Tag)
@receiver(post_delete, sender=Tag)
@receiver(post_delete, sender=Source)
def invalidate_pages_after_commit(sender, **kwargs):
    transaction.on_commit(invalidate_pages)


@receiver(post_save, sender=Source)
def invalidate_pages_on_source_change(sender, update_fields=None, **kwargs):
    if update_fields is None or SOURCE_FIELDS_READERS_SEE & set(update_fields):
        transaction.on_commit(invalidate_pages)
