"""Celery tasks of the blog: each takes primary keys, re-reads rows and is idempotent."""

from celery import shared_task

from .excerpts import make_excerpt
from .models import Post
from .page_cache import bump_content_version_on_commit


@shared_task
def generate_excerpt(post_id):
    """Store the excerpt of post `post_id`; a missing post (deleted meanwhile) is not an error."""
    post = Post.objects.filter(pk=post_id).first()
    if post is None:
        return
    excerpt = make_excerpt(post)
    # update() rather than save(): no re-render, no new task, and a concurrent editor's
    # other fields are left alone.
    if Post.objects.filter(pk=post_id).exclude(excerpt=excerpt).update(excerpt=excerpt):
        bump_content_version_on_commit()


@shared_task
def publish_due_posts():
    """Flip scheduled posts whose time has come to published; returns how many changed."""
    return Post.objects.publish_due()
