"""The benchmarks' data: generated posts that look like real ones and are searchable."""

from io import StringIO

import pytest

from bench.generate_posts import generate_posts
from blog.models import Post
from search.models import SearchDocument
from search.query import parse_query
from search.results import search_posts

pytestmark = pytest.mark.django_db


def test_generate_posts_creates_searchable_posts():
    out = StringIO()
    assert generate_posts(60, seed=3, workers=1, stdout=out) == 60
    assert "Created 60 posts" in out.getvalue()
    assert Post.objects.filter(slug__startswith="generated-").count() == 60
    live = Post.objects.filter(slug__startswith="generated-", status__in=Post.LIVE_STATUSES).count()
    assert SearchDocument.objects.count() == live
    sizes = [len(body.encode()) for body in Post.objects.values_list("body_html", flat=True)]
    assert min(sizes) >= 900 and max(sizes) <= 10000
    results = search_posts(parse_query("索引"))
    assert results.total > 0
