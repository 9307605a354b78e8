"""The archive: a page per year with posts, and no page at all for numbers that are not years."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from tests.factories import make_post

pytestmark = pytest.mark.django_db


def test_each_year_with_posts_links_to_its_page(client):
    post = make_post("今年的文章", published_at=timezone.now() - timedelta(days=1))
    year = post.published_at.astimezone(timezone.get_current_timezone()).year
    index = client.get("/archive/")
    assert f'href="/archive/{year}/"' in index.text
    assert "今年的文章" in client.get(f"/archive/{year}/").text


@pytest.mark.parametrize("year", ["0", "00000", "10000", "2147483648", "9" * 30])
def test_a_number_outside_the_calendar_is_not_found_rather_than_an_error(client, year):
    assert client.get(f"/archive/{year}/").status_code == 404


def test_the_first_and_last_years_of_the_calendar_are_years_like_any_other(client):
    make_post("Antique", published_at=datetime(1, 6, 1, tzinfo=UTC))
    first = client.get("/archive/1/")
    assert first.status_code == 200 and "Antique" in first.text
    assert 'href="/archive/1/"' in client.get("/archive/").text
    assert client.get("/archive/9999/").status_code == 404  # a real year, with nothing in it
