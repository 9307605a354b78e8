"""An editor schedules a post in the admin; the real beat task on a real worker makes it live."""

import time
from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from blog.models import Post
from blog.tasks import publish_due_posts
from tests.authoring.test_roles import post_form


def test_a_scheduled_post_goes_live_through_the_worker_and_only_when_due(celery_worker, editor):
    client = Client()
    client.force_login(editor)
    soon = timezone.localtime() + timedelta(seconds=2)
    response = client.post(
        reverse("admin:blog_post_add"),
        post_form(
            title="定时发布",
            status="scheduled",
            author=editor.pk,
            published_at_0=soon.strftime("%Y-%m-%d"),
            published_at_1=soon.strftime("%H:%M:%S"),
        ),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    post = Post.objects.get()
    assert not Post.objects.published().filter(pk=post.pk).exists()
    assert client.get(post.get_absolute_url()).status_code == 200  # the editor sees it already
    assert Client().get(post.get_absolute_url()).status_code == 404  # readers do not

    # The beat fires every minute; two beats (or two workers) may fire at once. Results are
    # normally ignored; these runs keep theirs so the test can wait for them.
    assert run_on_worker() == 0
    assert Post.objects.get(pk=post.pk).status == Post.Status.SCHEDULED
    time.sleep(max(0, (soon - timezone.now()).total_seconds()) + 0.1)
    results = [publish_due_posts.apply_async(ignore_result=False) for _ in range(2)]
    assert sorted(result.get(timeout=30) for result in results) == [0, 1]
    assert Post.objects.get(pk=post.pk).status == Post.Status.PUBLISHED
    assert Client().get(post.get_absolute_url()).status_code == 200


def run_on_worker():
    """Run publish_due_posts on the worker and return its result."""
    return publish_due_posts.apply_async(ignore_result=False).get(timeout=30)
