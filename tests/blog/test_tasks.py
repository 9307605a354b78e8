"""Celery work of the blog: excerpts after commit, scheduled posts going live."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from blog.models import Post
from blog.tasks import fill_missing_excerpts, generate_excerpt, publish_due_posts
from tests.factories import make_post


def wait_for(predicate, seconds=30):
    """Poll `predicate` until it is true or `seconds` pass; returns its last value."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(0.1)
    return predicate()


def test_worker_stores_the_excerpt_after_the_post_is_committed(celery_worker):
    post = make_post("Excerpt me", body="第一段说明了要点。\n\n第二段展开。")
    assert wait_for(lambda: Post.objects.get(pk=post.pk).excerpt) == "第一段说明了要点。 第二段展开。"


@pytest.mark.django_db
def test_author_summary_wins_over_the_body():
    post = make_post(body="正文。", summary="作者写的摘要。")
    generate_excerpt(post.pk)
    post.refresh_from_db()
    assert post.excerpt == "作者写的摘要。"


@pytest.mark.django_db
def test_more_marker_ends_the_excerpt():
    post = make_post(body="开头一段。\n\n<!--more-->\n\n后面不该出现。")
    generate_excerpt(post.pk)
    generate_excerpt(post.pk)  # idempotent
    post.refresh_from_db()
    assert post.excerpt == "开头一段。"


@pytest.mark.django_db
def test_excerpt_task_for_a_deleted_post_is_harmless():
    post = make_post()
    post_id = post.pk
    post.delete()
    generate_excerpt(post_id)
    assert not Post.objects.filter(pk=post_id).exists()


@pytest.mark.django_db
def test_excerpts_lost_with_their_task_are_made_up_for():
    lost = make_post("Lost", body="这一段的摘要丢了。")
    kept = make_post("Kept", body="这一段有摘要。")
    empty = make_post("Empty", body="")
    generate_excerpt(kept.pk)
    Post.objects.filter(pk=lost.pk).update(excerpt="")
    assert fill_missing_excerpts() == 1
    assert Post.objects.get(pk=lost.pk).excerpt == "这一段的摘要丢了。"
    assert Post.objects.get(pk=empty.pk).excerpt == ""  # nothing to excerpt: not picked up again
    assert fill_missing_excerpts() == 0


@pytest.mark.django_db
def test_due_scheduled_posts_are_published_and_others_left_alone():
    due = make_post(status=Post.Status.SCHEDULED, published_at=timezone.now() - timedelta(seconds=5))
    later = make_post(status=Post.Status.SCHEDULED, published_at=timezone.now() + timedelta(hours=1))
    draft = make_post(status=Post.Status.DRAFT)
    assert publish_due_posts() == 1
    assert publish_due_posts() == 0
    statuses = dict(Post.objects.values_list("pk", "status"))
    assert statuses == {due.pk: "published", later.pk: "scheduled", draft.pk: "draft"}
