"""A reader signs up, saves and follows, reads their timeline and private feed, and leaves."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Bookmark, FeedToken, Follow
from blog.models import Post
from tests.factories import make_post, make_series, make_user

pytestmark = pytest.mark.django_db


READER_PASSWORD = "长城-correct-horse-9"


def sign_up(client, email="reader@example.com", password=READER_PASSWORD):
    response = client.post(
        reverse("accounts:sign_up"), {"email": email, "password1": password, "password2": password}
    )
    assert response.status_code == 302, response.context["form"].errors
    return get_user_model().objects.get(email=email)


def csrf_client():
    return Client(enforce_csrf_checks=True)


def test_sign_up_bookmark_follow_timeline_and_private_feed(client):
    writer = make_user("lin", first_name="林")
    series = make_series("检索系列", slug="jian-suo")
    followed_by_tag = make_post("倒排索引", author=make_user(), tags=["搜索"])
    followed_by_series = make_post("BM25", author=make_user(), series=series)
    followed_by_author = make_post("林的文章", author=writer)
    unrelated = make_post("无关", author=make_user(), tags=["烹饪"])
    draft = make_post("林的草稿", author=writer, status=Post.Status.DRAFT)

    reader = sign_up(client)
    assert client.get(reverse("accounts:me")).status_code == 200  # logged in by signing up

    post_page = client.get(followed_by_tag.get_absolute_url())
    assert reverse("accounts:bookmark", args=[followed_by_tag.pk]) in post_page.text
    client.post(reverse("accounts:bookmark", args=[followed_by_tag.pk]), {"next": "/"})
    client.post(reverse("accounts:follow", args=["tag", followed_by_tag.tags.get().pk]))
    client.post(reverse("accounts:follow", args=["series", series.pk]))
    client.post(reverse("accounts:follow", args=["author", writer.pk]))
    client.post(reverse("accounts:follow", args=["author", writer.pk]))  # twice is harmless
    assert Follow.objects.filter(user=reader).count() == 3

    bookmarks = client.get(reverse("accounts:bookmarks"))
    assert [post.title for post in bookmarks.context["posts"]] == ["倒排索引"]
    assert 'aria-pressed="true"' in bookmarks.text  # the button shows it is saved

    timeline = client.get(reverse("accounts:me"))
    titles = {post.title for post in timeline.context["posts"]}
    assert titles == {followed_by_tag.title, followed_by_series.title, followed_by_author.title}
    assert unrelated.title not in titles and draft.title not in titles

    client.get(reverse("accounts:settings"))  # the settings page creates the token
    feed_url = reverse("personal_feed", kwargs={"token": FeedToken.objects.get(user=reader).token})
    feed = Client().get(feed_url)  # a feed reader has no session
    assert feed.status_code == 200
    assert feed["Content-Type"].startswith("application/atom+xml")
    assert "倒排索引" in feed.text and "林的文章" in feed.text and "无关" not in feed.text
    assert "林的草稿" not in feed.text


def test_personal_timeline_pages_with_cursors_like_the_front_page(client, settings):
    settings.TIMELINE_PAGE_SIZE = 2
    now = timezone.now()
    for minutes in range(5):
        make_post(f"Part {minutes}", tags=["rust"], published_at=now - timedelta(minutes=minutes + 1))
    sign_up(client)
    client.post(reverse("accounts:follow", args=["tag", Post.objects.first().tags.get().pk]))
    seen, url = [], reverse("accounts:me")
    while url:
        page = client.get(url)
        seen += [post.title for post in page.context["posts"]]
        older = page.context["page"].older
        url = f"{reverse('accounts:me')}?before={older}" if older else None
    assert seen == [f"Part {minutes}" for minutes in range(5)]
    assert client.get(reverse("accounts:me"), {"before": "garbage"}).status_code == 400


def test_regenerating_the_feed_token_kills_the_old_address(client):
    reader = sign_up(client)
    client.get(reverse("accounts:settings"))
    old_token = FeedToken.objects.get(user=reader).token
    assert Client().get(reverse("personal_feed", kwargs={"token": old_token})).status_code == 200
    client.post(reverse("accounts:regenerate_feed_token"))
    new_token = FeedToken.objects.get(user=reader).token
    assert new_token != old_token
    assert Client().get(reverse("personal_feed", kwargs={"token": old_token})).status_code == 404
    assert Client().get(reverse("personal_feed", kwargs={"token": new_token})).status_code == 200


def test_buttons_need_login_and_a_csrf_token():
    post = make_post("文章")
    anonymous = Client()
    page = anonymous.get(post.get_absolute_url())
    assert "csrfmiddlewaretoken" not in page.text  # cached pages are shared by all readers
    assert reverse("accounts:bookmark", args=[post.pk]) not in page.text
    assert anonymous.post(reverse("accounts:bookmark", args=[post.pk])).status_code == 302  # to log in
    reader = make_user(email="r@example.com")
    client = csrf_client()
    client.force_login(reader)
    assert client.post(reverse("accounts:bookmark", args=[post.pk])).status_code == 403
    assert client.get(reverse("accounts:bookmark", args=[post.pk])).status_code == 405
    assert not Bookmark.objects.exists()


def test_drafts_cannot_be_bookmarked_and_unpublished_bookmarks_are_hidden(client):
    reader = make_user(email="r@example.com")
    client.force_login(reader)
    draft = make_post(status=Post.Status.DRAFT)
    assert client.post(reverse("accounts:bookmark", args=[draft.pk])).status_code == 404
    post = make_post("稍后再读")
    client.post(reverse("accounts:bookmark", args=[post.pk]))
    Post.objects.filter(pk=post.pk).unpublish()
    assert list(client.get(reverse("accounts:bookmarks")).context["posts"]) == []


def test_readers_see_only_their_own_lists(client):
    post = make_post("只给我")
    first, second = make_user(email="a@example.com"), make_user(email="b@example.com")
    Bookmark.objects.create(user=first, post=post)
    client.force_login(second)
    assert list(client.get(reverse("accounts:bookmarks")).context["posts"]) == []
    assert list(client.get(reverse("accounts:following")).context["follows"]) == []
    assert Client().get(reverse("accounts:bookmarks")).status_code == 302


def test_log_in_with_email_log_out_and_change_email_and_password(client):
    reader = make_user(email="old@example.com")
    response = client.post(
        reverse("accounts:login"), {"username": "OLD@example.com", "password": "pw-for-tests-1"}
    )
    assert response.status_code == 302
    response = client.post(
        reverse("accounts:settings"), {"email": "new@example.com", "password": "pw-for-tests-1"}
    )
    assert response.status_code == 302
    reader.refresh_from_db()
    assert reader.email == "new@example.com"
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": "pw-for-tests-1",
            "new_password1": "新密码-long-enough-7",
            "new_password2": "新密码-long-enough-7",
        },
    )
    assert response.status_code == 302
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("accounts:me")).status_code == 302
    assert client.login(username="new@example.com", password="新密码-long-enough-7")


def test_sign_up_refuses_a_taken_address_and_a_weak_password(client):
    make_user(email="taken@example.com")
    response = client.post(
        reverse("accounts:sign_up"),
        {"email": "Taken@example.com", "password1": "x-long-pass-1", "password2": "x-long-pass-1"},
    )
    assert response.context["form"].has_error("email")
    response = client.post(
        reverse("accounts:sign_up"), {"email": "n@example.com", "password1": "123", "password2": "123"}
    )
    assert response.context["form"].has_error("password1")
    assert not get_user_model().objects.filter(email="n@example.com").exists()


def test_password_reset_by_email(client):
    reader = make_user(email="forgot@example.com")
    response = client.post(reverse("accounts:password_reset"), {"email": "forgot@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"]
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "重置后-long-pass-3", "new_password2": "重置后-long-pass-3"},
    )
    assert response.status_code == 302
    reader.refresh_from_db()
    assert reader.check_password("重置后-long-pass-3")
    # Unknown addresses get the same answer and no mail.
    assert client.post(reverse("accounts:password_reset"), {"email": "nobody@example.com"}).status_code == 302
    assert len(mail.outbox) == 1


def test_delete_account_removes_its_data(client):
    reader = make_user(email="bye@example.com")
    post = make_post()
    Bookmark.objects.create(user=reader, post=post)
    Follow.objects.create(user=reader, author=post.author)
    client.force_login(reader)
    response = client.post(reverse("accounts:delete"), {"password": "wrong"})
    assert response.status_code == 200
    assert get_user_model().objects.filter(pk=reader.pk).exists()
    response = client.post(reverse("accounts:delete"), {"password": "pw-for-tests-1"})
    assert response.status_code == 302
    assert not get_user_model().objects.filter(pk=reader.pk).exists()
    assert not Bookmark.objects.exists() and not Follow.objects.exists()
    assert Post.objects.filter(pk=post.pk).exists()


def test_a_writer_with_posts_cannot_delete_the_account_from_the_portal(client):
    post = make_post()
    client.force_login(post.author)
    response = client.post(reverse("accounts:delete"), {"password": "pw-for-tests-1"})
    assert response.status_code == 200
    assert "editor" in str(response.context["form"].non_field_errors()).lower() or "编辑" in response.text
    assert get_user_model().objects.filter(pk=post.author.pk).exists()
