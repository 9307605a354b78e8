"""Two editors open the same post in two browsers: each learns of the other while editing, and
the notice goes when one of them leaves."""

import importlib

import pytest
from django.apps import apps

from authoring import edit_locks
from authoring.roles import AUTHOR, EDITOR, grant_role
from blog.models import Post
from tests.factories import make_post, make_user

from .conftest import save_screenshot, skip_module_without_chromium

skip_module_without_chromium()

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, user, next_path):
    page.goto(f"/admin/login/?next={next_path}")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "pw-for-tests-1")
    page.click("#login-form [type=submit]")
    page.wait_for_url(f"**{next_path}")


def test_two_sessions_on_one_post_see_each_other(new_page, monkeypatch):
    monkeypatch.setattr(edit_locks, "HEARTBEAT_SECONDS", 1)  # the live server runs in this process
    importlib.import_module("accounts.migrations.0002_author_and_editor_roles").create_roles(apps, None)
    author = make_user("lin", email="lin@example.com", first_name="林")
    grant_role(author, AUTHOR)
    editor = make_user("wang", email="wang@example.com", first_name="王")
    grant_role(editor, EDITOR)
    post = make_post("同时打开的草稿", author=author, status=Post.Status.DRAFT)
    change_path = f"/admin/blog/post/{post.pk}/change/"

    author_page, author_problems = new_page(locale="zh-CN", extra_http_headers={"Accept-Language": "zh-hans"})
    editor_page, editor_problems = new_page(locale="zh-CN", extra_http_headers={"Accept-Language": "zh-hans"})
    log_in(author_page, author, change_path)
    author_notice = author_page.locator("#edit-presence")
    assert author_notice.is_hidden()  # alone on the post: nothing to say

    log_in(editor_page, editor, change_path)
    editor_notice = editor_page.locator("#edit-presence")
    editor_notice.wait_for(state="visible")
    assert "林 从 " in editor_notice.inner_text() and "起一直打开着这篇文章" in editor_notice.inner_text()
    save_screenshot(editor_page, "edit-presence-second-editor")

    # The first writer's page learns of the second by its heartbeat, without a reload.
    author_notice.wait_for(state="visible")
    assert "王 从 " in author_notice.inner_text()
    save_screenshot(author_page, "edit-presence-first-editor")

    editor_page.goto("/admin/")  # leaving the post drops the note at once
    author_notice.wait_for(state="hidden")
    author_problems.assert_none()
    editor_problems.assert_none()
