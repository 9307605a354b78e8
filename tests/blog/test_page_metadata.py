"""What a page tells search engines, link previews and feed readers in its <head>."""

import json
import re
from html.parser import HTMLParser

import pytest
from django.template import Context, Template

from blog.excerpts import EXCERPT_FIELDS, store_excerpts
from blog.models import Post, Source
from tests.factories import make_post, make_series, make_user

pytestmark = pytest.mark.django_db


class HeadParser(HTMLParser):
    """Collects <link> and <meta> attributes and the text of <script type="application/ld+json">."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links, self.metas, self.json_ld = [], [], []
        self._in_json_ld = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link":
            self.links.append(attrs)
        elif tag == "meta":
            self.metas.append(attrs)
        elif tag == "script" and attrs.get("type") == "application/ld+json":
            self._in_json_ld = True
            self.json_ld.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_json_ld = False

    def handle_data(self, data):
        if self._in_json_ld:
            self.json_ld[-1] += data

    def meta(self, key):
        """Return the content of every <meta> whose property or name is `key`."""
        return [meta["content"] for meta in self.metas if key in (meta.get("property"), meta.get("name"))]

    def link_hrefs(self, rel, type_=None):
        return [
            link["href"]
            for link in self.links
            if link.get("rel") == rel and (type_ is None or link.get("type") == type_)
        ]


def head_of(client, url):
    response = client.get(url)
    assert response.status_code == 200
    parser = HeadParser()
    parser.feed(response.text)
    return parser


def test_post_page_has_canonical_open_graph_and_twitter_card(client, settings):
    post = make_post("倒排索引入门", slug="dao-pai", tags=["搜索"], body="讲清楚 *倒排索引*。")
    store_excerpts(Post.objects.filter(pk=post.pk).only(*EXCERPT_FIELDS))
    head = head_of(client, "/posts/dao-pai/")
    own_url = f"{settings.SITE_URL}/posts/dao-pai/"
    assert head.link_hrefs("canonical") == [own_url]
    assert head.meta("og:type") == ["article"]
    assert head.meta("og:title") == head.meta("twitter:title") == ["倒排索引入门"]
    assert head.meta("og:url") == [own_url]
    assert head.meta("description") == head.meta("og:description") == ["讲清楚 倒排索引。"]
    assert head.meta("twitter:card") == ["summary"]
    assert head.meta("og:locale") == ["zh_CN"]
    assert head.meta("article:tag") == ["搜索"]
    assert head.meta("article:published_time")


def test_json_ld_blog_posting_describes_the_post(client, settings):
    series = make_series("DeepSeek 系列", slug="deepseek")
    author = make_user("lin", first_name="林")
    make_post("MLA explained", slug="mla", author=author, series=series, language=Post.Language.ENGLISH)
    [raw] = head_of(client, "/posts/mla/").json_ld
    data = json.loads(raw)
    assert data["@context"] == "https://schema.org" and data["@type"] == "BlogPosting"
    assert data["headline"] == "MLA explained"
    assert data["mainEntityOfPage"]["@id"] == f"{settings.SITE_URL}/posts/mla/"
    assert data["author"] == {"@type": "Person", "name": "林", "url": f"{settings.SITE_URL}/authors/lin/"}
    assert data["publisher"]["name"] == settings.SITE_NAME
    assert data["inLanguage"] == "en"
    assert data["isPartOf"]["name"] == "DeepSeek 系列"
    assert data["datePublished"] and data["dateModified"]


@pytest.mark.parametrize("title", ["</script><script>alert(1)</script>", "<!-- a ]]> & b", "a\x01b &amp; c"])
def test_hostile_title_cannot_break_out_of_the_json_ld(client, title):
    make_post(title, slug="hostile")
    response = client.get("/posts/hostile/")
    html = response.text
    start = html.index('<script type="application/ld+json">')
    script = html[start : html.index("</script>", start)]
    assert "<" not in script[len('<script type="application/ld+json">') :]
    head = HeadParser()
    head.feed(html)
    assert json.loads(head.json_ld[0])["headline"] == title
    assert "<script>alert(1)</script>" not in html


@pytest.fixture
def ingested_post():
    source = Source.objects.create(title="Example Weekly", feed_url="https://example.com/feed.xml")
    return make_post(
        "Borrowed",
        slug="borrowed",
        source=source,
        source_guid="1",
        original_url="https://example.com/borrowed",
    )


def test_ingested_post_is_canonical_on_our_site_by_default(client, settings, ingested_post):
    head = head_of(client, "/posts/borrowed/")
    assert head.link_hrefs("canonical") == [f"{settings.SITE_URL}/posts/borrowed/"]
    assert json.loads(head.json_ld[0])["isBasedOn"] == "https://example.com/borrowed"


def test_ingested_post_points_to_the_original_when_configured(client, settings, ingested_post):
    settings.CANONICAL_TO_ORIGINAL = True
    head = head_of(client, "/posts/borrowed/")
    assert head.link_hrefs("canonical") == ["https://example.com/borrowed"]
    assert head.meta("og:url") == ["https://example.com/borrowed"]
    own = make_post("Ours", slug="ours")
    assert head_of(client, own.get_absolute_url()).link_hrefs("canonical") == [
        f"{settings.SITE_URL}/posts/ours/"
    ]


def test_metadata_adds_no_query_to_what_the_post_view_loads(django_assert_num_queries):
    post = make_post("Counted", tags=["a", "b"], series=make_series(), author=make_user("lin"))
    # Loaded as blog.views.post_detail loads it.
    loaded = (
        Post.objects.select_related("author", "series", "source").prefetch_related("tags").get(pk=post.pk)
    )
    with django_assert_num_queries(0):
        html = Template("{% load page_metadata %}{% post_metadata post %}").render(Context({"post": loaded}))
    assert '<link rel="canonical"' in html and "application/ld+json" in html


# --- feed autodiscovery --------------------------------------------------------------------------

SITE_FEEDS = ["/feeds/latest.atom", "/feeds/latest.rss", "/feeds/latest.json"]


def alternate_feeds(head):
    return [
        link["href"]
        for link in head.links
        if link.get("rel") == "alternate"
        and link.get("type") in {"application/atom+xml", "application/rss+xml", "application/feed+json"}
    ]


@pytest.fixture
def scoped_post():
    return make_post(
        "Scoped", slug="scoped", author=make_user("lin"), tags=["搜索"], series=make_series("S", slug="s")
    )


@pytest.mark.parametrize("url", ["/", "/archive/", "/subscribe/"])
def test_every_page_advertises_the_site_feeds(client, scoped_post, url):
    assert alternate_feeds(head_of(client, url)) == SITE_FEEDS


def test_post_page_advertises_the_site_feeds_then_its_series_and_tags(client, scoped_post):
    scoped = [f"/series/s/feed.{kind}" for kind in ("atom", "rss", "json")]
    scoped += [f"/tags/sou-suo/feed.{kind}" for kind in ("atom", "rss", "json")]
    assert alternate_feeds(head_of(client, "/posts/scoped/")) == SITE_FEEDS + scoped


@pytest.mark.parametrize(
    ("url", "own_feeds"),
    [
        ("/tags/sou-suo/", [f"/tags/sou-suo/feed.{kind}" for kind in ("atom", "rss", "json")]),
        ("/series/s/", [f"/series/s/feed.{kind}" for kind in ("atom", "rss", "json")]),
        ("/authors/lin/", [f"/authors/lin/feed.{kind}" for kind in ("atom", "rss", "json")]),
    ],
)
def test_tag_series_and_author_pages_also_advertise_their_own_feed(client, scoped_post, url, own_feeds):
    assert alternate_feeds(head_of(client, url)) == SITE_FEEDS + own_feeds
    for feed in own_feeds:
        assert client.get(feed).status_code == 200


def test_navigation_links_to_the_subscribe_page_in_both_languages(client):
    assert re.search(
        r'<a href="/subscribe/">Subscribe</a>', client.get("/", headers={"accept-language": "en"}).text
    )
    assert '<a href="/subscribe/">订阅</a>' in client.get("/", headers={"accept-language": "zh-hans"}).text


def test_subscribe_page_lists_site_scope_feeds_but_nothing_unpublished(client, settings, scoped_post):
    make_post("Secret", status=Post.Status.DRAFT, tags=["secret-tag"], author=make_user("ghost"))
    html = client.get("/subscribe/").text
    for feed in SITE_FEEDS:
        assert f"{settings.SITE_URL}{feed}" in html
    for feed in ["/tags/sou-suo/feed.atom", "/series/s/feed.rss", "/authors/lin/feed.atom"]:
        assert f'href="{feed}"' in html
    assert "secret-tag" not in html and "ghost" not in html
