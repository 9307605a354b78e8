"""What a reader follows, and the published posts that follows bring them."""

from django.contrib.auth import get_user_model
from django.db.models import Q

from blog.models import Post, Series, Source, Tag, TaggedPost, with_published_posts

from .models import Follow

# The Post field that points at each kind of thing a reader may follow.
POST_FIELDS = {"tag": "tags", "series": "series", "author": "author", "source": "source"}


def followable(kind):
    """The tags, series, authors or sources (`kind`, one of Follow.TARGET_FIELDS) readers can see.

    Only those with published posts, as on their own pages: following one is the way to read its
    name on the following page, so anything else must look as if it did not exist. Authors are
    also active accounts, as on /authors/<username>/.
    """
    targets = {
        "tag": Tag.objects.all(),
        "series": Series.objects.all(),
        "author": get_user_model().objects.filter(is_active=True),
        "source": Source.objects.all(),
    }[kind]
    return with_published_posts(targets, POST_FIELDS[kind])


def visible_follows(user):
    """The follows of `user` whose tag, series, author or source readers can see now.

    A follow whose target has had every post unpublished since is kept (it comes back when
    something is published again) but left out, so its name is not read here either.
    """
    visible = Q()
    for kind in Follow.TARGET_FIELDS:
        visible |= Q(**{f"{kind}__in": followable(kind)})
    return Follow.objects.filter(user=user).filter(visible)


def followed_posts(user):
    """Published posts with a followed tag, in a followed series, by a followed author or from a
    followed source; an unordered queryset ready for keyset paging.

    Subqueries rather than joins, so a post matching several follows still appears once and no
    DISTINCT gets in the way of the timeline index.
    """
    follows = Follow.objects.filter(user=user)
    tagged = TaggedPost.objects.filter(tag_id__in=follows.filter(tag__isnull=False).values("tag_id")).values(
        "content_object_id"
    )
    return Post.objects.published().filter(
        Q(pk__in=tagged)
        | Q(series_id__in=follows.filter(series__isnull=False).values("series_id"))
        | Q(author_id__in=follows.filter(author__isnull=False).values("author_id"))
        | Q(source_id__in=follows.filter(source__isnull=False).values("source_id"))
    )


def bookmarked_posts(user):
    """Published posts `user` saved for later; unpublished ones stay saved but are not shown."""
    return Post.objects.published().filter(bookmarks__user=user)


def follow_ids(user):
    """Return {kind: set of followed ids} for `user`, in one query."""
    ids = {kind: set() for kind in Follow.TARGET_FIELDS}
    for row in Follow.objects.filter(user=user).values(*[f"{kind}_id" for kind in Follow.TARGET_FIELDS]):
        for kind in Follow.TARGET_FIELDS:
            if row[f"{kind}_id"] is not None:
                ids[kind].add(row[f"{kind}_id"])
    return ids
