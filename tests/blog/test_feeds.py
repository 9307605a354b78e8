"""Feeds for subscribers: what reader apps parse, which posts they see, and the HTTP they get."""

import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import feedparser
import pytest
from bs4 import BeautifulSoup
from django.utils import timezone

import blog.feeds
from blog.models import Post, Source
from blog.tasks import generate_excerpt, notify_websub_hub, ping_websub_hub
from blog.websub import HubRejectedPing
from tests.factories import make_post, make_series, make_user

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT_NS = "{http://purl.org/rss/1.0/modules/content/}"
MATH_BODY = (
    "损失函数 $L = \\frac{1}{n}\\sum_i x_i^2$ 很常见。\n\n"
    "![图](/media/uploads/plot.png)\n\n见[上一篇](/posts/earlier/)。\n\n"
    "```python\nprint('hi')\n```"
)
XML_FEEDS = [
    "/feeds/latest.atom",
    "/feeds/latest.rss",
    "/tags/sou-suo/feed.atom",
    "/tags/sou-suo/feed.rss",
    "/series/deepseek/feed.atom",
    "/series/deepseek/feed.rss",
    "/authors/lin/feed.atom",
    "/authors/lin/feed.rss",
]


@pytest.fixture
def scoped_posts():
    """Three live posts by "lin" tagged 搜索 in one series, plus a draft and a future one like them."""
    author = make_user("lin", first_name="林")
    series = make_series("DeepSeek", slug="deepseek")
    now = timezone.now()
    shared = {"author": author, "tags": ["搜索"], "series": series}
    posts = [
        make_post("Oldest", published_at=now - timedelta(days=3), **shared),
        make_post("数学", published_at=now - timedelta(days=2), body=MATH_BODY, **shared),
        make_post("Newest", published_at=now - timedelta(days=1), **shared),
    ]
    make_post("Draft post", status=Post.Status.DRAFT, **shared)
    make_post("Future post", status=Post.Status.SCHEDULED, published_at=now + timedelta(days=1), **shared)
    return posts


def parse(response):
    """Return the feedparser result of a feed response, failing on anything it found malformed."""
    assert response.status_code == 200, response.content[:500]
    parsed = feedparser.parse(response.content)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    return parsed


def xml_root(content):
    """Return the parsed root element of XML this site produced itself."""
    return ET.fromstring(content)  # noqa: S314 - our own output, not untrusted input


def raw_contents(response):
    """Return each item's full-content HTML as the feed carries it (before any reader resolves URLs)."""
    root = xml_root(response.content)
    if root.tag == f"{ATOM}feed":
        return [entry.find(f"{ATOM}content").text for entry in root.iter(f"{ATOM}entry")]
    return [item.find(f"{CONTENT_NS}encoded").text for item in root.iter("item")]


def urls_in(html):
    return re.findall(r'(?:href|src)="([^"]*)"', html)


@pytest.mark.parametrize("url", XML_FEEDS)
def test_every_feed_parses_cleanly_with_live_posts_newest_first(client, scoped_posts, url):
    parsed = parse(client.get(url))
    assert [entry.title for entry in parsed.entries] == ["Newest", "数学", "Oldest"]


def test_json_feed_has_the_same_posts_in_the_same_order(client, scoped_posts):
    feed = client.get("/feeds/latest.json").json()
    assert [item["title"] for item in feed["items"]] == ["Newest", "数学", "Oldest"]


@pytest.mark.parametrize("url", [*XML_FEEDS, "/feeds/latest.json"])
def test_drafts_and_future_posts_never_appear(client, scoped_posts, url):
    body = client.get(url).content.decode()
    assert "Draft post" not in body and "Future post" not in body


