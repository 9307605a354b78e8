"""The "Latest updates" timeline: order, cursor paging, and paging while posts are published."""

import base64
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from blog.cursors import encode_cursor
from blog.models import Post, Source
from tests.factories import make_post, make_series, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def page_size(settings):
    settings.TIMELINE_PAGE_SIZE = 3
    return 3


def titles(response):
    return [post.title for post in response.context["posts"]]


def make_posts(count, start=None):
    start = start or timezone.now() - timedelta(days=1)
    author = make_user()
    return [
        make_post(f"P{i}", author=author, published_at=start + timedelta(minutes=i)) for i in range(count)
    ]


def test_newest_first_with_title_date_tags_series_and_excerpt(client):
    series = make_series("DeepSeek 系列")
    make_post("Older", published_at=timezone.now() - timedelta(days=2))
    newer = make_post(
        "Newer", published_at=timezone.now() - timedelta(days=1), tags=["搜索"], series=series,
        summary="关于倒排索引的一段摘要。",
    )  # fmt: skip
    newer.refresh_from_db()
    newer.excerpt = "关于倒排索引的一段摘要。"
    newer.save()
    response = client.get("/")
    assert titles(response) == ["Newer", "Older"]
    html = response.text
    assert "#搜索" in html and 'href="/tags/sou-suo/"' in html
    assert "DeepSeek 系列" in html
    assert newer.published_at.astimezone(timezone.get_current_timezone()).strftime("%Y-%m-%d") in html


def test_same_time_posts_are_ordered_by_id_and_none_is_lost_between_pages(client, page_size):
    moment = timezone.now() - timedelta(hours=1)
    author = make_user()
    posts = [make_post(f"T{i}", author=author, published_at=moment) for i in range(7)]
    seen = []
    url = "/"
    while url:
        response = client.get(url)
        seen += titles(response)
        older = response.context["page"].older
        url = f"/?before={older}" if older else None
    assert seen == [post.title for post in reversed(posts)]


def test_posts_published_while_paging_do_not_repeat_or_vanish(client, page_size):
    make_posts(7)
    first = client.get("/")
    assert titles(first) == ["P6", "P5", "P4"]
    # Two new posts go live between the reader's page 1 and page 2.
    make_post("Fresh 1")
    make_post("Fresh 2")
    second = client.get(f"/?before={first.context['page'].older}")
    assert titles(second) == ["P3", "P2", "P1"]
    third = client.get(f"/?before={second.context['page'].older}")
    assert titles(third) == ["P0"]
    assert third.context["page"].older is None
    # Going back to newer pages from page 3 shows page 2 again, then the first page with the fresh posts.
    back = client.get(f"/?after={third.context['page'].newer}")
    assert titles(back) == ["P3", "P2", "P1"]
    top = client.get(f"/?after={back.context['page'].newer}")
    assert titles(top) == ["P6", "P5", "P4"]
    assert top.context["page"].newer is not None
    assert titles(client.get("/"))[:2] == ["Fresh 2", "Fresh 1"]


def test_deleting_a_post_while_paging_does_not_break_the_cursor(client, page_size):
    posts = make_posts(6)
    first = client.get("/")
    posts[3].delete()  # the last item of page 1, which the cursor points at
    second = client.get(f"/?before={first.context['page'].older}")
    assert titles(second) == ["P2", "P1", "P0"]


@pytest.mark.parametrize(
    "cursor", ["garbage", "%%%", "MjAyNC0wMS0wMXwx", encode_cursor.__name__, "A" * 5000, "8J-OiQ"]
)
def test_damaged_cursor_gets_a_clear_400(client, cursor):
    make_posts(2)
    response = client.get("/", {"before": cursor}, headers={"accept-language": "en"})
    assert response.status_code == 400
    assert "This page link is damaged" in response.text


def cursor_of(text):
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


# Well-formed cursors that no page of ours links to and the database could not compare with.
CURSORS_BEYOND_THE_DATABASE = [
    "MDAwMS0wMS0wMVQwMDowMDowMCsyMzo1OXwx",  # 0001-01-01T00:00:00+23:59|1: year 0 in UTC
    cursor_of("9999-12-31T23:59:59-23:59|1"),  # year 10000 in UTC
    cursor_of("2024-01-01T00:00:00+00:00|9223372036854775808"),  # past bigint
    cursor_of("2024-01-01T00:00:00+00:00|0"),
]


@pytest.mark.parametrize("cursor", CURSORS_BEYOND_THE_DATABASE)
@pytest.mark.parametrize("direction", ["before", "after"])
def test_a_cursor_beyond_what_the_database_holds_is_a_damaged_link(client, cursor, direction):
    author = make_user("writer")
    make_post("Tagged", author=author, tags=["rust"])
    for url in ["/", "/tags/rust/", "/authors/writer/"]:
        response = client.get(url, {direction: cursor}, headers={"accept-language": "en"})
        assert response.status_code == 400, url
        assert "This page link is damaged" in response.text


def test_a_cursor_with_an_offset_postgres_lacks_still_pages_from_that_instant(client, page_size):
    posts = make_posts(5)
    moment = posts[2].published_at.astimezone(timezone.get_fixed_timezone(23 * 60 + 30))
    response = client.get("/", {"before": cursor_of(f"{moment.isoformat()}|{posts[2].pk}")})
    assert response.status_code == 200
    assert titles(response) == ["P1", "P0"]


