"""A query that finds nothing is corrected from the index's own words: typos, and pinyin for Chinese."""

import pytest

from search.indexing import index_posts
from search.query import parse_query
from search.results import search_posts
from search.vocabulary import pinyin_of, rebuild_vocabulary, toneless
from tests.factories import make_post

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.search.urls")]


def found_ids(text):
    return {hit.post.pk for hit in search_posts(parse_query(text), per_page=50).hits}


@pytest.mark.parametrize(
    ("typed", "meant"), [("Atention", "attention"), ("gradiant", "gradient"), ("transfomer", "transformer")]
)
def test_a_misspelt_word_is_corrected_to_the_word_the_posts_use(corpus, typed, meant):
    results = search_posts(parse_query(typed), per_page=50)
    assert results.corrected_query == meant
    assert results.correction_kind == "spelling"
    assert results.total and {hit.post.pk for hit in results.hits} == found_ids(meant)


@pytest.mark.parametrize(
    ("typed", "chinese"),
    [
        ("qiang hua xue xi", "强化学习"),
        ("qianghuaxuexi", "强化学习"),
        ("qiáng huà xué xí", "强化学习"),
        ("qiang2hua4 xue2xi2", "强化学习"),
        ("daopai suoyin", "倒排索引"),
        ("daopaisuoyin", "倒排索引"),
        ("Dào Pái Suǒ Yǐn", "倒排索引"),
    ],
)
def test_pinyin_finds_the_posts_its_chinese_spelling_finds(corpus, typed, chinese):
    results = search_posts(parse_query(typed), per_page=50)
    assert results.correction_kind == "pinyin"
    assert results.corrected_query.replace(" ", "") == chinese
    assert results.total and {hit.post.pk for hit in results.hits} == found_ids(chinese)


def test_a_query_that_finds_posts_is_never_corrected(corpus):
    results = search_posts(parse_query("attention"))
    assert results.total and not results.corrected_query


def test_nothing_like_any_word_stays_uncorrected_with_its_suggestions(corpus):
    results = search_posts(parse_query("倒排索引 qqqqxxxzzz"))
    assert results.total == 0 and not results.corrected_query
    assert [suggestion.text for suggestion in results.suggestions] == ["倒排索引"]


def test_a_correction_never_offers_a_word_only_a_draft_or_scheduled_post_holds(corpus):
    from datetime import timedelta

    from django.utils import timezone

    from blog.models import Post

    draft = make_post("Quaternion notes", body="quaternion rotation", status=Post.Status.DRAFT)
    later = make_post(
        "Octonion notes",
        body="octonion algebra",
        status=Post.Status.SCHEDULED,
        published_at=timezone.now() + timedelta(days=3),
    )
    index_posts([draft.pk, later.pk])
    rebuild_vocabulary()
    for typo in ("quaternoin", "octonoin"):
        results = search_posts(parse_query(typo))
        assert results.total == 0 and not results.corrected_query


def test_a_new_posts_words_can_be_suggested_before_any_rebuild(corpus):
    post = make_post("Backpropagation by hand", body="backpropagation through time")
    index_posts([post.pk])
    results = search_posts(parse_query("backpropogation"))
    assert results.corrected_query == "backpropagation"
    assert [hit.post.pk for hit in results.hits] == [post.pk]


def test_the_page_and_the_api_say_the_results_are_for_the_correction(client, corpus):
    response = client.get("/search/", {"q": "transfomer"})
    html = response.content.decode()
    assert response.context["results"].corrected_query == "transformer"
    assert "“transfomer”" in html and "“transformer”" in html
    assert 'class="search-correction"' in html
    api = client.get("/search/api/", {"q": "daopai suoyin"}).json()
    assert api["corrected_query"] == "倒排索引"
    assert api["count"] == len(api["results"]) == 1
    assert client.get("/search/api/", {"q": "倒排索引"}).json()["corrected_query"] is None


def test_hostile_corrections_are_escaped(client, corpus):
    make_post("<script>alert(1)</script> attention", body="<b>attention</b> please")
    response = client.get("/search/", {"q": "<script>atention"})
    assert "<script>alert" not in response.content.decode()


def test_a_corrected_page_costs_a_fixed_number_of_queries(client, corpus, django_assert_max_num_queries):
    for text in ("transfomer", "qiang hua xue xi"):
        with django_assert_max_num_queries(6):
            assert client.get("/search/", {"q": text}).context["results"].corrected_query


def test_pinyin_of_vocabulary_words_and_of_what_readers_type():
    assert pinyin_of("强化学习") == "qianghuaxuexi"
    assert pinyin_of("绿色") == "lvse"
    assert pinyin_of("GPT模型") == ""
    assert toneless("Lǜ Sè") == "lv se"
    assert toneless("qiang2 hua4") == "qiang hua"
