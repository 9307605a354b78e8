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
from blog.models import Post, Source
from tests.factories import make_post, make_series, make_user

pytestmark = pytest.mark.django_db


READER_PASSWORD = "长城-correct-horse-9"


def sign_up(client, email="reader@example.com", password=READER_PASSWORD):
    """Sign up as a reader does: the form, then the mailed link with the password again."""
    response = client.post(
        reverse("accounts:sign_up"), {"email": email, "password1": password, "password2": password}
    )
    assert response.status_code == 302, response.context["form"].errors
    link = re.search(r"https?://[^/\s]+(/accounts/sign-up/finish/\S+/)", mail.outbox[-1].body).group(1)
    assert client.post(link, {"password": password}).status_code == 302
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


def test_sign_up_makes_no_second_account_for_a_taken_address_and_refuses_a_weak_password(client):
    make_user(email="taken@example.com")
    response = client.post(
        reverse("accounts:sign_up"),
        {"email": "Taken@example.com", "password1": "x-long-pass-1", "password2": "x-long-pass-1"},
    )
    assert response.status_code == 302  # "check your inbox", as for a new address (test_sign_up_privacy)
    assert get_user_model().objects.filter(email__iexact="taken@example.com").count() == 1
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


def follow(client, kind, target, **data):
    return client.post(reverse("accounts:follow", args=[kind, target.pk]), data)


def as_read(response, url):
    """The page as a reader compares it: its own address and the random CSRF token left out."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.text).replace(url, "URL")


def followable_things(post):
    """The tag, series, author and source of `post`, by kind."""
    return {"tag": post.tags.get(), "series": post.series, "author": post.author, "source": post.source}


def make_post_with_everything(title, name, **fields):
    """A post with a tag, series, author and source all called `name` (the source as its title)."""
    return make_post(
        title, author=make_user(name), tags=[name], series=make_series(name),
        source=Source.objects.create(title=name, feed_url=f"https://{title}.example.com/feed"),
        source_guid=title, **fields,
    )  # fmt: skip


@pytest.mark.parametrize("kind", ["tag", "series", "author", "source"])
def test_what_readers_cannot_see_cannot_be_followed_and_looks_like_nothing(client, kind):
    hidden = make_post_with_everything("hidden", "hiddenname", status=Post.Status.DRAFT)
    shown = make_post_with_everything("shown", "shownname")
    client.force_login(make_user(email="r@example.com"))

    hidden_url = reverse("accounts:follow", args=[kind, followable_things(hidden)[kind].pk])
    nowhere_url = reverse("accounts:follow", args=[kind, 10**9])
    refused, nowhere = client.post(hidden_url), client.post(nowhere_url)
    assert refused.status_code == nowhere.status_code == 404
    assert as_read(refused, hidden_url) == as_read(nowhere, nowhere_url)
    assert follow(client, kind, followable_things(shown)[kind]).status_code == 302
    page = client.get(reverse("accounts:following")).text
    assert "shownname" in page and "hiddenname" not in page


def test_the_following_page_stops_naming_what_has_no_published_posts_left(client):
    post = make_post_with_everything("later-hidden", "formername")
    reader = make_user(email="r@example.com")
    client.force_login(reader)
    for kind, target in followable_things(post).items():
        assert follow(client, kind, target).status_code == 302
    assert client.get(reverse("accounts:following")).text.count("formername") >= 4

    Post.objects.filter(pk=post.pk).unpublish()
    page = client.get(reverse("accounts:following"))
    assert "formername" not in page.text
    assert "你还没有关注任何内容。" in page.text  # the empty list, in the default language

    # The follows are kept: published again, all four come back.
    Post.objects.filter(pk=post.pk).publish()
    assert len(client.get(reverse("accounts:following")).context["follows"]) == 4

    # Stopping works while the target is out of sight, and answers the same for any id.
    Post.objects.filter(pk=post.pk).unpublish()
    assert follow(client, "series", post.series, remove="1").status_code == 302
    assert client.post(reverse("accounts:follow", args=["series", 10**9]), {"remove": "1"}).status_code == 302
    assert set(Follow.objects.filter(user=reader).values_list("series", flat=True)) == {None}


@pytest.mark.parametrize("direction", ["before", "after"])
def test_a_cursor_beyond_what_the_database_holds_is_a_damaged_link_on_the_readers_pages(client, direction):
    post = make_post("Saved", author=make_user(), tags=["rust"])
    reader = make_user("reader")
    Bookmark.objects.create(user=reader, post=post)
    Follow.objects.create(user=reader, tag=post.tags.get())
    client.force_login(reader)
    year_zero_in_utc = "MDAwMS0wMS0wMVQwMDowMDowMCsyMzo1OXwx"  # 0001-01-01T00:00:00+23:59|1
    for url in [reverse("accounts:me"), reverse("accounts:bookmarks")]:
        response = client.get(url, {direction: year_zero_in_utc}, headers={"accept-language": "en"})
        assert response.status_code == 400, url
        assert "This page link is damaged" in response.text


NOT_AN_ADDRESS_HERE = [
    "foo",
    "accounts:me",
    "https://evil.example/",
    "//evil.example/x",
    "javascript:alert(1)",
]


@pytest.mark.parametrize("next_url", NOT_AN_ADDRESS_HERE)
def test_the_buttons_go_back_only_to_an_address_on_this_site(client, next_url):
    post = make_post("Saved", author=make_user(), tags=["rust"])
    tag = post.tags.get()
    client.force_login(make_user("reader"))
    bookmark = client.post(reverse("accounts:bookmark", args=[post.pk]), {"next": next_url})
    assert bookmark.status_code == 302 and bookmark["Location"] == reverse("accounts:bookmarks")
    follow = client.post(reverse("accounts:follow", args=["tag", tag.pk]), {"next": next_url})
    assert follow.status_code == 302 and follow["Location"] == reverse("accounts:following")
    back = client.post(
        reverse("accounts:bookmark", args=[post.pk]), {"next": post.get_absolute_url() + "?x=1"}
    )
    assert back["Location"] == post.get_absolute_url() + "?x=1"
    assert client.get(reverse("accounts:language", args=["en"]), {"next": next_url})["Location"] == "/"


@pytest.mark.parametrize(("next_url", "lands_on"), [("foo", "/accounts/me/"), ("/tags/rust/", "/tags/rust/")])
def test_signing_up_returns_only_to_an_address_on_this_site(client, next_url, lands_on):
    password = READER_PASSWORD
    data = {"email": "new@example.com", "password1": password, "password2": password, "next": next_url}
    assert client.post(reverse("accounts:sign_up"), data).status_code == 302
    link = re.search(r"https?://[^/\s]+(/accounts/sign-up/finish/\S+/)", mail.outbox[-1].body).group(1)
    finished = client.post(link, {"password": password})
    assert finished.status_code == 302 and finished["Location"] == lands_on
