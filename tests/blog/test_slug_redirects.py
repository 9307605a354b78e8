"""Changing a post's slug keeps its old address working, with a permanent redirect."""

import pytest

from blog.models import Post, SlugRedirect
from tests.factories import make_post, make_user

pytestmark = pytest.mark.django_db


def rename(post, slug):
    """Change the slug the way the admin does: on a row loaded from the database."""
    stored = Post.objects.get(pk=post.pk)
    stored.slug = slug
    stored.save()
    return stored


def test_the_old_address_redirects_permanently_keeping_the_query(client):
    post = make_post("倒排索引", slug="dao-pai-suo-yin")
    rename(post, "inverted-index")
    response = client.get("/posts/dao-pai-suo-yin/?utm_source=feed")
    assert response.status_code == 301
    assert response["Location"] == "/posts/inverted-index/?utm_source=feed"
    assert client.get(response["Location"]).status_code == 200


def test_every_former_address_leads_to_the_current_one_and_taking_one_back_drops_its_redirect(client):
    post = make_post("A", slug="first")
    rename(post, "second")
    rename(post, "third")
    assert client.get("/posts/first/")["Location"] == "/posts/third/"
    assert client.get("/posts/second/")["Location"] == "/posts/third/"
    rename(post, "first")
    assert client.get("/posts/first/").status_code == 200
    assert set(SlugRedirect.objects.values_list("old_slug", flat=True)) == {"second", "third"}


def test_a_new_post_does_not_take_an_old_address_that_still_redirects(client):
    old = make_post("周报", slug="")
    rename(old, "weekly-1")
    newer = make_post("周报", slug="")
    assert newer.slug == "zhou-bao-2"
    assert client.get("/posts/zhou-bao/")["Location"] == "/posts/weekly-1/"


def test_an_old_address_never_reveals_where_a_draft_lives_now(client):
    author = make_user("writer")
    post = make_post("Draft", slug="old-draft", author=author, status=Post.Status.DRAFT)
    rename(post, "secret-new-name")
    assert client.get("/posts/old-draft/").status_code == 404
    client.force_login(make_user("boss", is_staff=True, is_superuser=True))
    assert client.get("/posts/old-draft/")["Location"] == "/posts/secret-new-name/"


def test_saving_without_a_slug_change_makes_no_redirect():
    post = make_post("Stable", slug="stable")
    stored = Post.objects.get(pk=post.pk)
    stored.title = "Stable, edited"
    stored.save()
    assert not SlugRedirect.objects.exists()


def test_unknown_addresses_are_still_404(client):
    assert client.get("/posts/never-existed/").status_code == 404
