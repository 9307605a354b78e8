"""/sitemap.xml and /robots.txt: what search engines are told to crawl."""

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.utils import timezone

from blog.models import Post
from blog.sitemaps import PostSitemap
from tests.factories import make_post, make_series

pytestmark = pytest.mark.django_db

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def xml_root(content):
    """Return the parsed root element of XML this site produced itself."""
    return ET.fromstring(content)  # noqa: S314 - our own output, not untrusted input


def index_locations(client):
    """Return {location: lastmod} of the sitemap index."""
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    root = xml_root(response.content)
    assert root.tag == f"{SITEMAP}sitemapindex"
    return {
        entry.findtext(f"{SITEMAP}loc"): entry.findtext(f"{SITEMAP}lastmod")
        for entry in root.iter(f"{SITEMAP}sitemap")
    }


def urls_of(client, location, settings):
    """Return {loc: lastmod} of one sitemap page, fetched by its absolute location."""
    response = client.get(location.removeprefix(settings.SITE_URL))
    assert response.status_code == 200
    root = xml_root(response.content)
    return {
        url.find(f"{SITEMAP}loc").text: url.find(f"{SITEMAP}lastmod").text
        for url in root.iter(f"{SITEMAP}url")
    }


def all_urls(client, settings):
    urls = {}
    for location in index_locations(client):
        urls.update(urls_of(client, location, settings))
    return urls


@pytest.fixture
def site_content():
    now = timezone.now()
    live_series = make_series("Live series", slug="live-series")
    hidden_series = make_series("Hidden series", slug="hidden-series")
    live = make_post(
        "Live", slug="live", tags=["公开"], series=live_series, published_at=now - timedelta(days=2)
    )
    make_post("Draft", slug="draft", status=Post.Status.DRAFT, tags=["draft-tag"], series=hidden_series)
    make_post(
        "Future",
        slug="future",
        status=Post.Status.SCHEDULED,
        published_at=now + timedelta(days=1),
        tags=["future-tag"],
    )
    return live


def test_index_lists_posts_tags_and_series_with_absolute_urls_and_lastmod(client, settings, site_content):
    locations = index_locations(client)
    assert set(locations) == {
        f"{settings.SITE_URL}/sitemap-posts.xml",
        f"{settings.SITE_URL}/sitemap-tags.xml",
        f"{settings.SITE_URL}/sitemap-series.xml",
    }
    assert all(lastmod for lastmod in locations.values())


def test_only_what_readers_can_see_is_listed(client, settings, site_content):
    urls = all_urls(client, settings)
    assert set(urls) == {
        f"{settings.SITE_URL}/posts/live/",
        f"{settings.SITE_URL}/tags/gong-kai/",
        f"{settings.SITE_URL}/series/live-series/",
    }
    for url in urls:  # and every one of them is a page that exists
        assert client.get(url.removeprefix(settings.SITE_URL)).status_code == 200


def test_lastmod_is_the_last_change_of_the_post(client, settings, site_content):
    urls = all_urls(client, settings)
    assert urls[f"{settings.SITE_URL}/posts/live/"] == timezone.localdate(site_content.updated_at).isoformat()


def test_large_sections_are_split_into_pages(client, settings, monkeypatch):
    monkeypatch.setattr(PostSitemap, "limit", 2)
    for number in range(5):
        make_post(f"Post {number}", slug=f"post-{number}")
    posts_pages = [location for location in index_locations(client) if "sitemap-posts" in location]
    assert posts_pages == [
        f"{settings.SITE_URL}/sitemap-posts.xml",
        f"{settings.SITE_URL}/sitemap-posts.xml?p=2",
        f"{settings.SITE_URL}/sitemap-posts.xml?p=3",
    ]
    found = set()
    for location in posts_pages:
        found |= set(urls_of(client, location, settings))
    assert len(found) == 5
    assert client.get("/sitemap-posts.xml?p=4").status_code == 404
    assert client.get("/sitemap-nothing.xml").status_code == 404


def test_unpublishing_removes_the_post_from_the_cached_sitemap(
    client, settings, site_content, django_capture_on_commit_callbacks
):
    assert f"{settings.SITE_URL}/posts/live/" in all_urls(client, settings)
    assert client.get("/sitemap-posts.xml")["X-Feed-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        Post.objects.filter(pk=site_content.pk).unpublish()
    assert all_urls(client, settings) == {}


def test_sitemap_answers_conditional_requests(client, site_content):
    first = client.get("/sitemap-posts.xml")
    assert client.get("/sitemap-posts.xml", headers={"if-none-match": first["ETag"]}).status_code == 304


def test_robots_txt_points_to_the_sitemap(client, settings):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.text.splitlines()
    assert f"Sitemap: {settings.SITE_URL}/sitemap.xml" in lines
    assert "Disallow: /admin/" in lines
