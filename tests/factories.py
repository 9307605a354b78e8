"""Small factory functions for test data: explicit, no fixture files to drift."""

import itertools
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from blog.models import Post, Series

_numbers = itertools.count(1)


def make_user(username=None, **fields):
    """Return a saved user; staff and superuser flags come through `fields`."""
    username = username or f"user{next(_numbers)}"
    return get_user_model().objects.create_user(username=username, password="pw-for-tests-1", **fields)


def make_post(title=None, *, author=None, status=Post.Status.PUBLISHED, published_at=None, tags=(), **fields):
    """Return a saved post, published a minute ago unless told otherwise."""
    if published_at is None and status != Post.Status.DRAFT:
        published_at = timezone.now() - timedelta(minutes=1)
    post = Post.objects.create(
        title=title or f"Post {next(_numbers)}",
        author=author or make_user(),
        status=status,
        published_at=published_at,
        body=fields.pop("body", "Some text."),
        **fields,
    )
    if tags:
        post.tags.set(list(tags))
    return post


def make_series(title="DeepSeek 系列", **fields):
    """Return a saved series."""
    return Series.objects.create(title=title, **fields)
