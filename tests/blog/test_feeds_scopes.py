"""Every scope (site, tag, series, author) in every format (Atom, RSS, JSON Feed), and the pages
that lead readers to them: <link rel="alternate"> on each scope's page and the post page, and the
Subscribe page's list."""

import feedparser
import pytest
from bs4 import BeautifulSoup

from tests.factories import make_post, make_series, make_user

from . import test_feeds
from .test_feeds import ATOM, parse, xml_root

# The same three live posts (and a draft and a future one) as the format tests use.
scoped_posts = test_feeds.scoped_posts

pytestmark = pytest.mark.django_db

SCOPES = {
    "site": "/feeds/latest",
    "tag": "/tags/sou-suo/feed",
    "series": "/series/deepseek/feed",
    "author": "/authors/lin/feed",
}
MEDIA_TYPES = {
    "atom": "application/atom+xml",
    "rss": "application/rss+xml",
    "json": "application/feed+json",
}
EVERY_FEED = [f"{base}.{feed_format}" for base in SCOPES.values() for feed_format in MEDIA_TYPES]
SCOPE_PAGES = {"tag": "/tags/sou-suo/", "series": "/series/deepseek/", "author": "/authors/lin/"}


def assert_valid_json_feed(feed, settings, url):
    """The members JSON Feed 1.1 requires, with the types it requires."""
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert isinstance(feed["title"], str) and feed["title"]
    assert feed["feed_url"] == f"{settings.SITE_URL}{url}"
    assert feed["home_page_url"].startswith(settings.SITE_URL)
    for item in feed["items"]:
        assert isinstance(item["id"], str) and item["id"]
        assert item.get("content_html") or item.get("content_text")
        assert item["url"].startswith(settings.SITE_URL)


def alternates(html):
    """Return {href: type} of the page's feed autodiscovery links."""
    soup = BeautifulSoup(html, "html.parser")
    return {link["href"]: link["type"] for link in soup.select('head link[rel="alternate"][type]')}


@pytest.mark.parametrize("url", EVERY_FEED)
def test_every_scope_in_every_format_is_valid_and_holds_only_live_posts(client, settings, scoped_posts, url):
    response = client.get(url)
    assert response.status_code == 200
    feed_format = url.rsplit(".", 1)[1]
    assert response["Content-Type"] == f"{MEDIA_TYPES[feed_format]}; charset=utf-8"
    if feed_format == "json":
        feed = response.json()
        assert_valid_json_feed(feed, settings, url)
        titles = [item["title"] for item in feed["items"]]
    else:
        titles = [entry.title for entry in parse(response).entries]
    assert titles == ["Newest", "数学", "Oldest"]


@pytest.mark.parametrize("url", [f"{base}.atom" for base in SCOPES.values()])
def test_every_atom_feed_has_what_rfc_4287_requires(client, scoped_posts, url):
    root = xml_root(client.get(url).content)
    for name in ("id", "title", "updated"):
        assert root.find(f"{ATOM}{name}").text
    assert root.find(f"{ATOM}link[@rel='self']").get("href").endswith(url)
    for entry in root.iter(f"{ATOM}entry"):
        for name in ("id", "title", "updated"):
            assert entry.find(f"{ATOM}{name}").text


@pytest.mark.parametrize(
    "url", ["/tags/no-such-tag/feed.json", "/series/no-such-series/feed.json", "/authors/nobody/feed.json"]
)
def test_json_feeds_of_missing_scopes_are_404(client, url):
    assert client.get(url).status_code == 404


def test_json_feed_of_a_scope_with_only_drafts_is_404(client):
    series = make_series("草稿系列", slug="cao-gao")
    make_post("Hidden", status="draft", author=make_user("drafter"), tags=["draft-only"], series=series)
    for url in ("/tags/draft-only/feed.json", "/series/cao-gao/feed.json", "/authors/drafter/feed.json"):
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("scope", SCOPE_PAGES)
def test_each_scope_page_advertises_and_links_its_three_feeds(client, scoped_posts, scope):
    html = client.get(SCOPE_PAGES[scope]).text
    found = alternates(html)
    for feed_format, media_type in MEDIA_TYPES.items():
        url = f"{SCOPES[scope]}.{feed_format}"
        assert found.get(url) == media_type, (url, found)
        assert found.get(f"/feeds/latest.{feed_format}") == media_type  # the site's stay too
        # The visible "Subscribe:" line links the same three.
        assert BeautifulSoup(html, "html.parser").select_one(f'.feed-links a[href="{url}"]') is not None


def test_post_page_advertises_its_series_and_tags_feeds_and_each_is_a_feed(client, scoped_posts):
    post = scoped_posts[0]
    found = alternates(client.get(post.get_absolute_url()).text)
    for scope in ("site", "tag", "series"):
        for feed_format, media_type in MEDIA_TYPES.items():
            url = f"{SCOPES[scope]}.{feed_format}"
            assert found.get(url) == media_type, (url, found)
    for url in found:
        response = client.get(url)
        assert response.status_code == 200, url
        if url.endswith(".json"):
            assert response.json()["items"]
        else:
            assert feedparser.parse(response.content).bozo == 0, url


def test_post_page_without_series_or_tags_advertises_only_the_site_feeds(client):
    post = make_post("Alone")
    assert set(alternates(client.get(post.get_absolute_url()).text)) == {
        f"/feeds/latest.{feed_format}" for feed_format in MEDIA_TYPES
    }


def test_alternate_titles_name_the_scope_and_format(client, scoped_posts):
    soup = BeautifulSoup(client.get("/series/deepseek/").text, "html.parser")
    titles = [link["title"] for link in soup.select('head link[rel="alternate"][href^="/series/"]')]
    assert titles == [f"DeepSeek · Inkstone ({label})" for label in ("Atom", "RSS", "JSON Feed")]


def test_subscribe_page_lists_every_format_of_every_scope(client, settings, scoped_posts):
    soup = BeautifulSoup(client.get("/subscribe/").text, "html.parser")
    links = {link["href"]: link.get("type") for link in soup.select("main a[type]")}
    for url in EVERY_FEED:
        assert links.get(url) == MEDIA_TYPES[url.rsplit(".", 1)[1]], url
    # The site's own addresses are printed whole, ready to paste into a reader.
    codes = [code.text for code in soup.select("main code")]
    assert codes == [f"{settings.SITE_URL}/feeds/latest.{feed_format}" for feed_format in MEDIA_TYPES]
