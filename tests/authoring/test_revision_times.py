"""The history names each version by its time in the site's time zone, to the minute, and the
lifecycle's comments in the writer's language."""

import datetime

import pytest
from django.urls import reverse
from reversion.models import Revision, Version

from authoring import publishing
from blog.models import Post
from tests.authoring.test_roles import post_form

pytestmark = pytest.mark.django_db

SAVED_AT = datetime.datetime(2026, 12, 1, 7, 46, 47, 759497, tzinfo=datetime.UTC)


@pytest.fixture
def post_with_two_revisions(client, editor, settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    client.force_login(editor)
    client.post(reverse("admin:blog_post_add"), post_form(title="时间", body="第一版", author=editor.pk))
    post = Post.objects.get()
    client.post(
        reverse("admin:blog_post_change", args=[post.pk]), post_form(post, body="第二版", author=editor.pk)
    )
    first, second = Version.objects.get_for_object(post).order_by("pk")
    Revision.objects.filter(pk=first.revision_id).update(date_created=SAVED_AT)
    Revision.objects.filter(pk=second.revision_id).update(
        date_created=SAVED_AT + datetime.timedelta(hours=20)
    )
    return post, first, second


def test_compare_heads_versions_with_local_times_to_the_minute(client, post_with_two_revisions):
    post, first, second = post_with_two_revisions
    url = reverse("admin:blog_post_compare", args=[post.pk])
    page = client.get(url, {"from": first.pk, "to": second.pk}, HTTP_ACCEPT_LANGUAGE="zh-hans").text
    assert "2026-12-01 15:46 的版本" in page  # 07:46 UTC is 15:46 in Shanghai
    assert "2026-12-02 11:46 的版本" in page  # and twenty hours later is the next day
    assert "07:46" not in page and ":47" not in page and "+00:00" not in page

    page = client.get(url, {"from": first.pk}, HTTP_ACCEPT_LANGUAGE="en").text
    assert "revision of 2026-12-01 15:46" in page


def test_the_history_lists_local_times_and_translated_comments(client, editor, post_with_two_revisions):
    post, _first, _second = post_with_two_revisions
    publishing.unpublish(Post.objects.filter(pk=post.pk), editor)
    page = client.get(reverse("admin:blog_post_history", args=[post.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans").text
    assert "2026年12月1日 15:46" in page
    assert "已撤回发布" in page
