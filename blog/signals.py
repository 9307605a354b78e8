"""Signal receivers: a committed change readers could see invalidates the page cache."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from .events import posts_created
from .models import Post, Series, Source, Tag, TaggedPost
from .page_cache import bump_content_version_on_commit

# What readers see of a source: its name and links beside its posts. Its fetch state changes on
# every poll and must not empty the page cache each minute.
SOURCE_FIELDS_READERS_SEE = {"title", "site_url", "feed_url", "is_active"}


@receiver(post_save, sender=Post)
@receiver(post_delete, sender=Post)
@receiver(post_save, sender=Series)
@receiver(post_delete, sender=Series)
@receiver(post_save, sender=Tag)
@receiver(post_delete, sender=Tag)
@receiver(post_save, sender=TaggedPost)
@receiver(post_delete, sender=TaggedPost)
@receiver(post_delete, sender=Source)
@receiver(posts_created, sender=Post)
def invalidate_pages(sender, **kwargs):
    bump_content_version_on_commit()


@receiver(post_save, sender=Source)
def invalidate_pages_on_source_change(sender, update_fields=None, **kwargs):
    if update_fields is None or SOURCE_FIELDS_READERS_SEE & set(update_fields):
        bump_content_version_on_commit()


@receiver(m2m_changed, sender=TaggedPost)
def invalidate_pages_on_tagging(sender, action, **kwargs):
    if action in {"post_add", "post_remove", "post_clear"}:
        bump_content_version_on_commit()
