"""Series: parts in order, "part k of n", previous/next, and order enforced by the database."""

import pytest
from django.db import IntegrityError, transaction

from blog.models import Post
from tests.factories import make_post, make_series

pytestmark = pytest.mark.django_db


def test_series_page_lists_parts_in_order(client):
    series = make_series("DeepSeek 系列", slug="deepseek")
    make_post("Part two", series=series, series_order=2)
    make_post("Part one", series=series, series_order=1)
    make_post("Part three", series=series, series_order=3)
    response = client.get("/series/deepseek/")
    assert [post.title for post in response.context["posts"]] == ["Part one", "Part two", "Part three"]


def test_post_page_shows_position_and_neighbours(client):
    series = make_series("DeepSeek 系列", slug="deepseek")
    first = make_post("Part one", series=series, series_order=1)
    second = make_post("Part two", series=series, series_order=2)
    third = make_post("Part three", series=series, series_order=3)
    response = client.get(second.get_absolute_url(), headers={"accept-language": "en"})
    assert "part 2 of 3" in response.text
    assert f'rel="prev" href="{first.get_absolute_url()}"' in response.text
    assert f'rel="next" href="{third.get_absolute_url()}"' in response.text
    last = client.get(third.get_absolute_url())
    assert last.context["next_in_series"] is None
    assert last.context["previous_in_series"] == second


def test_new_part_without_order_goes_last():
    series = make_series()
    make_post(series=series, series_order=4)
    assert make_post(series=series).series_order == 5


@pytest.mark.django_db(transaction=True)
def test_two_parts_cannot_share_a_position():
    series = make_series()
    make_post(series=series, series_order=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_post(series=series, series_order=1)


@pytest.mark.django_db(transaction=True)
def test_parts_can_swap_positions_in_one_transaction():
    series = make_series()
    first = make_post(series=series, series_order=1)
    second = make_post(series=series, series_order=2)
    with transaction.atomic():
        Post.objects.filter(pk=first.pk).update(series_order=2)
        Post.objects.filter(pk=second.pk).update(series_order=1)
    assert list(series.posts.order_by("series_order").values_list("pk", flat=True)) == [second.pk, first.pk]


def test_order_without_series_is_refused_by_the_database():
    post = make_post()
    with pytest.raises(IntegrityError), transaction.atomic():
        Post.objects.filter(pk=post.pk).update(series_order=3)


def test_leaving_a_series_clears_the_order():
    series = make_series()
    post = make_post(series=series, series_order=2)
    post.series = None
    post.save()
    post.refresh_from_db()
    assert post.series_order is None


def test_published_post_needs_a_publication_time_in_the_database():
    post = make_post(status=Post.Status.DRAFT)
    with pytest.raises(IntegrityError), transaction.atomic():
        Post.objects.filter(pk=post.pk).update(status=Post.Status.PUBLISHED)


def test_series_with_only_drafts_is_404(client):
    series = make_series(slug="wip")
    make_post("Draft", series=series, status=Post.Status.DRAFT)
    assert client.get("/series/wip/").status_code == 404
