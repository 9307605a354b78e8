"""Post.objects.hidden_ids() is exactly what published() leaves out, whatever a post's state."""

from datetime import timedelta

import pytest
from django.utils import timezone

from blog.models import Post
from tests.factories import make_post

pytestmark = pytest.mark.django_db


def test_hidden_ids_are_the_complement_of_published():
    now = timezone.now()
    for status in Post.Status.values:
        for published_at in (now - timedelta(days=1), now + timedelta(days=1), None):
            if status != Post.Status.DRAFT and published_at is None:
                continue  # a live post always has a publication time (constraint)
            post = make_post(f"{status} {published_at}", status=status)
            Post.objects.filter(pk=post.pk).update(published_at=published_at)
    everything = set(Post.objects.values_list("pk", flat=True))
    published = set(Post.objects.published().values_list("pk", flat=True))
    hidden = set(Post.objects.hidden_ids().values_list("pk", flat=True))
    assert published and hidden
    assert published.isdisjoint(hidden)
    assert published | hidden == everything
