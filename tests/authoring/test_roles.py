"""Authors work on their own posts only; Editors on everyone's; publishing follows the setting."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from blog.models import Post
from tests.factories import make_post, make_series, make_user

pytestmark = pytest.mark.django_db


def post_form(post=None, **overrides):
    """The admin change form's fields for `post` (or a new post), with `overrides` applied."""
    data = {
        "title": post.title if post else "我的草稿",
        "slug": post.slug if post else "",
        "body": post.body if post else "正文。",
        "summary": "",
        "status": "draft",
        "published_at_0": "",
        "published_at_1": "",
        "language": "zh",
        "tags": "",
        "series": "",
        "series_order": "",
        "original_url": "",
        "edit_lock": post.updated_at.isoformat() if post else "",
    }
    data.update(overrides)
    return data


def test_the_migration_made_both_groups_with_their_permissions(roles):
    author_permissions = set(Group.objects.get(name="Author").permissions.values_list("codename", flat=True))
    editor_permissions = set(Group.objects.get(name="Editor").permissions.values_list("codename", flat=True))
    assert {"add_post", "change_post", "view_post"} <= author_permissions
    assert not author_permissions & {"publish_post", "edit_any_post", "delete_post", "change_series"}
    assert {
        "publish_post",
        "edit_any_post",
        "change_series",
        "add_tag",
        "change_source",
    } <= editor_permissions


def test_author_sees_only_own_posts_in_the_changelist(client, author, other_author):
    make_post("Mine", author=author, status=Post.Status.DRAFT)
    make_post("Theirs", author=other_author, status=Post.Status.DRAFT)
    client.force_login(author)
    response = client.get(reverse("admin:blog_post_changelist"))
    assert response.status_code == 200
    assert [post.title for post in response.context["cl"].result_list] == ["Mine"]


