"""What shared caches (a CDN, nginx) are told: anonymous pages and feeds are public for a short
while, a logged-in reader's pages are private, and each host has its own cached pages."""

import pytest

from search.indexing import index_posts
from tests.factories import make_post, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 600
    settings.SHARED_CACHE_SECONDS = 45
    settings.SHARED_CACHE_STALE_SECONDS = 15


def directives(response):
    return {part.strip() for part in response["Cache-Control"].split(",")}


def test_anonymous_pages_may_be_kept_briefly_by_shared_caches(client):
    post = make_post("Public", tags=["检索"])
    for path in ["/", post.get_absolute_url(), "/tags/jian-suo/", "/search/?q=public"]:
        for _ in range(2):  # the miss and the hit say the same
            assert directives(client.get(path)) == {"public", "s-maxage=45", "stale-while-revalidate=15"}


def test_feeds_are_public_for_reader_apps_and_shared_caches(client):
    make_post("In a feed")
    response = client.get("/feeds/latest.atom")
    assert directives(response) == {"public", "max-age=300", "s-maxage=45", "stale-while-revalidate=15"}
    not_modified = client.get("/feeds/latest.atom", headers={"if-none-match": response["ETag"]})
    assert not_modified.status_code == 304
    assert directives(not_modified) == directives(response)


def test_a_logged_in_readers_pages_are_private(client):
    post = make_post("Mine")
    client.force_login(make_user())
    for path in ["/", post.get_absolute_url(), "/search/api/?q=mine"]:
        response = client.get(path)
        assert response.status_code == 200
        assert response["Cache-Control"] == "private", path


def test_errors_say_nothing_to_shared_caches(client):
    assert "Cache-Control" not in client.get("/posts/no-such-post/")


def test_each_host_has_its_own_cached_page(client):
    make_post("Two hosts")
    assert client.get("/", headers={"host": "127.0.0.1"})["X-Page-Cache"] == "miss"
    assert client.get("/", headers={"host": "localhost"})["X-Page-Cache"] == "miss"
    assert client.get("/", headers={"host": "localhost"})["X-Page-Cache"] == "hit"


def test_the_search_api_names_the_host_it_was_asked_on(client):
    index_posts([make_post("倒排索引").pk])
    for host in ["127.0.0.1", "localhost"]:
        results = client.get("/search/api/", {"q": "倒排索引"}, headers={"host": host}).json()["results"]
        assert results and all(result["url"].startswith(f"http://{host}/") for result in results)