@pytest.mark.parametrize(
    ("url", "content_type"),
    [
        ("/feeds/latest.atom", "application/atom+xml; charset=utf-8"),
        ("/feeds/latest.rss", "application/rss+xml; charset=utf-8"),
        ("/feeds/latest.json", "application/feed+json; charset=utf-8"),
        ("/tags/sou-suo/feed.atom", "application/atom+xml; charset=utf-8"),
        ("/authors/lin/feed.rss", "application/rss+xml; charset=utf-8"),
    ],
)
def test_content_type_names_the_format_and_charset(client, scoped_posts, url, content_type):
    assert client.get(url)["Content-Type"] == content_type


@pytest.mark.parametrize("url", ["/feeds/latest.atom", "/feeds/latest.rss"])
def test_full_content_has_mathml_inline_styled_code_and_absolute_urls(client, settings, scoped_posts, url):
    response = client.get(url)
    entry = parse(response).entries[1]
    assert "<math" in entry.content[0].value  # survives feedparser's sanitizer too
    content = raw_contents(response)[1]
    assert "<mfrac>" in content  # the formula is MathML, not TeX left for a script
    assert 'style="' in content and 'class="highlight"' not in content
    assert 'class="heading-anchor"' not in content
    assert f'src="{settings.SITE_URL}/media/uploads/plot.png"' in content
    assert f'href="{settings.SITE_URL}/posts/earlier/"' in content
    for found in raw_contents(response):
        assert all(link.startswith(("http://", "https://")) for link in urls_in(found)), found


def test_json_feed_content_has_mathml_and_absolute_urls(client, settings, scoped_posts):
    item = client.get("/feeds/latest.json").json()["items"][1]
    assert "<math" in item["content_html"]
    assert all(link.startswith(settings.SITE_URL) for link in urls_in(item["content_html"]))


def test_items_carry_permalink_dates_author_categories_and_the_excerpt(client, settings, scoped_posts):
    post = scoped_posts[2]
    generate_excerpt(post.pk)
    post.refresh_from_db()
    entry = parse(client.get("/feeds/latest.atom")).entries[0]
    assert entry.link == f"{settings.SITE_URL}/posts/{post.slug}/"
    assert entry.id.startswith("tag:127.0.0.1,") and entry.id.endswith(f":posts/{post.pk}")
    assert entry.published_parsed[:6] == post.published_at.utctimetuple()[:6]
    assert entry.updated_parsed is not None
    assert entry.author == "林"
    assert [tag.term for tag in entry.tags] == ["搜索"]
    assert entry.summary == post.excerpt == "Some text."


def test_item_id_survives_edits_to_title_slug_and_publication_time(
    client, scoped_posts, django_capture_on_commit_callbacks
):
    post = scoped_posts[2]
    before = parse(client.get("/feeds/latest.atom")).entries[0].id
    with django_capture_on_commit_callbacks(execute=True):
        post.title, post.slug = "Renamed", "renamed"
        post.published_at -= timedelta(days=30)
        post.save()
    entries = parse(client.get("/feeds/latest.atom")).entries
    assert before in [entry.id for entry in entries if entry.title == "Renamed"]


def test_atom_has_the_elements_rfc_4287_requires(client, scoped_posts):
    root = xml_root(client.get("/feeds/latest.atom").content)
    for name in ("id", "title", "updated"):
        assert root.find(f"{ATOM}{name}").text
    assert root.find(f"{ATOM}link[@rel='self']") is not None
    entries = list(root.iter(f"{ATOM}entry"))
    assert len(entries) == 3
    feed_author = root.find(f"{ATOM}author")
    for entry in entries:
        for name in ("id", "title", "updated", "published"):
            assert entry.find(f"{ATOM}{name}").text
        assert entry.find(f"{ATOM}link[@rel='alternate']").get("href")
        assert entry.find(f"{ATOM}author/{ATOM}name") is not None or feed_author is not None
        assert entry.find(f"{ATOM}content").get("type") == "html"
    assert len({entry.find(f"{ATOM}id").text for entry in entries}) == 3


