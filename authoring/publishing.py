"""A post's way to readers: submitted for review, published, scheduled, unpublished.

Admin actions, the change form and management commands call these functions; none of them
re-implements a step. Each checks who may do it (authoring.roles), writes through blog's
queryset methods (which announce posts_changed after the commit), closes the review request a
live post no longer needs, and keeps a revision naming who did it and what. Scheduled posts
go live by the clock (blog.tasks.publish_due_posts → Post.objects.publish_due), with no one
acting, so that step stays in blog.
"""

import reversion
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from blog.events import VISIBILITY, announce_posts_changed
from blog.models import Post

from .models import ReviewRequest
from .roles import can_publish

# Revision comments are stored untranslated and shown through gettext in the history, so each
# editor reads them in their own language.
PUBLISHED_COMMENT = gettext_noop("Published")
UNPUBLISHED_COMMENT = gettext_noop("Unpublished")
SCHEDULED_COMMENT = gettext_noop("Scheduled")


class ReviewError(ValueError):
    """The post cannot enter review as it is (it is not a draft)."""


def require_publisher(user):
    """Raise PermissionDenied unless `user` may make posts live."""
    if not can_publish(user):
        raise PermissionDenied(_("You may not publish posts: submit them for review instead."))


def submit_for_review(post, by):
    """Ask an editor to publish the draft `post`; returns its ReviewRequest (one per post)."""
    if post.status != Post.Status.DRAFT:
        raise ReviewError(_("Only a draft can be submitted for review; this post is already live."))
    request, _created = ReviewRequest.objects.update_or_create(post=post, defaults={"requested_by": by})
    return request


def awaiting_review(posts):
    """The drafts among `posts` whose author submitted them for review."""
    return posts.filter(review_request__isnull=False, status=Post.Status.DRAFT)


def close_review_if_live(post):
    """Drop the review request of `post` once it is live (published or scheduled by a save)."""
    if post.status != Post.Status.DRAFT:
        ReviewRequest.objects.filter(post=post).delete()


def publish(posts, by):
    """Publish the queryset `posts` now (keeping a publication time already set); returns how many."""
    require_publisher(by)
    with transaction.atomic():
        count = posts.publish()
        ReviewRequest.objects.filter(post__in=posts).delete()
        record_revisions(posts, by, PUBLISHED_COMMENT)
    return count


def unpublish(posts, by):
    """Turn the queryset `posts` back into drafts; returns how many."""
    require_publisher(by)
    with transaction.atomic():
        count = posts.unpublish()
        record_revisions(posts, by, UNPUBLISHED_COMMENT)
    return count


def schedule(posts, when, by):
    """Schedule the queryset `posts` to go live at `when` (beat publishes them); returns how many."""
    require_publisher(by)
    with transaction.atomic():
        post_ids = list(posts.values_list("pk", flat=True))
        count = Post.objects.filter(pk__in=post_ids).update(status=Post.Status.SCHEDULED, published_at=when)
        ReviewRequest.objects.filter(post_id__in=post_ids).delete()
        record_revisions(Post.objects.filter(pk__in=post_ids), by, SCHEDULED_COMMENT)
        announce_posts_changed(post_ids, {VISIBILITY})
    return count


def record_revisions(posts, by, comment):
    """Touch updated_at (so open editors see a conflict) and keep a revision of each post."""
    posts.update(updated_at=Now())
    with reversion.create_revision(atomic=False):
        reversion.set_user(by)
        reversion.set_comment(comment)
        for post in posts:
            reversion.add_to_revision(post)
