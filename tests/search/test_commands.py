"""manage.py reindex."""

from io import StringIO

import pytest
from django.core.management import call_command

from blog.models import Post
from search.models import SearchDocument
from tests.factories import make_post

pytestmark = pytest.mark.django_db


def test_reindex_builds_documents_for_live_posts_and_drops_drafts():
    published = make_post("Reindexed aardvark", body="aardvark")
    draft = make_post("Draft aardvark", status=Post.Status.DRAFT)
    SearchDocument.objects.create(post=draft, vector="'aardvark':1A", text="")
    out = StringIO()
    call_command("reindex", "--chunk-size", "1", stdout=out)
    assert "Indexed 1 posts" in out.getvalue()
    assert "[" in out.getvalue() and "1/1 posts" in out.getvalue()
    assert list(SearchDocument.objects.values_list("post_id", flat=True)) == [published.pk]


def test_reindex_with_worker_processes_gives_the_same_documents():
    posts = [
        make_post(f"并行索引 {number}", body=f"倒排索引第 {number} 篇", tags=["检索"]) for number in range(5)
    ]
    call_command("reindex", stdout=StringIO())
    single = dict(SearchDocument.objects.values_list("post_id", "vector"))
    SearchDocument.objects.all().delete()
    call_command("reindex", "--workers", "2", "--chunk-size", "2", stdout=StringIO())
    assert dict(SearchDocument.objects.values_list("post_id", "vector")) == single
    assert len(single) == len(posts)
