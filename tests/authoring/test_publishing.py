"""The review lifecycle as plain calls: what the admin's buttons and actions do, without the admin."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from reversion.models import Version

from authoring import publishing
from authoring.models import ReviewRequest
from blog.models import Post
from tests.factories import make_post

pytestmark = pytest.mark.django_db


def test_an_author_submits_a_draft_and_an_editor_publishes_it(author, editor):
    draft = make_post("待审", author=author, status=Post.Status.DRAFT)
    publishing.submit_for_review(draft, author)
    assert list(publishing.awaiting_review(Post.objects.all())) == [draft]

    assert publishing.publish(Post.objects.filter(pk=draft.pk), editor) == 1

    draft.refresh_from_db()
    assert draft.status == Post.Status.PUBLISHED and draft.published_at is not None
    assert not ReviewRequest.objects.exists()
    revision = Version.objects.get_for_object(draft).get().revision
    assert (revision.user, revision.comment) == (editor, "Published")


def test_an_author_who_may_not_publish_is_refused_and_nothing_changes(author, settings):
    settings.AUTHORS_CAN_PUBLISH = False
    draft = make_post("草稿", author=author, status=Post.Status.DRAFT)
    with pytest.raises(PermissionDenied):
        publishing.publish(Post.objects.filter(pk=draft.pk), author)
    with pytest.raises(PermissionDenied):
        publishing.schedule(Post.objects.filter(pk=draft.pk), timezone.now(), author)
    draft.refresh_from_db()
    assert draft.status == Post.Status.DRAFT


def test_a_live_post_cannot_be_submitted_for_review(author):
    live = make_post("已发布", author=author)
    with pytest.raises(publishing.ReviewError):
        publishing.submit_for_review(live, author)
    assert not ReviewRequest.objects.exists()


def test_scheduling_sets_the_time_closes_the_review_and_stays_hidden_until_due(author, editor, client):
    draft = make_post("定时", author=author, status=Post.Status.DRAFT)
    publishing.submit_for_review(draft, author)
    when = timezone.now() + timedelta(days=1)

    assert publishing.schedule(Post.objects.filter(pk=draft.pk), when, editor) == 1

    draft.refresh_from_db()
    assert (draft.status, draft.published_at) == (Post.Status.SCHEDULED, when)
    assert not ReviewRequest.objects.exists()
    assert draft not in Post.objects.published()
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_unpublishing_keeps_a_revision_that_says_so(editor):
    post = make_post("撤回")
    assert publishing.unpublish(Post.objects.filter(pk=post.pk), editor) == 1
    post.refresh_from_db()
    assert post.status == Post.Status.DRAFT
    assert Version.objects.get_for_object(post).get().revision.comment == "Unpublished"
