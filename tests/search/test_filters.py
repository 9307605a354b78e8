"""Every timeline filter narrows a search too, and a value naming nothing finds nothing."""

import pytest
from django.utils import timezone

from blog.models import Post, Source
from blog.timeline_filters import FILTERS
from search.indexing import index_posts, reindex_all
from tests.factories import make_post, make_series, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.search.urls")]


def found(client, **params):
    results = client.get("/search/", {"q": "BM25", **params}).context["results"]
    return {hit.post.title for hit in results.hits}


@pytest.fixture
def two_of_everything(warm_segmenter):
    """Two posts about BM25 differing in every filter: "wanted" is the one each filter picks."""
    local = timezone.get_current_timezone()
    source = Source.objects.create(title="Lab", feed_url="https://lab.example.com/feed.xml")
    make_post(
        "Wanted",
        body="BM25 ranking, explained.",
        author=make_user("alice"),
        language=Post.Language.ENGLISH,
        tags=["Ranking"],
        series=make_series("Ranking notes", slug="ranking-notes"),
        source=source,
        source_guid="lab-1",
        published_at=timezone.datetime(2024, 5, 1, tzinfo=local),
    )
    make_post(
        "Other",
        body="BM25 排序 的笔记。",
        author=make_user("bob"),
        language=Post.Language.CHINESE,
        tags=["排序"],
        published_at=timezone.datetime(2023, 5, 1, tzinfo=local),
    )
    reindex_all()
    return {
        "language": "en",
        "tag": "ranking",
        "series": "ranking-notes",
        "source": str(source.pk),
        "author": "alice",
        "year": "2024",
    }


@pytest.mark.parametrize("name", list(FILTERS))
def test_each_filter_narrows_the_search_as_it_narrows_the_timeline(client, two_of_everything, name):
    # A filter added to blog without its search translation fails here (the KeyError of
    # search.results.filtered_documents, or a missing value above).
    value = two_of_everything[name]
    assert found(client) == {"Wanted", "Other"}
    assert found(client, **{name: value}) == {"Wanted"}
    assert [post.title for post in client.get("/", {name: value}).context["posts"]] == ["Wanted"]


@pytest.mark.parametrize("value", ["en", "EN", "zh-hans", "zh"])
def test_the_language_reads_as_on_the_timeline(client, two_of_everything, value):
    expected = {"Wanted"} if value.lower() == "en" else {"Other"}
    assert found(client, language=value) == expected


def test_a_source_narrows_to_its_ingested_posts(client, two_of_everything):
    other = Source.objects.create(title="Quiet", feed_url="https://quiet.example.com/feed.xml")
    assert found(client, source=two_of_everything["source"]) == {"Wanted"}
    assert found(client, source=str(other.pk)) == set()


def test_filters_combine(client, two_of_everything):
    assert found(client, language="en", year="2024", author="alice") == {"Wanted"}
    assert found(client, language="en", year="2023") == set()


@pytest.mark.parametrize(
    "params",
    [
        {"tag": "<script>"},
        {"year": "0"},
        {"year": "1"},
        {"year": "9999"},
        {"source": "abc"},
        {"source": "0"},
        {"source": "9" * 30},
        {"language": "fr"},
        {"tag": "x" * 10_000},
        {"author": "x" * 10_000},
        {"language": "en", "series": "no such/series"},
    ],
)
def test_a_value_naming_nothing_finds_nothing_and_is_not_an_error(client, two_of_everything, params):
    response = client.get("/search/", {"q": "BM25", **params})
    assert response.status_code == 200
    assert response.context["results"].total == 0
    assert "<script>" not in response.content.decode()


def test_a_filter_the_facets_do_not_offer_rides_along_on_every_link(client, two_of_everything):
    context = client.get("/search/", {"q": "BM25", "language": "en"}).context
    links = [facet.url for facet in context["results"].tag_facets + context["results"].year_facets]
    assert links and all("language=en" in link for link in links)
    assert context["without_filters_url"] == "?q=BM25"


def test_searching_again_keeps_the_filters(client, two_of_everything):
    html = client.get("/search/", {"q": "BM25", "language": "en", "year": "2024"}).content.decode()
    assert '<input type="hidden" name="language" value="en">' in html
    assert '<input type="hidden" name="year" value="2024">' in html


def test_language_and_source_cost_no_query_of_their_own(
    client, two_of_everything, django_assert_max_num_queries
):
    with django_assert_max_num_queries(4):
        assert found(client, language="en", source=two_of_everything["source"]) == {"Wanted"}


def test_a_post_whose_language_is_corrected_is_found_under_its_new_one(client, warm_segmenter):
    """The document keeps a copy of the post's language: re-indexing the saved post brings it along."""
    post = make_post("Mislabelled", body="BM25 explained.", language=Post.Language.CHINESE)
    reindex_all()
    assert found(client, language="en") == set()
    post.language = Post.Language.ENGLISH
    post.save()
    index_posts([post.pk])  # what the worker's refresh_documents does after the save's commit
    assert found(client, language="en") == {"Mislabelled"}
    assert found(client, language="zh-hans") == set()