def test_json_feed_has_the_members_version_1_1_requires(client, settings, scoped_posts):
    feed = client.get("/feeds/latest.json").json()
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["title"] == settings.SITE_NAME
    assert feed["feed_url"] == f"{settings.SITE_URL}/feeds/latest.json"
    assert isinstance(feed["items"], list) and len(feed["items"]) == 3
    for item in feed["items"]:
        assert isinstance(item["id"], str) and item["id"]
        assert item.get("content_html") or item.get("content_text")
        assert item["url"].startswith(settings.SITE_URL)
        assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", item["date_published"])
        assert item["authors"][0]["name"] == "林"
        assert item["tags"] == ["搜索"]


def test_feed_shows_the_newest_twenty_by_default_and_follows_the_setting(client, settings):
    now = timezone.now()
    author = make_user()
    for number in range(23):
        make_post(f"Post {number:02}", author=author, published_at=now - timedelta(hours=number + 1))
    entries = parse(client.get("/feeds/latest.rss")).entries
    assert len(entries) == 20
    assert entries[0].title == "Post 00" and entries[-1].title == "Post 19"
    settings.FEED_ITEMS = 5
    assert len(client.get("/feeds/latest.json").json()["items"]) == 5


@pytest.mark.parametrize(
    "url",
    [
        "/tags/no-such-tag/feed.atom",
        "/series/no-such-series/feed.rss",
        "/authors/nobody/feed.atom",
        "/tags/draft-only/feed.atom",
        "/authors/drafter/feed.rss",
    ],
)
def test_feeds_of_missing_or_unpublished_scopes_are_404(client, url):
    make_post("Hidden", status=Post.Status.DRAFT, author=make_user("drafter"), tags=["draft-only"])
    assert client.get(url).status_code == 404


def test_an_empty_site_still_has_a_valid_feed(client):
    assert parse(client.get("/feeds/latest.atom")).entries == []
    assert client.get("/feeds/latest.json").json()["items"] == []


@pytest.mark.parametrize("url", ["/feeds/latest.atom", "/feeds/latest.rss", "/feeds/latest.json"])
def test_hostile_titles_do_not_break_the_feed(client, url):
    title = "a ]]> b </script> & c \x01\x08\x0b d <![CDATA[ e"
    make_post(title, body="text & <b>bold</b> ]]> end\x0c")
    response = client.get(url)
    expected = "a ]]> b </script> & c  d <![CDATA[ e"
    if url.endswith(".json"):
        assert response.json()["items"][0]["title"] == expected
    else:
        assert parse(response).entries[0].title == expected


# --- HTTP: validators, conditional requests, the cache ----------------------------------------


@pytest.mark.parametrize("url", ["/feeds/latest.atom", "/feeds/latest.rss", "/feeds/latest.json"])
def test_repeated_conditional_request_gets_304(client, scoped_posts, url):
    first = client.get(url)
    assert first["ETag"] and first["Last-Modified"]
    by_etag = client.get(url, headers={"if-none-match": first["ETag"]})
    by_date = client.get(url, headers={"if-modified-since": first["Last-Modified"]})
    assert by_etag.status_code == by_date.status_code == 304
    assert by_etag.content == b""
    assert client.get(url, headers={"if-none-match": '"stale"'}).status_code == 200


def test_second_request_is_served_from_redis_without_sql(client, scoped_posts, django_assert_num_queries):
    assert client.get("/feeds/latest.atom")["X-Feed-Cache"] == "miss"
    with django_assert_num_queries(0):
        response = client.get("/feeds/latest.atom")
    assert response["X-Feed-Cache"] == "hit"
    assert parse(response).entries[0].title == "Newest"


