"""Two editors on one post: the second to save an older copy is stopped, and keeps their text."""

import time

import pytest
from django.urls import reverse

from blog.models import Post
from tests.accounts.test_roles import post_form
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
