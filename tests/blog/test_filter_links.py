"""The links that change a filter: they keep the other filters, start again from the newest posts,
and write every value the same way wherever they appear (the timeline, search)."""

import pytest
from bs4 import BeautifulSoup
from django.http import QueryDict

from blog.timeline_filters import PostFilter
from tests.factories import make_post, make_user

ENGLISH = {"accept-language": "en"}


def test_links_write_the_filters_in_one_order_whatever_order_they_came_in():
    given = QueryDict("year=2024&author=alice&tag=python&language=en&series=s&source=3&before=abc&q=x")
    assert PostFilter.from_query(given).url() == (
        "?language=en&tag=python&series=s&source=3&author=alice&year=2024"
    )


def test_setting_one_filter_keeps_the_others_and_replaces_its_own_value():
    filters = PostFilter(tag="python", year="2024")
    assert filters.with_value("tag", "rust").url() == "?tag=rust&year=2024"
    assert filters.with_value("author", "alice").url() == "?tag=python&author=alice&year=2024"
    assert filters.without("tag").url() == "?year=2024"
    assert filters.without("tag").without("year").url() == "?"


def test_a_toggled_filter_is_set_or_removed_as_a_facet_needs():
    filters = PostFilter(tag="python", year="2024")
    assert filters.toggled("year", "2024").url() == "?tag=python"
    assert filters.toggled("year", "2023").url() == "?tag=python&year=2023"
    assert filters.toggled("series", "s").url() == "?tag=python&series=s&year=2024"
    # A value spelt another way names the same thing: the facet reads as active.
    assert PostFilter(language="EN").has("language", "en")
    assert PostFilter(year="02024").has("year", "2024")
    assert not PostFilter(year="abc").has("year", "abc")


def test_a_page_s_own_parameters_go_around_the_filters_and_blank_ones_are_left_out():
    filters = PostFilter(tag="python")
    query = "?q=%E5%80%92%E6%8E%92+%E7%B4%A2%E5%BC%95"
    assert filters.url({"q": "倒排 索引"}, {"page": 2}) == f"{query}&tag=python&page=2"
    assert filters.url({"q": ""}, {"page": None}) == "?tag=python"


def test_values_are_escaped_and_carried_as_given():
    filters = PostFilter(author="a&b=c", tag=" python ")
    assert filters.url() == "?tag=python&author=a%26b%3Dc"
    assert filters.query_string() == "tag=python&author=a%26b%3Dc"


def test_an_unknown_filter_name_is_a_programming_error_not_a_silent_no_op():
    with pytest.raises(TypeError, match="colour"):
        PostFilter(colour="red")


@pytest.mark.django_db
def test_the_timeline_s_filter_links_keep_the_other_filters_and_drop_the_cursor(client, settings):
    settings.TIMELINE_PAGE_SIZE = 1
    alice = make_user("alice")
    for number in range(3):
        make_post(f"Alice {number}", author=alice, tags=["Python"])
    first = client.get("/", {"tag": "python", "author": "alice"})
    older = first.context["page"].older
    response = client.get("/", {"tag": "python", "author": "alice", "before": older}, headers=ENGLISH)
    page = BeautifulSoup(response.text, "html.parser")
    removals = [link["href"] for link in page.select(".filter-chip a")]
    assert removals == ["?author=alice", "?tag=python"]
    # The control sends the filters only: changing one starts from the newest posts again.
    form = page.select_one("form.timeline-filter")
    sent = [field["name"] for field in form.select("select, input")]
    assert sent == ["language", "tag", "series", "author"]
    # The pager is the one link that carries a cursor, beside every filter.
    pager = [link["href"] for link in page.select("nav.pager a")]
    assert all(href.startswith("?tag=python&author=alice&") for href in pager) and pager
