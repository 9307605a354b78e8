"""Blog's admin: series with their parts in order, tags, the pinyin slug endpoint (posts are
tests/authoring/test_post_admin.py)."""

import pytest
from django.urls import reverse

from tests.factories import make_post, make_series, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client):
    user = make_user("editor", is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


def series_form(series, orders):
    """The series change form with its parts inline, each post given the position in `orders`."""
    data = {
        "title": series.title,
        "slug": series.slug,
        "description": "",
        "posts-TOTAL_FORMS": str(len(orders)),
        "posts-INITIAL_FORMS": str(len(orders)),
        "posts-MIN_NUM_FORMS": "0",
        "posts-MAX_NUM_FORMS": "1000",
    }
    for index, (post, order) in enumerate(orders):
        data |= {
            f"posts-{index}-id": post.pk,
            f"posts-{index}-series": series.pk,
            f"posts-{index}-series_order": str(order),
        }
    return data


def test_series_inline_swaps_two_parts(client, editor):
    series = make_series(slug="s")
    first = make_post("One", series=series, series_order=1)
    second = make_post("Two", series=series, series_order=2)
    url = reverse("admin:blog_series_change", args=[series.pk])
    response = client.post(url, series_form(series, [(first, 2), (second, 1)]))
    assert response.status_code == 302, response.context and response.context["inline_admin_formsets"]
    assert list(series.posts.order_by("series_order").values_list("title", flat=True)) == ["Two", "One"]


def test_series_inline_refuses_two_parts_in_one_position(client, editor):
    series = make_series(slug="s")
    first = make_post("One", series=series, series_order=1)
    second = make_post("Two", series=series, series_order=2)
    url = reverse("admin:blog_series_change", args=[series.pk])
    response = client.post(url, series_form(series, [(first, 1), (second, 1)]))
    assert response.status_code == 200
    assert list(series.posts.order_by("series_order").values_list("title", flat=True)) == ["One", "Two"]


def test_slug_endpoint_spells_pinyin_for_staff_only(client, editor):
    url = reverse("admin:blog_post_slug_for_title")
    assert client.get(url, {"title": "倒排索引"}).json() == {"slug": "dao-pai-suo-yin"}
    client.logout()
    assert client.get(url, {"title": "倒排索引"}).status_code == 302


def test_readers_cannot_open_the_admin(client):
    client.force_login(make_user("reader"))
    response = client.get(reverse("admin:blog_post_changelist"))
    assert response.status_code == 302


def test_taggits_own_unused_tag_admin_is_gone(client, editor):
    assert client.get("/admin/taggit/tag/").status_code == 404
    assert client.get(reverse("admin:blog_tag_changelist")).status_code == 200
