"""Search's facet and pager links: the timeline's parameters, the other filters kept, page 1 again."""

from urllib.parse import parse_qsl

import pytest
from bs4 import BeautifulSoup
from django.utils import timezone

from search.indexing import reindex_all
from tests.factories import make_post, make_series, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.search.urls")]


@pytest.fixture
def many_notes(warm_segmenter):
    """Twenty-four notes on 倒排索引 by alice: 2023 and 2024, tagged 检索, half in a series."""
    local = timezone.get_current_timezone()
    alice, series = make_user("alice"), make_series("索引系列", slug="suo-yin")
    for number in range(24):
        make_post(
            f"笔记 {number}",
            author=alice,
            body=f"倒排索引 第 {number} 篇。",
            tags=["检索", "Python" if number % 2 else "Rust"],
            series=series if number % 2 else None,
            published_at=timezone.datetime(2023 + number % 2, 3, 1 + number, tzinfo=local),
        )
    reindex_all()


def params(url):
    return parse_qsl(url.removeprefix("?"))


def test_a_tag_facet_and_the_timeline_name_a_tag_with_the_same_parameter(client, many_notes, settings):
    settings.TIMELINE_PAGE_SIZE = 50
    search = client.get("/search/", {"q": "倒排索引"})
    facet = next(facet for facet in search.context["results"].tag_facets if facet.name == "检索")
    timeline = BeautifulSoup(client.get("/").text, "html.parser")
    tag_options = timeline.select('form.timeline-filter select[name="tag"] option')
    offered = {option["value"] for option in tag_options}
    assert ("tag", facet.slug) in params(facet.url) and facet.slug in offered
    # The facet's filters, followed on the timeline, list the same posts the facet counts.
    filters_only = [(name, value) for name, value in params(facet.url) if name != "q"]
    on_timeline = client.get("/", dict(filters_only)).context["page"]
    assert filters_only == [("tag", "jian-suo")] and len(on_timeline.posts) == facet.count == 24


def test_facet_links_keep_the_other_filters_and_start_from_page_one(client, many_notes):
    response = client.get("/search/", {"q": "倒排索引", "author": "alice", "year": "2024", "page": 2})
    results = response.context["results"]
    assert results.page == 2
    for facet in results.tag_facets + results.series_facets:
        assert params(facet.url)[:1] == [("q", "倒排索引")]
        assert ("author", "alice") in params(facet.url) and ("year", "2024") in params(facet.url)
        assert "page" not in dict(params(facet.url))
    (year,) = results.year_facets
    assert year.active and params(year.url) == [("q", "倒排索引"), ("author", "alice")]


def test_the_pager_carries_the_query_the_filters_and_the_page_last(client, many_notes):
    context = client.get("/search/", {"q": "倒排索引", "tag": "python"}).context
    assert params(context["next_url"]) == [("q", "倒排索引"), ("tag", "python"), ("page", "2")]
    second = client.get("/search/", dict(params(context["next_url"]))).context
    assert params(second["previous_url"]) == [("q", "倒排索引"), ("tag", "python"), ("page", "1")]
    assert params(second["without_filters_url"]) == [("q", "倒排索引")]
