"""Fixtures of the search tests: the test corpus, indexed synchronously, and URLs with search."""

from datetime import timedelta

import pytest
from django.utils import timezone

from blog.models import Post
from search.indexing import reindex_all
from search.tokenize import get_segmenter
from tests.factories import make_series, make_user

from .corpus import HIDDEN_POSTS, POSTS


def create_posts(specs, author):
    """Save posts described by corpus dicts; returns {key: post}."""
    series = {}
    posts = {}
    now = timezone.now()
    for spec in specs:
        status = spec.get("status", Post.Status.PUBLISHED)
        published_at = None if status == Post.Status.DRAFT else now - timedelta(days=spec.get("days_ago", 1))
        series_title = spec.get("series")
        if series_title and series_title not in series:
            series[series_title] = make_series(series_title)
        post = Post.objects.create(
            title=spec["title"],
            body=spec["body"],
            author=author,
            status=status,
            published_at=published_at,
            language=spec.get("language", Post.Language.CHINESE),
            series=series.get(series_title),
        )
        post.tags.set(spec.get("tags", []))
        posts[spec["key"]] = post
    return posts


@pytest.fixture
def corpus(db):
    """The corpus posts plus a draft and a scheduled post, all indexed; returns {key: post}."""
    posts = create_posts(POSTS + HIDDEN_POSTS, make_user("corpus-author"))
    reindex_all()
    return posts


@pytest.fixture
def warm_segmenter(db):
    """Load the segmenter (and its dictionary query) before a test counts queries."""
    return get_segmenter()