def test_unpublishing_invalidates_the_cached_feed(client, scoped_posts, django_capture_on_commit_callbacks):
    first = client.get("/feeds/latest.atom")
    assert client.get("/feeds/latest.atom")["X-Feed-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        Post.objects.filter(pk=scoped_posts[2].pk).unpublish()
    again = client.get("/feeds/latest.atom", headers={"if-none-match": first["ETag"]})
    assert again.status_code == 200 and again["X-Feed-Cache"] == "miss"
    assert [entry.title for entry in parse(again).entries] == ["数学", "Oldest"]
    # Last-Modified moves forward although the newest remaining post is older, so a reader that
    # only sends If-Modified-Since is not told that nothing changed.
    by_date = client.get("/feeds/latest.atom", headers={"if-modified-since": first["Last-Modified"]})
    assert by_date.status_code == 200


def test_publishing_and_editing_invalidate_the_cached_feed(
    client, scoped_posts, django_capture_on_commit_callbacks
):
    client.get("/feeds/latest.rss")
    with django_capture_on_commit_callbacks(execute=True):
        make_post("Brand new")
    assert parse(client.get("/feeds/latest.rss")).entries[0].title == "Brand new"
    with django_capture_on_commit_callbacks(execute=True):
        post = Post.objects.get(title="Brand new")
        post.body = "Edited body with $e^{i\\pi}$."
        post.save()
    assert "<math" in raw_contents(client.get("/feeds/latest.rss"))[0]


def test_a_change_elsewhere_rebuilds_the_feed_without_rendering_unchanged_posts_again(
    client, scoped_posts, monkeypatch, django_capture_on_commit_callbacks
):
    client.get("/feeds/latest.atom")
    rendered = []
    real_render = blog.feeds.render_markdown
    monkeypatch.setattr(
        blog.feeds, "render_markdown", lambda text, **kw: rendered.append(text) or real_render(text, **kw)
    )
    with django_capture_on_commit_callbacks(execute=True):
        make_post("Fresh", body="Only this one is new.")
    response = client.get("/feeds/latest.atom")
    assert response["X-Feed-Cache"] == "miss"
    assert rendered == ["Only this one is new."]
    assert len(parse(response).entries) == 4


def test_cache_can_be_turned_off(client, settings, scoped_posts):
    settings.FEED_CACHE_SECONDS = 0
    client.get("/feeds/latest.atom")
    response = client.get("/feeds/latest.atom")
    assert response["X-Feed-Cache"] == "miss"
    assert client.get("/feeds/latest.atom", headers={"if-none-match": response["ETag"]}).status_code == 304


def test_feed_does_not_depend_on_the_readers_language(client, scoped_posts):
    english = client.get("/feeds/latest.rss", headers={"accept-language": "en"}).content
    chinese = client.get("/feeds/latest.rss", headers={"accept-language": "zh-hans"}).content
    assert english == chinese


# --- ingested posts ------------------------------------------------------------------------------


@pytest.fixture
def ingested_post():
    source = Source.objects.create(
        title="Example Weekly", feed_url="https://example.com/feed.xml", site_url="https://example.com/"
    )
    return make_post(
        "Borrowed",
        source=source,
        source_guid="entry-1",
        original_url="https://example.com/2025/borrowed",
        language=Post.Language.ENGLISH,
    )


def test_ingested_post_links_to_its_original_and_names_its_source_in_atom(client, ingested_post):
    response = client.get("/feeds/latest.atom")
    entry = parse(response).entries[0]
    assert {"rel": "via", "href": "https://example.com/2025/borrowed"}.items() <= {
        key: value for link in entry.links if link.rel == "via" for key, value in link.items()
    }.items()
    root = xml_root(response.content)
    source = root.find(f"{ATOM}entry/{ATOM}source")
    assert source.find(f"{ATOM}title").text == "Example Weekly"
    assert source.find(f"{ATOM}link[@rel='self']").get("href") == "https://example.com/feed.xml"
    content = raw_contents(response)[0]
    assert content.startswith('<p><em>Originally published at <a href="https://example.com/2025/borrowed">')
    assert "Example Weekly" in content


def test_ingested_post_names_its_source_in_rss_and_json(client, ingested_post):
    root = xml_root(client.get("/feeds/latest.rss").content)
    source = root.find("channel/item/source")
    assert source.text == "Example Weekly" and source.get("url") == "https://example.com/feed.xml"
    item = client.get("/feeds/latest.json").json()["items"][0]
    assert item["external_url"] == "https://example.com/2025/borrowed"
    assert "Originally published at" in item["content_html"]


def test_origin_note_is_in_the_posts_language(client, ingested_post):
    Post.objects.filter(pk=ingested_post.pk).update(language=Post.Language.CHINESE)
    assert "原文发表于" in client.get("/feeds/latest.json").json()["items"][0]["content_html"]


def test_own_posts_carry_no_origin(client, scoped_posts):
    response = client.get("/feeds/latest.atom")
    assert b'rel="via"' not in response.content and b"<source>" not in response.content


# --- WebSub ------------------------------------------------------------------------------------


def test_feeds_advertise_the_hub_and_themselves_only_when_a_hub_is_set(client, settings, scoped_posts):
    assert b'rel="hub"' not in client.get("/feeds/latest.atom").content
    settings.WEBSUB_HUB = "https://hub.example.com/"
    atom = client.get("/feeds/latest.atom")
    links = {link.rel: link.href for link in parse(atom).feed.links}
    assert links["hub"] == "https://hub.example.com/"
    assert links["self"] == f"{settings.SITE_URL}/feeds/latest.atom"
    assert (
        atom["Link"]
        == f'<https://hub.example.com/>; rel="hub", <{settings.SITE_URL}/feeds/latest.atom>; rel="self"'
    )
    rss = xml_root(client.get("/tags/sou-suo/feed.rss").content)
    assert (
        rss.find("channel/{http://www.w3.org/2005/Atom}link[@rel='hub']").get("href")
        == "https://hub.example.com/"
    )
    assert client.get("/feeds/latest.json").json()["hubs"] == [
        {"type": "WebSub", "url": "https://hub.example.com/"}
    ]


def hub_pings(httpserver):
    """Return the hub.url of every publish ping the hub received, in order."""
    pings = []
    for request, _ in httpserver.log:
        assert request.form["hub.mode"] == "publish"
        pings.append(request.form["hub.url"])
    return pings


def test_publishing_pings_the_hub_for_every_feed_the_post_is_in(celery_worker, httpserver, settings):
    from tests.blog.test_tasks import wait_for

    httpserver.expect_request("/hub", method="POST").respond_with_data("", status=202)
    settings.WEBSUB_HUB = httpserver.url_for("/hub")
    site = [f"{settings.SITE_URL}/feeds/latest.{kind}" for kind in ("atom", "rss", "json")]
    assert notify_websub_hub() == 3  # the first run announces the site feeds
    assert wait_for(lambda: len(httpserver.log) == 3)
    assert notify_websub_hub() == 0  # nothing changed since

    make_post("Announced", author=make_user("wen"), tags=["搜索"])
    assert notify_websub_hub() == 9
    assert wait_for(lambda: len(httpserver.log) == 12)
    assert sorted(hub_pings(httpserver)[3:]) == sorted(
        [
            *site,
            f"{settings.SITE_URL}/authors/wen/feed.atom",
            f"{settings.SITE_URL}/authors/wen/feed.rss",
            f"{settings.SITE_URL}/authors/wen/feed.json",
            f"{settings.SITE_URL}/tags/sou-suo/feed.atom",
            f"{settings.SITE_URL}/tags/sou-suo/feed.rss",
            f"{settings.SITE_URL}/tags/sou-suo/feed.json",
        ]
    )


def test_without_a_hub_nothing_is_announced(settings):
    settings.WEBSUB_HUB = ""
    make_post("Quiet")
    assert notify_websub_hub() == 0


def test_a_failing_hub_is_retried_and_a_refusing_one_is_not(httpserver, settings):
    settings.WEBSUB_HUB = httpserver.url_for("/hub")
    for status in (503, 429, 204):
        httpserver.expect_ordered_request("/hub", method="POST").respond_with_data("", status=status)
    # apply() runs the task and its retries here and now, without the countdown.
    assert ping_websub_hub.apply(args=["https://example.com/feed.atom"]).successful()
    assert hub_pings(httpserver) == ["https://example.com/feed.atom"] * 3

    httpserver.clear()
    httpserver.expect_request("/hub", method="POST").respond_with_data("", status=404)
    with pytest.raises(HubRejectedPing, match="Check WEBSUB_HUB"):
        ping_websub_hub.apply(args=["https://example.com/feed.atom"]).get()
    assert len(httpserver.log) == 1


# --- what reader apps warn about, and what they must never run ------------------------------------


def test_atom_source_carries_the_id_title_and_updated_readers_credit_it_by(client, ingested_post):
    root = xml_root(client.get("/feeds/latest.atom").content)
    entry = root.find(f"{ATOM}entry")
    source = entry.find(f"{ATOM}source")
    assert source.find(f"{ATOM}id").text == "https://example.com/feed.xml"
    assert source.find(f"{ATOM}title").text == "Example Weekly"
    assert source.find(f"{ATOM}updated").text == entry.find(f"{ATOM}updated").text
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", source.find(f"{ATOM}updated").text
    )
    assert source.find(f"{ATOM}link[@rel='alternate']").get("href") == "https://example.com/"


