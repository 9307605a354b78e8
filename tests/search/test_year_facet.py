"""Readers narrow results by year: the facet's counts are what the year filter then finds."""

import pytest
from django.utils import timezone

from blog.timeline_filters import PostFilter
from search.indexing import reindex_all
from search.query import parse_query
from search.results import search_posts
from tests.factories import make_post

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.search.urls")]


@pytest.fixture
def posts_over_years(warm_segmenter):
    local = timezone.get_current_timezone()
    made = []
    for year, count in ((2022, 1), (2023, 3), (2024, 2)):
        for number in range(count):
            made.append(
                make_post(
                    f"检索笔记 {year}-{number}",
                    body="倒排索引 检索",
                    published_at=timezone.datetime(year, 6, 1 + number, tzinfo=local),
                )
            )
    # Just after midnight on New Year's Day in Shanghai: still 2024 in UTC, 2025 here.
    made.append(
        make_post(
            "跨年 检索", body="倒排索引", published_at=timezone.datetime(2025, 1, 1, 0, 30, tzinfo=local)
        )
    )
    reindex_all()
    return made


def test_year_counts_match_what_each_year_finds(posts_over_years):
    results = search_posts(parse_query("倒排索引"))
    years = [(facet.name, facet.count) for facet in results.year_facets]
    assert years == [("2025", 1), ("2024", 2), ("2023", 3), ("2022", 1)]
    assert sum(count for _, count in years) == results.total
    for name, count in years:
        narrowed = search_posts(parse_query("倒排索引"), PostFilter(year=int(name)))
        assert narrowed.total == count == len(narrowed.hits)
        assert [(facet.name, facet.count) for facet in narrowed.year_facets] == [(name, count)]


def test_the_page_links_each_year_and_the_api_lists_them(client, posts_over_years):
    response = client.get("/search/", {"q": "倒排索引"})
    html = response.content.decode()
    assert "?q=%E5%80%92%E6%8E%92%E7%B4%A2%E5%BC%95&amp;year=2023" in html
    narrowed = client.get("/search/", {"q": "倒排索引", "year": "2023"})
    (facet,) = narrowed.context["results"].year_facets
    assert facet.active and "year=" not in facet.url
    api = client.get("/search/api/", {"q": "倒排索引"}).json()
    assert api["facets"]["years"] == [
        {"name": "2025", "slug": "2025", "count": 1},
        {"name": "2024", "slug": "2024", "count": 2},
        {"name": "2023", "slug": "2023", "count": 3},
        {"name": "2022", "slug": "2022", "count": 1},
    ]
    assert api["count"] == sum(year["count"] for year in api["facets"]["years"])