def test_empty_site_says_so(client):
    response = client.get("/", headers={"accept-language": "en"})
    assert response.status_code == 200
    assert "Nothing has been published yet." in response.text


def test_posts_are_grouped_under_day_headings(client):
    local = timezone.get_current_timezone()
    day = timezone.now().astimezone(local).replace(hour=12, minute=0) - timedelta(days=3)
    make_post("Morning", published_at=day - timedelta(hours=2))
    make_post("Noon", published_at=day)
    make_post("Next day", published_at=day + timedelta(days=1))
    html = client.get("/").text
    assert html.count('class="day-heading"') == 2
    next_day, same_day = (day + timedelta(days=1)).strftime("%Y-%m-%d"), day.strftime("%Y-%m-%d")
    assert (
        html.index(f'datetime="{next_day}"') < html.index("Next day") < html.index(f'datetime="{same_day}"')
    )
    assert html.index(f'datetime="{same_day}"') < html.index("Noon") < html.index("Morning")


def test_series_badge_shows_position_among_published_parts(client):
    series = make_series("DeepSeek 系列")
    make_post("Part 1", series=series, series_order=1)
    make_post("Draft part", series=series, series_order=2, status="draft")
    make_post("Part 3", series=series, series_order=3)
    html = client.get("/").text
    assert "DeepSeek 系列 · 2/2" in html and "DeepSeek 系列 · 1/2" in html


def test_ingested_post_links_to_its_original(client):
    source = Source.objects.create(title="某实验室博客", feed_url="https://lab.example.com/feed.xml")
    make_post("Ingested", source=source, source_guid="g1", original_url="https://lab.example.com/p/1")
    html = client.get("/").text
    assert 'href="https://lab.example.com/p/1"' in html and "某实验室博客" in html


def test_filters_combine_and_the_bar_shows_how_to_clear_them(client):
    alice, bob = make_user("alice"), make_user("bob")
    make_post("Alice search", author=alice, tags=["搜索"])
    make_post("Alice python", author=alice, tags=["Python"])
    make_post("Bob search", author=bob, tags=["搜索"])
    response = client.get("/", {"tag": "sou-suo", "author": "alice"}, headers={"accept-language": "en"})
    assert titles(response) == ["Alice search"]
    html = response.text
    assert "Tag: 搜索" in html and "Author: alice" in html
    assert 'href="?author=alice"' in html and 'href="?tag=sou-suo"' in html  # remove one filter
    assert titles(client.get("/", {"tag": "sou-suo"})) == ["Bob search", "Alice search"]


def test_unknown_filter_values_show_an_empty_state_not_an_error(client):
    make_post("Anything")
    for query in [
        {"tag": "nope"},
        {"source": "abc"},
        {"source": "99999"},
        {"source": "²"},
        {"author": "x" * 500},
    ]:
        response = client.get("/", query, headers={"accept-language": "en"})
        assert response.status_code == 200
        assert "No published posts match these filters." in response.text


def test_more_link_keeps_the_filters(client, page_size):
    author = make_user("alice")
    for i in range(5):
        make_post(f"A{i}", author=author, published_at=timezone.now() - timedelta(hours=i + 1))
    make_post("Other")
    first = client.get("/", {"author": "alice"})
    older = first.context["page"].older
    assert f'href="?author=alice&amp;before={older}"' in first.text
    second = client.get("/", {"author": "alice", "before": older})
    assert titles(second) == ["A3", "A4"]


def filter_bar(response, value):
    """The filter bar's HTML with the filter's value written as VALUE."""
    bar = re.search(r'<div class="filter-bar".*?</div>', response.text, re.S).group(0)
    return bar.replace(value, "VALUE")


@pytest.mark.parametrize("name", ["tag", "series", "source"])
def test_the_filter_bar_names_nothing_readers_cannot_see(client, name):
    author = make_user()
    series = make_series("未发表的系列", slug="wei-fa-biao")
    source = Source.objects.create(
        title="停用的来源", feed_url="https://quiet.example.com/feed", is_active=False
    )
    hidden = make_post("草稿", author=author, status="draft", tags=["秘密标签"], series=series, source=source)
    make_post(
        "明天的文章", author=author, status="scheduled", published_at=timezone.now() + timedelta(days=1),
        tags=["秘密标签"], series=series, source=source, source_guid="later",
    )  # fmt: skip
    make_post("公开的文章", author=author, tags=["公开"])
    value, missing, name_shown = {
        "tag": ("mi-mi-biao-qian", "no-such-tag", "秘密标签"),
        "series": ("wei-fa-biao", "no-such-series", "未发表的系列"),
        "source": (str(source.pk), str(source.pk + 1000), "停用的来源"),
    }[name]
    headers = {"accept-language": "en"}

    response = client.get("/", {name: value}, headers=headers)
    assert name_shown not in response.text
    assert "No published posts match these filters." in response.text
    # Word for word what a value naming nothing gets: the reader cannot tell the two apart.
    nothing = client.get("/", {name: missing}, headers=headers)
    assert filter_bar(response, value) == filter_bar(nothing, missing)

    Post.objects.filter(pk=hidden.pk).publish()
    assert f"{name.capitalize()}: {name_shown}" in client.get("/", {name: value}, headers=headers).text