def test_author_guessing_another_authors_urls_gets_404_and_changes_nothing(client, author, other_author):
    theirs = make_post("Theirs", author=other_author, status=Post.Status.DRAFT, body="原文")
    client.force_login(author)
    for name in ("change", "history", "delete", "compare"):
        url = reverse(f"admin:blog_post_{name}", args=[theirs.pk])
        assert client.get(url).status_code == 404, name
    response = client.post(
        reverse("admin:blog_post_change", args=[theirs.pk]), post_form(theirs, body="改掉")
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.body == "原文"


def test_author_creates_a_post_as_themselves_even_if_the_form_names_someone_else(
    client, author, other_author
):
    client.force_login(author)
    response = client.post(reverse("admin:blog_post_add"), post_form(author=other_author.pk))
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Post.objects.get().author == author


def test_author_cannot_reassign_own_post(client, author, other_author):
    post = make_post("Mine", author=author, status=Post.Status.DRAFT)
    client.force_login(author)
    response = client.post(
        reverse("admin:blog_post_change", args=[post.pk]), post_form(post, author=other_author.pk)
    )
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.author == author


def test_author_cannot_publish_when_the_site_says_so(client, author, settings):
    settings.AUTHORS_CAN_PUBLISH = False
    post = make_post("Mine", author=author, status=Post.Status.DRAFT)
    client.force_login(author)
    page = client.get(reverse("admin:blog_post_change", args=[post.pk]))
    assert 'value="published"' not in page.text
    assert "_submit_for_review" in page.text
    response = client.post(
        reverse("admin:blog_post_change", args=[post.pk]), post_form(post, status="published")
    )
    assert response.status_code == 200  # "published" is not a valid choice for them
    post.refresh_from_db()
    assert post.status == Post.Status.DRAFT
    changelist = reverse("admin:blog_post_changelist")
    client.post(changelist, {"action": "publish_selected", "_selected_action": [post.pk]})
    post.refresh_from_db()
    assert post.status == Post.Status.DRAFT


def test_author_submits_for_review_and_an_editor_finds_and_publishes_it(client, author, editor, settings):
    settings.AUTHORS_CAN_PUBLISH = False
    post = make_post("Mine", author=author, status=Post.Status.DRAFT)
    client.force_login(author)
    response = client.post(
        reverse("admin:blog_post_change", args=[post.pk]), post_form(post, _submit_for_review="1")
    )
    assert response.status_code == 302
    client.force_login(editor)
    changelist = reverse("admin:blog_post_changelist")
    waiting = client.get(changelist, {"review": "waiting"}).context["cl"].result_list
    assert [item.pk for item in waiting] == [post.pk]
    client.post(changelist, {"action": "publish_selected", "_selected_action": [post.pk]})
    assert Post.objects.published().filter(pk=post.pk).exists()
    assert client.get(changelist, {"review": "waiting"}).context["cl"].result_count == 0


def test_a_live_post_is_read_only_for_an_author_who_may_not_publish(client, author, settings):
    settings.AUTHORS_CAN_PUBLISH = False
    post = make_post("Live", author=author, body="已发布")
    client.force_login(author)
    assert client.get(reverse("admin:blog_post_change", args=[post.pk])).status_code == 200
    response = client.post(reverse("admin:blog_post_change", args=[post.pk]), post_form(post, body="偷偷改"))
    assert response.status_code == 403
    post.refresh_from_db()
    assert post.body == "已发布"


def test_author_publishes_own_post_where_the_site_allows_it(client, author, settings):
    settings.AUTHORS_CAN_PUBLISH = True
    post = make_post("Mine", author=author, status=Post.Status.DRAFT)
    client.force_login(author)
    response = client.post(
        reverse("admin:blog_post_change", args=[post.pk]), post_form(post, status="published")
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Post.objects.published().filter(pk=post.pk).exists()


def test_bulk_publish_by_an_author_touches_only_their_own_posts(client, author, other_author, settings):
    settings.AUTHORS_CAN_PUBLISH = True
    mine = make_post("Mine", author=author, status=Post.Status.DRAFT)
    theirs = make_post("Theirs", author=other_author, status=Post.Status.DRAFT)
    client.force_login(author)
    client.post(
        reverse("admin:blog_post_changelist"),
        {"action": "publish_selected", "_selected_action": [mine.pk, theirs.pk]},
    )
    assert set(Post.objects.published().values_list("title", flat=True)) == {"Mine"}


def test_editor_edits_and_publishes_anyones_post_and_may_reassign_it(client, editor, author, other_author):
    post = make_post("Theirs", author=author, status=Post.Status.DRAFT)
    client.force_login(editor)
    response = client.post(
        reverse("admin:blog_post_change", args=[post.pk]),
        post_form(post, status="published", author=other_author.pk, body="编辑润色过"),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    post.refresh_from_db()
    assert (post.status, post.author, post.body) == (Post.Status.PUBLISHED, other_author, "编辑润色过")


def test_editor_manages_series_and_tags_but_an_author_cannot(client, editor, author):
    series = make_series(slug="s")
    client.force_login(author)
    assert client.get(reverse("admin:blog_series_add")).status_code == 403
    assert client.get(reverse("admin:blog_source_changelist")).status_code == 403
    client.force_login(editor)
    assert client.get(reverse("admin:blog_series_change", args=[series.pk])).status_code == 200
    assert client.get(reverse("admin:blog_tag_add")).status_code == 200
    assert client.get(reverse("admin:blog_source_changelist")).status_code == 200


def test_a_reader_without_a_role_cannot_open_the_admin_even_if_staff(client):
    client.force_login(make_user("staff-no-role", is_staff=True))
    assert client.get(reverse("admin:blog_post_changelist")).status_code == 403


@pytest.mark.django_db
def test_an_author_reads_own_draft_on_the_site_but_not_another_authors(client, author, other_author, editor):
    own = make_post("Own draft", author=author, status=Post.Status.DRAFT)
    theirs = make_post("Their draft", author=other_author, status=Post.Status.DRAFT)
    client.force_login(author)
    assert client.get(own.get_absolute_url()).status_code == 200
    assert client.get(theirs.get_absolute_url()).status_code == 404
    client.force_login(editor)
    assert client.get(theirs.get_absolute_url()).status_code == 200


@pytest.mark.django_db
def test_readers_can_follow_a_tag_and_a_series_from_their_pages(client):
    series = make_series("DeepSeek 系列", slug="deepseek")
    make_post("Tagged", tags=["搜索"], series=series)
    client.force_login(make_user("reader"))
    tag = Post.objects.get().tags.get()
    assert f'action="/accounts/follows/tag/{tag.pk}/"' in client.get("/tags/sou-suo/").text
    assert f'action="/accounts/follows/series/{series.pk}/"' in client.get("/series/deepseek/").text


def test_ticking_a_role_on_the_admin_user_page_lets_the_colleague_into_the_admin(client, roles):
    admin_user = make_user("boss", is_staff=True, is_superuser=True)
    colleague = make_user("colleague", email="colleague@example.com")
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:auth_user_change", args=[colleague.pk]),
        {
            "username": "colleague",
            "first_name": "",
            "last_name": "",
            "email": "colleague@example.com",
            "is_active": "on",  # "Staff status" left unticked, as people do
            "groups": [Group.objects.get(name="Author").pk],
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    colleague.refresh_from_db()
    assert colleague.is_staff
    client.force_login(colleague)
    assert client.get(reverse("admin:blog_post_changelist")).status_code == 200


def test_joining_a_role_from_the_group_side_also_grants_admin_access_and_leaving_keeps_it(roles):
    user = make_user("joiner")
    Group.objects.get(name="Editor").user_set.add(user)
    user.refresh_from_db()
    assert user.is_staff
    user.groups.clear()
    user.refresh_from_db()
    assert user.is_staff  # taking access away stays a deliberate act


def test_other_groups_do_not_make_staff(roles):
    user = make_user("member")
    user.groups.add(Group.objects.create(name="Newsletter"))
    user.refresh_from_db()
    assert not user.is_staff
