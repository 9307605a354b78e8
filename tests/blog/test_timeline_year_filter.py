"""?year= on the timeline: the posts of one year in the site's time zone, as search's year facet counts."""

import pytest
from django.utils import timezone

from tests.factories import make_post, make_user

pytestmark = pytest.mark.django_db
ENGLISH = {"accept-language": "en"}


def titles(response):
    return [post.title for post in response.context["posts"]]


@pytest.fixture
def new_year_posts():
    local = timezone.get_current_timezone()
    # 00:30 on New Year's Day in Shanghai is still the previous year in UTC, and the reverse.
    make_post("新年 早", published_at=timezone.datetime(2024, 1, 1, 0, 30, tzinfo=local), tags=["检索"])
    make_post("除夕 晚", published_at=timezone.datetime(2023, 12, 31, 23, 30, tzinfo=local), tags=["检索"])
    make_post("Summer 2024", published_at=timezone.datetime(2024, 7, 1, tzinfo=local), tags=["Python"])


def test_the_year_keeps_that_year_s_posts_in_the_site_time_zone(client, new_year_posts):
    assert titles(client.get("/", {"year": "2024"})) == ["Summer 2024", "新年 早"]
    assert titles(client.get("/", {"year": "2023"})) == ["除夕 晚"]
    assert titles(client.get("/", {"year": "2022"})) == []


def test_the_year_combines_with_a_tag_and_shows_a_removable_chip(client, new_year_posts):
    response = client.get("/", {"tag": "jian-suo", "year": "2024"}, headers=ENGLISH)
    assert titles(response) == ["新年 早"]
    assert "Year: 2024" in response.text
    assert 'href="?tag=jian-suo"' in response.text  # removing the year keeps the tag
    assert 'href="?year=2024"' in response.text  # removing the tag keeps the year
    # The control does not offer years: the year rides along when the form is sent again.
    assert '<input type="hidden" name="year" value="2024">' in response.text


def test_the_more_link_keeps_the_year(client, settings):
    settings.TIMELINE_PAGE_SIZE = 2
    author = make_user()
    local = timezone.get_current_timezone()
    for day in range(3):
        published_at = timezone.datetime(2024, 3, 1 + day, tzinfo=local)
        make_post(f"2024-{day}", author=author, published_at=published_at)
    make_post("2023", author=author, published_at=timezone.datetime(2023, 3, 1, tzinfo=local))
    first = client.get("/", {"year": "2024"})
    older = first.context["page"].older
    assert f'href="?year=2024&amp;before={older}"' in first.text
    assert titles(client.get("/", {"year": "2024", "before": older})) == ["2024-0"]


@pytest.mark.parametrize("year", ["1", "9999"])
def test_the_first_and_last_years_are_empty_not_errors(client, new_year_posts, year):
    response = client.get("/", {"year": year}, headers=ENGLISH)
    assert response.status_code == 200
    assert titles(response) == []
    assert "No published posts match these filters." in response.text


def test_a_year_filter_costs_no_query_of_its_own(client, new_year_posts, django_assert_max_num_queries):
    client.get("/")  # the control's choices, cached under the content version
    with django_assert_max_num_queries(2):  # the page's posts and their tags, as without a filter
        assert client.get("/", {"year": "2024"}).status_code == 200