def test_a_source_site_url_that_is_not_http_is_left_out_of_atom_source(client, ingested_post):
    Source.objects.filter(pk=ingested_post.source_id).update(site_url="javascript:alert(1)")
    response = client.get("/feeds/latest.atom")
    assert b"javascript:" not in response.content
    source = xml_root(response.content).find(f"{ATOM}entry/{ATOM}source")
    assert source.find(f"{ATOM}link[@rel='alternate']") is None


def test_a_post_with_an_empty_body_has_no_blank_summary_or_content(client):
    make_post("Just a title", body="")
    atom = client.get("/feeds/latest.atom")
    entry = xml_root(atom.content).find(f"{ATOM}entry")
    assert entry.find(f"{ATOM}summary") is None and entry.find(f"{ATOM}content") is None
    assert entry.find(f"{ATOM}link[@rel='alternate']").get("href")  # what RFC 4287 asks instead
    assert parse(atom).entries[0].title == "Just a title"
    rss = client.get("/feeds/latest.rss")
    item = xml_root(rss.content).find("channel/item")
    assert item.find("description") is None and item.find(f"{CONTENT_NS}encoded") is None
    assert parse(rss).entries[0].title == "Just a title"


def test_a_post_with_a_body_keeps_its_summary_and_content(client):
    make_post("Full", body="Some **text**.")
    entry = xml_root(client.get("/feeds/latest.atom").content).find(f"{ATOM}entry")
    assert "<strong>text</strong>" in entry.find(f"{ATOM}content").text
    assert entry.find(f"{ATOM}summary").text


@pytest.mark.parametrize("name", ["<img src=x onerror=alert(1)>", "<b>粗体</b> & co"])
def test_a_tag_name_is_text_in_the_rss_channel_description(client, name):
    post = make_post("Tagged", tags=[name])
    tag = post.tags.get()
    response = client.get(f"/tags/{tag.slug}/feed.rss")
    description = xml_root(response.content).findtext("channel/description")
    assert BeautifulSoup(description, "html.parser").find(True) is None  # no element, only text
    assert name in shown_text(parse(response).feed, "subtitle")  # what a reader app shows
    atom = client.get(f"/tags/{tag.slug}/feed.atom")
    assert name in shown_text(parse(atom).feed, "subtitle")


def shown_text(element, name):
    """What a reader app shows of a feedparser element: HTML read for its text, text as is."""
    value, kind = element[name], element[f"{name}_detail"]["type"]
    return BeautifulSoup(value, "html.parser").get_text() if "html" in kind else value
