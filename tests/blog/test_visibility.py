"""Drafts and future posts are invisible to the public on every page, list and count."""

from datetime import timedelta

import pytest
from django.utils import timezone

from blog.models import Post
from tests.factories import make_post, make_series, make_user

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = ["/", "/archive/", "/tags/hidden/", "/series/s/", "/authors/writer/"]


@pytest.fixture
def hidden_posts():
    author = make_user("writer")
    series = make_series("S", slug="s")
    future = timezone.now() + timedelta(days=1)
    return [
        make_post("Secret draft", author=author, status=Post.Status.DRAFT, tags=["hidden"], series=series),
        make_post(
            "Future scheduled", author=author, status=Post.Status.SCHEDULED, published_at=future,
            tags=["hidden"], series=series,
        ),
        make_post(
            "Future published", author=author, status=Post.Status.PUBLISHED, published_at=future,
            tags=["hidden"], series=series,
        ),
    ]  # fmt: skip


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_lists_do_not_show_hidden_posts(client, hidden_posts, url):
    response = client.get(url)
    # With nothing live, tag/series/author pages are 404 rather than empty shells.
    assert response.status_code in {200, 404}
    for post in hidden_posts:
        assert post.title not in response.text


def test_hidden_posts_are_404_for_readers(client, hidden_posts):
    for post in hidden_posts:
        assert client.get(post.get_absolute_url()).status_code == 404


def test_archive_counts_only_live_posts(client, hidden_posts):
    make_post("Live", published_at=timezone.now() - timedelta(days=1))
    response = client.get("/archive/")
    assert [row["count"] for row in response.context["years"]] == [1]


def test_scheduled_post_appears_once_its_time_has_come(client):
    post = make_post(
        "Scheduled", status=Post.Status.SCHEDULED, published_at=timezone.now() + timedelta(hours=1)
    )
    assert client.get(post.get_absolute_url()).status_code == 404
    Post.objects.filter(pk=post.pk).update(published_at=timezone.now() - timedelta(seconds=1))
    assert client.get(post.get_absolute_url()).status_code == 200
    assert "Scheduled" in client.get("/").text


def test_staff_can_view_a_draft_with_a_banner(client, hidden_posts):
    editor = make_user("editor", is_staff=True, is_superuser=True)
    client.force_login(editor)
    response = client.get(hidden_posts[0].get_absolute_url(), headers={"accept-language": "en"})
    assert response.status_code == 200
    assert "Draft — only staff can see this page." in response.text
    assert '<meta name="robots" content="noindex">' in response.text


def test_staff_without_post_permission_cannot_view_drafts(client, hidden_posts):
    client.force_login(make_user("intern", is_staff=True))
    assert client.get(hidden_posts[0].get_absolute_url()).status_code == 404


def test_series_navigation_skips_unpublished_parts(client):
    series = make_series("S", slug="s")
    first = make_post("Part one", series=series, series_order=1)
    make_post("Draft part", series=series, series_order=2, status=Post.Status.DRAFT)
    third = make_post("Part three", series=series, series_order=3)
    response = client.get(first.get_absolute_url())
    assert response.context["next_in_series"] == third
    assert "Draft part" not in response.text
    assert len(response.context["series_posts"]) == 2


def test_the_python_predicate_and_the_queryset_agree_on_every_status_and_time():
    from blog.visibility import Status, is_visible

    now = timezone.now()
    author = make_user("every-state")
    posts = []
    for status in Status:
        for when in (now - timedelta(days=1), now + timedelta(days=1), None):
            if when is None and status != Status.DRAFT:
                continue  # the database refuses a live post without a time
            posts.append(make_post(f"{status} {when}", author=author, status=status, published_at=when))
    visible_in_python = {post.pk for post in posts if post.is_live}
    assert visible_in_python == set(Post.objects.published().values_list("pk", flat=True))
    assert visible_in_python == {post.pk for post in posts if is_visible(post.status, post.published_at, now)}
    assert len(visible_in_python) == 2  # published and scheduled, both with their time come


def test_the_database_triggers_use_the_live_statuses_of_the_visibility_module():
    import re

    from django.db import connection

    from blog.visibility import LIVE_STATUSES_SQL

    with connection.cursor() as cursor:
        cursor.execute("SELECT prosrc FROM pg_proc WHERE proname = 'search_document_visibility'")
        [source] = cursor.fetchone()
    assert re.findall(r"status IN (\([^)]*\))", source) == [LIVE_STATUSES_SQL]
