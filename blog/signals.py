"""Signal receivers: a committed change readers could see invalidates the page cache."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from .models import Post, Series, Source, Tag, TaggedPost
from .page_cache import bump_content_version_on_commit


@receiver(post_save, sender=Post)
@receiver(post_delete, sender=Post)
@receiver(post_save, sender=Series)
@receiver(post_delete, sender=Series)
@receiver(post_save, sender=Tag)
@receiver(post_delete, sender=Tag)
@receiver(post_save, sender=TaggedPost)
@receiver(post_delete, sender=TaggedPost)
@receiver(post_save, sender=Source)
@receiver(post_delete, sender=Source)
def invalidate_pages(sender, **kwargs):
    bump_content_version_on_commit()


@receiver(m2m_changed, sender=TaggedPost)
def invalidate_pages_on_tagging(sender, action, **kwargs):
    if action in {"post_add", "post_remove", "post_clear"}:
        bump_content_version_on_commit()
