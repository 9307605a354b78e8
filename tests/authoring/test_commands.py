"""manage.py publish_posts: the review lifecycle from a script, with the admin's rules."""

import datetime

import pytest
from django.core.management import CommandError, call_command
from reversion.models import Version

from authoring.models import ReviewRequest
from blog.models import Post
from tests.factories import make_post

pytestmark = pytest.mark.django_db


def test_an_editor_publishes_by_slug_and_the_history_names_them(editor, author):
    draft = make_post("命令行发布", slug="cli-post", author=author, status=Post.Status.DRAFT)
    ReviewRequest.objects.create(post=draft, requested_by=author)
    call_command("publish_posts", "cli-post", "--as", "editor")
    draft.refresh_from_db()
    assert draft.status == Post.Status.PUBLISHED
    assert not ReviewRequest.objects.exists()
    assert Version.objects.get_for_object(draft).get().revision.user == editor


def test_scheduling_takes_a_local_time(editor, settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    draft = make_post("定时", slug="later", status=Post.Status.DRAFT)
    call_command("publish_posts", "later", "--as", "editor", "--at", "2030-01-02 09:30")
    draft.refresh_from_db()
    assert draft.status == Post.Status.SCHEDULED
    assert draft.published_at == datetime.datetime(2030, 1, 2, 1, 30, tzinfo=datetime.UTC)


def test_refusals_change_nothing(author, settings):
    settings.AUTHORS_CAN_PUBLISH = False
    draft = make_post("不许发布", slug="nope", author=author, status=Post.Status.DRAFT)
    with pytest.raises(CommandError, match="may not publish"):
        call_command("publish_posts", "nope", "--as", "author")
    with pytest.raises(CommandError, match="No post with the slug missing"):
        call_command("publish_posts", "nope", "missing", "--as", "author")
    with pytest.raises(CommandError, match="not a date and time"):
        call_command("publish_posts", "nope", "--as", "author", "--at", "tomorrow")
    draft.refresh_from_db()
    assert draft.status == Post.Status.DRAFT
