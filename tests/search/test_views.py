"""The search page and the JSON endpoint, as readers and scripts use them."""

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import make_post, make_series, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.search.urls")]


def test_empty_query_shows_the_form(client):
    response = client.get("/search/")
    assert response.status_code == 200
    assert response.context["results"] is None
    assert b'name="q"' in response.content


@pytest.mark.parametrize("q", ["", "   ", "，。！？", "---", '"', "the", "-python"])
def test_nothing_to_search_shows_the_form_not_an_error(client, q):
    response = client.get("/search/", {"q": q})
    assert response.status_code == 200
    assert response.context["results"] is None


def test_results_with_highlights_and_facets(client, corpus):
    response = client.get("/search/", {"q": "DeepSeek"})
    assert response.status_code == 200
    results = response.context["results"]
    assert results.total == 3
    assert {hit.post.pk for hit in results.hits} == {
        corpus[key].pk for key in ("deepseek-moe", "deepseek-mla", "deepseek-r1")
    }
    assert ("DeepSeek", 3) in [(facet.name, facet.count) for facet in results.tag_facets]
    assert [(facet.name, facet.count) for facet in results.series_facets] == [("DeepSeek 系列", 3)]
    assert "<mark>DeepSeek</mark>-V3" in response.content.decode()
    # Each hit lists its post's tags, linked.
    for hit in results.hits:
        assert sorted(tag.name for tag in hit.tags) == sorted(hit.post.tags.names())
    deepseek = next(tag for tag in results.hits[0].tags if tag.name == "DeepSeek")
    assert f'href="{deepseek.get_absolute_url()}">#DeepSeek</a>' in response.content.decode()


def test_facet_counts_cover_all_results_not_just_the_page(client, corpus):
    first = client.get("/search/", {"q": "python"}).context["results"]
    second = client.get("/search/", {"q": "python", "page": 2}).context["results"]
    assert first.total > 10 >= len(first.hits)
    assert first.tag_facets == second.tag_facets
    python = next(facet for facet in first.tag_facets if facet.name == "Python")
    on_second_page = sum("Python" in [tag.name for tag in hit.tags] for hit in second.hits)
    assert python.count == 10 > on_second_page


def test_filters_narrow_the_results(client, corpus):
    assert client.get("/search/", {"q": "python", "tag": "bing-fa"}).context["results"].total == 2
    series = corpus["deepseek-r1"].series
    assert client.get("/search/", {"q": "注意力", "series": series.slug}).context["results"].total == 1
    assert client.get("/search/", {"q": "python", "author": "corpus-author"}).context["results"].total > 0
    assert client.get("/search/", {"q": "python", "author": "nobody"}).context["results"].total == 0
    year = corpus["deepseek-r1"].published_at.astimezone(timezone.get_current_timezone()).year
    assert client.get("/search/", {"q": "GRPO", "year": year}).context["results"].total == 1
    assert client.get("/search/", {"q": "GRPO", "year": year - 5}).context["results"].total == 0


@pytest.mark.parametrize(
    "params",
    [
        {"year": "abc"},
        {"year": "²⁰²⁴"},
        {"year": "٢٠٢٤"},
        {"tag": "<b>"},
        {"author": "a" * 500},
        {"page": "-1"},
        {"page": "²"},
        {"page": "9" * 30},
        {"year": "0"},
    ],
)
def test_malformed_filters_are_not_errors(client, corpus, params):
    assert client.get("/search/", {"q": "python", **params}).status_code == 200


def test_a_nul_in_the_query_or_a_filter_is_a_bad_request_as_on_every_page(client, corpus):
    # blog.storable_text refuses it before the view: PostgreSQL text cannot hold one.
    for params in [{"q": "py\x00thon"}, {"q": "python", "tag": "x\x00y"}]:
        assert client.get("/search/", params).status_code == 400
        assert client.get("/search/api/", params).status_code == 400


def test_helpful_empty_state(client, corpus):
    response = client.get("/search/", {"q": "倒排索引 Zzyzxq"})
    assert response.status_code == 200
    results = response.context["results"]
    assert results.total == 0
    assert [(suggestion.text, suggestion.count) for suggestion in results.suggestions] == [("倒排索引", 1)]
    assert "?q=%E5%80%92%E6%8E%92%E7%B4%A2%E5%BC%95" in response.content.decode()


def test_empty_state_offers_dropping_the_filters(client, corpus):
    results = client.get("/search/", {"q": "倒排索引", "tag": "python"}).context["results"]
    assert results.total == 0
    assert results.total_without_filters == 1


def test_titles_and_bodies_are_escaped(client):
    make_post(
        '<script>alert("t")</script> XSS 倒排索引', body="<img src=x onerror=alert(1)> 倒排索引 <b>bold</b>"
    )
    from search.indexing import reindex_all

    reindex_all()
    html = client.get("/search/", {"q": "倒排索引"}).content.decode()
    assert '<script>alert("t")' not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;" in html
    api = client.get("/search/api/", {"q": "倒排索引"}).json()
    assert "<img" not in api["results"][0]["snippet"]


