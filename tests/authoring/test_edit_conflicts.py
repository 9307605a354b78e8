"""Two editors on one post: the second to save an older copy is stopped, and keeps their text."""

import time

import pytest
from django.urls import reverse
from reversion.models import Version

from blog.models import Post
from tests.authoring.test_roles import post_form
from tests.factories import make_post

pytestmark = pytest.mark.django_db


def test_saving_a_stale_copy_is_refused_with_the_writers_text_kept(client, editor, author, settings):
    settings.AUTHORS_CAN_PUBLISH = True
    post = make_post("共享的草稿", author=author, status=Post.Status.DRAFT, body="第一版")
    url = reverse("admin:blog_post_change", args=[post.pk])
    client.force_login(author)
    opened_by_author = client.get(url).context["adminform"].form["edit_lock"].value()

    client.force_login(editor)
    editor_copy = client.get(url).context["adminform"].form["edit_lock"].value()
    time.sleep(0.01)
    assert (
        client.post(
            url, post_form(post, body="编辑的修改", author=author.pk, edit_lock=editor_copy)
        ).status_code
        == 302
    )

    client.force_login(author)
    response = client.post(url, post_form(post, body="作者的长段修改", edit_lock=opened_by_author))
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.has_error("__all__", "edit_conflict")
    assert "editor" in str(form.non_field_errors())  # names who saved in between
    assert "作者的长段修改" in response.text  # the author's text is still in the form
    post.refresh_from_db()
    assert post.body == "编辑的修改"

    # Saving again from the redisplayed form is a deliberate overwrite, and it works.
    fresh_token = form["edit_lock"].value()
    response = client.post(url, post_form(post, body="作者的长段修改", edit_lock=fresh_token))
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.body == "作者的长段修改"


def test_bulk_unpublish_counts_as_a_change_for_an_open_editor(client, editor):
    post = make_post("Live", author=editor, body="文本")
    url = reverse("admin:blog_post_change", args=[post.pk])
    client.force_login(editor)
    token = client.get(url).context["adminform"].form["edit_lock"].value()
    time.sleep(0.01)
    client.post(
        reverse("admin:blog_post_changelist"), {"action": "unpublish_selected", "_selected_action": [post.pk]}
    )
    response = client.post(url, post_form(post, status="published", author=editor.pk, edit_lock=token))
    assert response.status_code == 200
    assert response.context["adminform"].form.has_error("__all__", "edit_conflict")
    post.refresh_from_db()
    assert post.status == Post.Status.DRAFT


def without_version(data):
    """The change form's fields with no edit_lock at all, as a script or hand-made request sends."""
    return {name: value for name, value in data.items() if name != "edit_lock"}


def test_a_save_without_the_version_it_was_made_from_is_refused_like_a_stale_one(client, editor, author):
    post = make_post("共享的草稿", author=author, status=Post.Status.DRAFT, body="第一版")
    url = reverse("admin:blog_post_change", args=[post.pk])
    client.force_login(author)
    opened_by_author = client.get(url).context["adminform"].form["edit_lock"].value()
    client.force_login(editor)
    editor_copy = client.get(url).context["adminform"].form["edit_lock"].value()
    time.sleep(0.01)
    client.post(url, post_form(post, body="编辑的修改", author=author.pk, edit_lock=editor_copy))

    client.force_login(author)
    stale = client.post(url, post_form(post, body="作者的修改", edit_lock=opened_by_author))
    response = client.post(url, without_version(post_form(post, body="作者的修改")))
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.has_error("__all__", "edit_conflict")
    # Word for word the stale copy's message: who saved, when, and what to do next.
    assert form.non_field_errors() == stale.context["adminform"].form.non_field_errors()
    assert "editor" in str(form.non_field_errors())
    assert "作者的修改" in response.text
    post.refresh_from_db()
    assert post.body == "编辑的修改"


def test_without_its_version_even_an_uncontested_save_waits_for_the_redisplayed_form(client, editor):
    post = make_post("Solo", author=editor, status=Post.Status.DRAFT, body="原文")
    url = reverse("admin:blog_post_change", args=[post.pk])
    client.force_login(editor)
    response = client.post(url, without_version(post_form(post, body="改过", author=editor.pk)))
    assert response.context["adminform"].form.has_error("__all__", "edit_conflict")
    post.refresh_from_db()
    assert post.body == "原文"
    token = response.context["adminform"].form["edit_lock"].value()
    response = client.post(url, post_form(post, body="改过", author=editor.pk, edit_lock=token))
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.body == "改过"


def test_a_new_post_has_no_version_to_give_and_saves(client, author):
    client.force_login(author)
    response = client.post(reverse("admin:blog_post_add"), without_version(post_form(title="全新")))
    assert response.status_code == 302
    assert Post.objects.get().title == "全新"


def test_restoring_and_recovering_through_the_revision_forms_still_save(client, editor):
    client.force_login(editor)
    client.post(reverse("admin:blog_post_add"), post_form(title="会被删", body="第一版", author=editor.pk))
    post = Post.objects.get()
    first = Version.objects.get_for_object(post).get()
    url = reverse("admin:blog_post_change", args=[post.pk])
    token = client.get(url).context["adminform"].form["edit_lock"].value()
    time.sleep(0.01)
    client.post(url, post_form(post, body="第二版", author=editor.pk, edit_lock=token))

    # Restoring replaces the current text on purpose: no version is needed.
    restore = reverse("admin:blog_post_revision", args=[post.pk, first.pk])
    assert client.post(restore, without_version(post_form(post, author=editor.pk))).status_code == 302
    post.refresh_from_db()
    assert post.body == "第一版"

    client.post(reverse("admin:blog_post_delete", args=[post.pk]), {"post": "yes"})
    assert not Post.objects.exists()
    recover = reverse("admin:blog_post_recover", args=[Version.objects.get_deleted(Post).first().pk])
    form = client.get(recover).context["adminform"].form
    data = post_form(post, body=form["body"].value(), author=editor.pk, edit_lock=form["edit_lock"].value())
    assert client.post(recover, data).status_code == 302
    assert Post.objects.get().body == "第一版"
