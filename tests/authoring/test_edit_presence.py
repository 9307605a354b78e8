"""Opening a post's change form shows who else has it open, and since when."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from authoring import edit_locks
from blog.models import Post
from tests.factories import make_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared_draft(author):
    return make_post("两人同时编辑", author=author, status=Post.Status.DRAFT)


def client_for(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def notice(response):
    """The presence block of a change form page, or None where there is none."""
    return response.context.get("edit_presence")


def test_the_second_writer_sees_the_first_and_since_when(shared_draft, author, editor, settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    url = reverse("admin:blog_post_change", args=[shared_draft.pk])
    first = client_for(author).get(url)
    assert first.status_code == 200 and notice(first)["others"] == []
    assert 'id="edit-presence"' in first.text and "hidden" in first.text.split('id="edit-presence"')[1][:300]

    opened = timezone.localtime().strftime("%H:%M")
    second = client_for(editor).get(url)
    [other] = notice(second)["others"]
    assert other.name == "author"
    assert f"author has had this post open since {opened}." in second.text
    assert "the second save is refused" in second.text


def test_the_heartbeat_tells_the_first_writer_of_the_second_and_leaving_clears_it(
    shared_draft, author, editor
):
    change = reverse("admin:blog_post_change", args=[shared_draft.pk])
    presence = reverse("admin:blog_post_presence", args=[shared_draft.pk])
    author_client, editor_client = client_for(author), client_for(editor)
    author_client.get(change)
    editor_client.get(change)

    beat = author_client.post(presence).json()
    assert [other["name"] for other in beat["others"]] == ["editor"]
    assert beat["others"][0]["message"].startswith("editor has had this post open since ")

    assert editor_client.post(presence, {"leave": "1"}).status_code == 204
    assert author_client.post(presence).json()["others"] == []


def test_a_note_not_renewed_lapses(shared_draft, author, editor):
    long_ago = timezone.now() - datetime.timedelta(seconds=edit_locks.PRESENCE_SECONDS + 1)
    edit_locks.note_open(shared_draft.pk, author, now=long_ago)
    assert edit_locks.others_editing(shared_draft.pk, editor) == []
    edit_locks.note_open(shared_draft.pk, author)
    assert [other.name for other in edit_locks.others_editing(shared_draft.pk, editor)] == ["author"]


def test_renewing_keeps_the_time_the_post_was_opened(shared_draft, author, editor):
    opened = timezone.now() - datetime.timedelta(seconds=20)
    edit_locks.note_open(shared_draft.pk, author, now=opened)
    edit_locks.note_open(shared_draft.pk, author)
    [other] = edit_locks.others_editing(shared_draft.pk, editor)
    assert abs((other.since - opened).total_seconds()) < 0.01


def test_only_those_who_may_edit_the_post_can_beat_or_be_listed(shared_draft, author, other_author):
    presence = reverse("admin:blog_post_presence", args=[shared_draft.pk])
    assert client_for(other_author).post(presence).status_code == 404
    assert client_for(author).get(presence).status_code == 405
    assert edit_locks.others_editing(shared_draft.pk, author) == []
    anonymous = Client().post(presence)
    assert anonymous.status_code == 302 and "/admin/login/" in anonymous["Location"]


def test_names_are_shown_as_text(shared_draft, author, editor):
    editor.first_name = "<script>alert(1)</script>"
    editor.save()
    url = reverse("admin:blog_post_change", args=[shared_draft.pk])
    client_for(editor).get(url)
    page = client_for(author).get(url).text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_time_on_another_day_names_the_day(settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    moment = datetime.datetime(2026, 12, 1, 7, 46, tzinfo=datetime.UTC)
    assert edit_locks.presence_time(moment, now=moment) == "15:46"
    assert edit_locks.presence_time(moment, now=moment + datetime.timedelta(days=1)) == "2026-12-01 15:46"


def test_someone_who_may_only_look_sees_the_writers_but_is_not_listed(author, editor, settings):
    settings.AUTHORS_CAN_PUBLISH = False
    live = make_post("已发布的文章", author=author)  # an Author may not change a live post
    url = reverse("admin:blog_post_change", args=[live.pk])
    client_for(editor).get(url)
    looking = client_for(author).get(url)
    assert [other.name for other in notice(looking)["others"]] == ["editor"]
    client_for(author).post(reverse("admin:blog_post_presence", args=[live.pk]))
    assert edit_locks.others_editing(live.pk, editor) == []
