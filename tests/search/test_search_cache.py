"""Cached search pages catch up when the index does, not only when the post commits."""

import pytest

from search.tasks import refresh_documents
from tests.factories import make_post

pytestmark = pytest.mark.django_db


def test_indexing_a_post_refreshes_cached_search_pages(client, settings, django_capture_on_commit_callbacks):
    settings.PAGE_CACHE_SECONDS = 600
    post = make_post("梯度检查点", body="用计算换显存的梯度检查点。")  # committed, not yet indexed
    before = client.get("/search/", {"q": "梯度检查点"})
    assert before["X-Page-Cache"] == "miss" and post.get_absolute_url() not in before.text
    assert client.get("/search/", {"q": "梯度检查点"})["X-Page-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        refresh_documents([post.pk])  # what the worker runs after the post's commit
    after = client.get("/search/", {"q": "梯度检查点"})
    assert after["X-Page-Cache"] == "miss"
    assert post.get_absolute_url() in after.text
