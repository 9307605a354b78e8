"""The content version never goes backwards: not when the cache evicts its mirror, not when the
state Redis loses its counter, so an entry cached before a change is never served after it."""

import pytest

from blog.models import Post
from blog.page_cache import (
    bump_content_version,
    cache_redis,
    content_version,
    state_redis,
    version_key,
    version_mirror_key,
)
from tests.factories import make_post

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 600


def test_a_bump_moves_the_version_forward_in_both_places():
    before = content_version()
    bump_content_version()
    after = content_version()
    assert after > before
    assert int(state_redis().get(version_key())) == after == int(cache_redis().get(version_mirror_key()))


def test_an_evicted_mirror_is_seeded_again_from_the_state_redis():
    bump_content_version()
    bump_content_version()
    truth = int(state_redis().get(version_key()))
    cache_redis().delete(version_mirror_key())  # what an LRU cache does under memory pressure
    assert content_version() == truth
    assert int(cache_redis().get(version_mirror_key())) == truth


def test_a_lost_counter_starts_above_every_version_handed_out_before():
    for _ in range(3):
        bump_content_version()
    old = content_version()
    state_redis().delete(version_key())
    cache_redis().delete(version_mirror_key())
    assert content_version() > old
    bump_content_version()
    assert content_version() > old


def test_a_late_bump_never_lowers_the_mirror():
    bump_content_version()
    current = content_version()
    cache_redis().raise_mirror_script(keys=[version_mirror_key()], args=[current - 5])
    assert content_version() == current


def test_a_removed_post_stays_removed_when_the_mirror_is_evicted(client, django_capture_on_commit_callbacks):
    post = make_post("Withdrawn, then evicted")
    assert "Withdrawn, then evicted" in client.get("/").text
    with django_capture_on_commit_callbacks(execute=True):
        Post.objects.filter(pk=post.pk).unpublish()
    cache_redis().delete(version_mirror_key())
    assert "Withdrawn, then evicted" not in client.get("/").text
    assert "Withdrawn, then evicted" not in client.get("/").text