def test_json_endpoint(client, corpus):
    response = client.get("/search/api/", {"q": "梯度检查点"})
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 1
    assert data["count_is_estimate"] is False
    (result,) = data["results"]
    post = corpus["gradient-checkpointing"]
    assert result["id"] == post.pk
    assert result["title"] == post.title
    assert result["url"] == f"http://testserver{post.get_absolute_url()}"
    assert "<mark>梯度检查点</mark>" in result["snippet"]
    assert result["score"] > 0
    assert result["published_at"] == post.published_at.isoformat()
    assert client.get("/search/api/", {"q": ""}).json() == {
        "query": "",
        "count": 0,
        "count_is_estimate": False,
        "corrected_query": None,
        "page": 1,
        "pages": 0,
        "results": [],
        "facets": {"tags": [], "series": [], "years": []},
    }


def test_pages(client, corpus):
    first = client.get("/search/", {"q": "python"}).context
    second = client.get("/search/", {"q": "python", "page": 2}).context
    assert first["next_url"] and second["previous_url"]
    assert not {hit.post.pk for hit in first["results"].hits} & {
        hit.post.pk for hit in second["results"].hits
    }


def test_search_box_partial_renders(client):
    from django.template.loader import render_to_string

    html = render_to_string("search/_search_box.html")
    assert 'action="/search/"' in html and 'name="q"' in html


def many_posts(count):
    author = make_user("prolific")
    series = make_series("长系列", slug="long-series")
    start = timezone.now() - timedelta(days=400)
    for number in range(count):
        make_post(
            f"检索笔记 {number}",
            author=author,
            body=f"倒排索引与 BM25 的第 {number} 篇笔记。",
            published_at=start + timedelta(days=number),
            tags=[f"tag{number % 7}", "检索"],
            series=series if number % 2 else None,
        )


@pytest.mark.parametrize("count", [3, 40])
def test_a_search_page_costs_a_fixed_number_of_queries(
    client, django_assert_max_num_queries, warm_segmenter, count
):
    from search.indexing import reindex_all

    many_posts(count)
    reindex_all()
    pages = []
    for params in [
        {"q": "倒排索引"},
        {"q": "倒排索引", "series": "long-series"},
        {"q": "倒排索引", "tag": "tag1"},
        {"q": "倒排索引 nothinglikethis"},
    ]:
        with django_assert_max_num_queries(4):
            response = client.get("/search/", params)
        assert response.status_code == 200
        pages.append(response.content.decode())
    # Each hit shows its date, series and tags without a query of its own.
    html = pages[1]
    assert html.count('search-hit"') == min(count // 2, 10)
    assert 'class="series-badge" href="/series/long-series/"' in html
    assert ">#检索</a>" in html and "<time datetime=" in html
    with django_assert_max_num_queries(4):
        assert client.get("/search/api/", {"q": "BM25"}).status_code == 200


# No NUL: every page refuses one before the view (test_a_nul_in_the_query_or_a_filter_is_a_bad_request…).
FUZZ_ALPHABET = list(
    "倒排索引梯度檢查點 \"“”「」-–—'\\|&!:*()<>[]{}%_.,;?/+#@$^~`=\t\n\r\x7f\u200b\ufeffaZ09ｚ９🙂"
)


def test_fuzzed_queries_never_fail(client, corpus, settings):
    settings.SEARCH_API_REQUESTS_PER_IP = 1000  # 300 from one client here; the limit: test_api_limits
    rng = random.Random(7)
    for _ in range(300):
        q = "".join(rng.choice(FUZZ_ALPHABET) for _ in range(rng.randint(0, 260)))
        for url in ("/search/", "/search/api/"):
            response = client.get(url, {"q": q, "tag": rng.choice(["", q[:10], "python"])})
            assert response.status_code == 200, repr(q)


def test_the_year_filter_counts_years_in_the_site_time_zone(client, warm_segmenter):
    from search.indexing import reindex_all

    local = timezone.get_current_timezone()
    # 00:30 on New Year's Day in Shanghai is still the previous year in UTC, and the reverse.
    early = make_post(
        "新年 早", body="跨年 检索", published_at=timezone.datetime(2024, 1, 1, 0, 30, tzinfo=local)
    )
    late = make_post(
        "除夕 晚", body="跨年 检索", published_at=timezone.datetime(2023, 12, 31, 23, 30, tzinfo=local)
    )
    reindex_all()

    def found(year):
        results = client.get("/search/", {"q": "跨年", "year": year}).context["results"]
        return {hit.post.pk for hit in results.hits}

    assert found(2024) == {early.pk}
    assert found(2023) == {late.pk}
