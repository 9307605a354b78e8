"""Cached pages for anonymous readers, invalidated as soon as a visible change commits."""

import pytest

from blog.models import Post
from blog.tasks import generate_excerpt
from tests.factories import make_post, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 600


def test_second_visit_is_served_from_redis_without_sql(client, django_assert_num_queries):
    make_post("倒排索引")
    assert client.get("/")["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        response = client.get("/")
    assert response["X-Page-Cache"] == "hit"
    assert "倒排索引" in response.text


def test_unpublishing_removes_the_post_from_the_cached_timeline(client, django_capture_on_commit_callbacks):
    post = make_post("Soon a draft again")
    assert "Soon a draft again" in client.get("/").text
    with django_capture_on_commit_callbacks(execute=True):
        Post.objects.filter(pk=post.pk).unpublish()
    response = client.get("/")
    assert response["X-Page-Cache"] == "miss"
    assert "Soon a draft again" not in response.text
    assert client.get(post.get_absolute_url()).status_code == 404


def test_deleting_a_post_removes_it_from_cached_pages(client, django_capture_on_commit_callbacks):
    post = make_post("Deleted soon", tags=["搜索"])
    url = post.get_absolute_url()
    assert client.get(url).status_code == 200
    assert "Deleted soon" in client.get("/tags/sou-suo/").text
    with django_capture_on_commit_callbacks(execute=True):
        post.delete()
    assert client.get(url).status_code == 404
    assert client.get("/").text.count("Deleted soon") == 0


def test_a_new_excerpt_replaces_the_cached_one(client, django_capture_on_commit_callbacks):
    post = make_post("Excerpted", body="旧的摘要。")
    generate_excerpt(post.pk)
    assert "旧的摘要。" in client.get("/").text
    with django_capture_on_commit_callbacks(execute=True):
        post.body = "新的摘要。"
        post.save()
        generate_excerpt(post.pk)
    text = client.get("/").text
    assert "新的摘要。" in text and "旧的摘要。" not in text


def test_an_edit_rolled_back_does_not_invalidate(client, django_capture_on_commit_callbacks):
    make_post("Stable")
    client.get("/")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        make_post("Never committed")
    assert callbacks  # the bump waits for a commit that, here, never comes
    assert client.get("/")["X-Page-Cache"] == "hit"


def test_logged_in_readers_are_never_served_cached_pages(client):
    make_post("Public")
    client.get("/")
    client.force_login(make_user())
    response = client.get("/")
    assert "X-Page-Cache" not in response
    assert "Public" in response.text


def test_each_language_has_its_own_cached_page(client):
    make_post("Bilingual")
    english = client.get("/", headers={"accept-language": "en"})
    chinese = client.get("/", headers={"accept-language": "zh-hans"})
    assert english["X-Page-Cache"] == chinese["X-Page-Cache"] == "miss"
    assert client.get("/", headers={"accept-language": "en"})["Content-Language"] == "en"


def test_cached_json_keeps_its_content_type(client):
    make_post("倒排索引")
    first = client.get("/search/api/", {"q": "倒排索引"})
    second = client.get("/search/api/", {"q": "倒排索引"})
    assert second["X-Page-Cache"] == "hit"
    assert second["Content-Type"] == first["Content-Type"] == "application/json"
    assert second.json() == first.json()
