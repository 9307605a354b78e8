"""Every public page runs a constant number of SQL queries, however much content exists."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import make_post, make_series, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def lots_of_content():
    author = make_user("writer")
    series = make_series("S", slug="s")
    start = timezone.now() - timedelta(days=400)
    posts = []
    for i in range(30):
        posts.append(
            make_post(
                f"Post {i}",
                author=author,
                published_at=start + timedelta(days=i * 13),
                tags=[f"tag{i % 5}", "common", f"标签{i % 3}"],
                series=series if i % 2 else None,
            )
        )
    return posts


@pytest.mark.parametrize(
    ("url", "max_queries"),
    [
        # The timeline's filter control adds two (tags and series offered), once per content change.
        ("/", 5),
        ("/?tag=common&author=writer", 7),
        ("/tags/common/", 4),
        ("/series/s/", 3),
        ("/authors/writer/", 4),
        ("/archive/", 1),
    ],
)
def test_list_pages_have_a_fixed_query_budget(
    client, lots_of_content, django_assert_max_num_queries, url, max_queries
):
    with django_assert_max_num_queries(max_queries):
        assert client.get(url).status_code == 200


def test_older_pages_cost_the_same_as_the_first(
    client, lots_of_content, django_assert_max_num_queries, settings
):
    settings.TIMELINE_PAGE_SIZE = 5
    cursor = client.get("/").context["page"].older
    for _ in range(3):
        with django_assert_max_num_queries(3):
            response = client.get(f"/?before={cursor}")
        cursor = response.context["page"].older


def test_archive_year_has_a_fixed_query_budget(client, lots_of_content, django_assert_max_num_queries):
    year = lots_of_content[-1].published_at.astimezone(timezone.get_current_timezone()).year
    with django_assert_max_num_queries(1):
        assert client.get(f"/archive/{year}/").status_code == 200


def test_post_page_has_a_fixed_query_budget(client, lots_of_content, django_assert_max_num_queries):
    post = lots_of_content[15]
    assert post.series_id
    # The post, its tags, its series' parts, and its related posts (search's one statement).
    with django_assert_max_num_queries(4):
        assert client.get(post.get_absolute_url()).status_code == 200
