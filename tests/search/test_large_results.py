"""Result sets too large to read every match: counted from the sample, shown as estimates."""

from dataclasses import replace
from datetime import timedelta

import pytest
from django.db.models import F
from django.utils import timezone

from blog.models import Post
from blog.timeline_filters import PostFilter
from search.indexing import reindex_all
from search.models import SAMPLE_RATE, SPARSE_SAMPLE_RATE
from search.plan import SearchPlan
from search.query import parse_query
from search.results import search_posts
from tests.factories import make_post, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.search.urls")]

POST_COUNT = 12 * SAMPLE_RATE
# The paths of a hundred thousand posts over a hundred: estimates from four sample matches up.
SMALL_PLAN = SearchPlan(sample_min=4, sparse_sample_min=10**9, recent_cutoff=3, rank_all_limit=20)


@pytest.fixture
def many_matches(settings, warm_segmenter):
    """POST_COUNT posts about 检索, a few of them hidden; searches run with SMALL_PLAN to fit.

    Returns (visible posts newest first, hidden posts).
    """
    settings.SEARCH_PLAN = SMALL_PLAN
    author = make_user("prolific")
    start = timezone.now() - timedelta(days=POST_COUNT + 1)
    visible, hidden = [], []
    for number in range(POST_COUNT):
        status = Post.Status.PUBLISHED
        published_at = start + timedelta(days=number)
        if number % 10 == 9:
            status = Post.Status.DRAFT
        elif number % 10 == 4:
            status, published_at = Post.Status.SCHEDULED, timezone.now() + timedelta(days=number)
        post = make_post(
            f"笔记 {number}",
            author=author,
            status=status,
            published_at=published_at,
            body="倒排索引与检索。",
            tags=["检索", f"tag{number % 3}"],
        )
        (visible if status == Post.Status.PUBLISHED else hidden).append(post)
    reindex_all()
    # Unpublished by a bulk update: its document stays until the next sync.
    Post.objects.filter(pk=visible[0].pk).unpublish()
    hidden.append(visible.pop(0))
    visible.sort(key=lambda post: post.published_at, reverse=True)
    return visible, hidden


def test_a_huge_result_set_is_estimated_from_the_sample(many_matches):
    visible, _ = many_matches
    found = search_posts(parse_query("倒排索引"))
    sample_matches = sum(1 for post in visible if post.pk % SAMPLE_RATE == 0)
    assert found.estimated
    assert found.total == sample_matches * SAMPLE_RATE
    assert abs(found.total - len(visible)) <= len(visible) // 2
    tag = {facet.name: facet.count for facet in found.tag_facets}
    assert tag["检索"] == found.total
    assert all(count % SAMPLE_RATE == 0 for count in tag.values())


def test_the_largest_sets_are_estimated_from_the_sparse_sample(many_matches):
    visible, _ = many_matches
    sparse_matches = sum(1 for post in visible if post.pk % SPARSE_SAMPLE_RATE == 0)
    found = search_posts(parse_query("倒排索引"), plan=replace(SMALL_PLAN, sparse_sample_min=1))
    if not sparse_matches:
        pytest.skip("no visible post fell in the sparse sample")
    assert found.estimated
    assert found.total == sparse_matches * SPARSE_SAMPLE_RATE
    assert found.hits


def test_an_estimated_set_still_finds_the_most_recent_visible_posts(many_matches):
    visible, hidden = many_matches
    hidden_ids = {post.pk for post in hidden}
    seen = []
    for page in range(1, 4):
        seen.extend(hit.post.pk for hit in search_posts(parse_query("倒排索引"), page=page).hits)
    assert not hidden_ids & set(seen)
    # Body-only matches of equal weight rank by recency: the newest visible posts lead.
    assert seen[:5] == [post.pk for post in visible[:5]]


def test_filters_narrow_an_estimated_set_too(many_matches):
    visible, _ = many_matches
    found = search_posts(parse_query("倒排索引"), PostFilter(tag="tag1"))
    assert {hit.post.pk for hit in found.hits} <= {post.pk for post in visible if "tag1" in post.tags.names()}
    assert found.hits


def test_a_year_narrows_an_estimated_set_and_its_most_recent_posts(many_matches):
    visible, _ = many_matches
    # The older half moves back a year by a bulk update: the documents follow (a trigger).
    older = visible[len(visible) // 2 :]
    Post.objects.filter(pk__in=[post.pk for post in older]).update(
        published_at=F("published_at") - timedelta(days=366)
    )
    by_year = {}
    moved = Post.objects.published().filter(pk__in=[post.pk for post in visible])
    for post in moved.order_by("-published_at", "-pk"):
        by_year.setdefault(timezone.localtime(post.published_at).year, []).append(post.pk)
    assert len(by_year) >= 2
    for year, posts in by_year.items():
        found = search_posts(parse_query("倒排索引"), PostFilter(year=year))
        if len(posts) >= 4 * SAMPLE_RATE:  # with a sample large enough to estimate from
            assert found.estimated
        seen = [hit.post.pk for hit in found.hits]
        assert set(seen) <= set(posts)
        assert seen[:5] == posts[:5]


def test_the_page_says_about(client, many_matches, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        response = client.get("/search/", {"q": "倒排索引"})
    assert response.context["results"].estimated
    html = response.content.decode()
    assert "约 " in html or "About " in html
    assert "≈" in html
    api = client.get("/search/api/", {"q": "倒排索引"}).json()
    assert api["count_is_estimate"] is True
    assert api["count"] == response.context["results"].total


def test_counts_of_suggestions_are_estimated_when_huge(many_matches):
    found = search_posts(parse_query("倒排索引 nothinglikethis"))
    assert found.total == 0
    (suggestion,) = found.suggestions
    assert suggestion.estimated and suggestion.count % SAMPLE_RATE == 0


def test_small_result_sets_are_exact(corpus):
    found = search_posts(parse_query("倒排索引"))
    assert not found.estimated


def test_the_heading_pool_is_the_same_whether_its_recent_window_is_enough_or_not(many_matches):
    def pages(heading_cutoff):
        plan = replace(
            SMALL_PLAN,
            heading_pool=3,
            recent_pool=2,
            heading_cutoff=heading_cutoff,
            heading_window_min_total=0,  # however small the set
        )
        return [
            [hit.post.pk for hit in search_posts(parse_query("检索"), page=page, per_page=2, plan=plan).hits]
            for page in (1, 2, 3)
        ]

    everything = pages(10**6)  # no window: every heading match is read
    assert pages(1) == everything  # a window too small: falls back to every heading match
    assert pages(4) == everything  # a window holding enough of them
    assert everything[0]
