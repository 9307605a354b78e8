"""Text PostgreSQL cannot store (NUL, lone surrogates) gets a clear 400 wherever it is sent."""

import pytest
from django.db import DataError, connection, transaction
from hypothesis import given, strategies
from hypothesis import settings as hypothesis_settings

from blog.storable_text import is_storable
from tests.factories import make_post, make_user

pytestmark = pytest.mark.django_db

ENGLISH = {"accept-language": "en"}
MESSAGE = "a character the site cannot read"


@pytest.mark.parametrize(
    "url",
    [
        "/?tag=%00",
        "/?series=%00",
        "/?author=%00",
        "/?source=%00",
        "/?a%00b=1",
        "/?tag=a%00b&series=ok",
        "/authors/%00/",
        "/authors/a%00b/feed.atom",
        "/authors/%00/feed.rss",
        "/feeds/me/%00.atom",
        "/posts/%00/",
        "/search/?q=%00",
        "/accounts/preview/%00/",
    ],
)
def test_a_nul_in_the_address_is_a_400_that_says_why(client, url):
    make_post("Visible", author=make_user("writer"), tags=["t"])
    response = client.get(url, headers=ENGLISH)
    assert response.status_code == 400
    assert MESSAGE in response.text
    assert "Go to the latest posts" in response.text


def test_the_400_page_speaks_the_readers_language(client):
    response = client.get("/?tag=%00", headers={"accept-language": "zh-hans"})
    assert response.status_code == 400
    assert "无法读取的字符" in response.text


@pytest.mark.parametrize(
    "url",
    [
        "/admin/blog/post/?status__exact=%00",
        "/admin/blog/post/?q=%00",
        "/admin/autocomplete/?term=%00&app_label=blog&model_name=post&field_name=series",
    ],
)
def test_admin_filters_and_autocomplete_refuse_a_nul(client, url):
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    assert client.get(url, headers=ENGLISH).status_code == 400


def test_a_nul_in_a_form_field_is_refused_before_the_form_sees_it(client):
    response = client.post(
        "/accounts/login/", {"username": "reader\x00@example.test", "password": "x"}, headers=ENGLISH
    )
    assert response.status_code == 400
    assert MESSAGE in response.text


def test_a_nul_in_the_session_cookie_never_reaches_the_session_table(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/", headers={"cookie": 'sessionid="abcdefgh\\000ijkl"'})
    assert response.status_code == 400


def test_ordinary_text_passes(client):
    make_post("周报", author=make_user("writer"), tags=["搜索"])
    assert client.get("/?tag=sou-suo&q=%25_%5C").status_code == 200
    assert client.get("/search/?q=C%2B%2B+%26+%7C+%21").status_code == 200


def round_trips_through_postgres(text):
    """Whether PostgreSQL stores `text` as a text value and gives the same text back."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT %s::text", [text])
            return cursor.fetchone()[0] == text
    except (DataError, UnicodeEncodeError):
        return False


# Every code point, surrogates included (Hypothesis leaves them out unless asked).
any_text = strategies.text(strategies.characters(exclude_categories=()), max_size=20)


@hypothesis_settings(max_examples=300, deadline=None, database=None, derandomize=True)
@given(text=any_text)
def test_storable_means_exactly_what_postgres_can_store(text):
    # Each example in a savepoint: a refused value must not abort the test's transaction.
    with transaction.atomic():
        assert is_storable(text) == round_trips_through_postgres(text)
        transaction.set_rollback(True)
