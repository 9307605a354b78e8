"""The most used tags in the timeline's filter control: counted when tags change, never stale
about what readers may see."""

import time

import pytest
from bs4 import BeautifulSoup

from blog import tag_ranking
from blog.models import Post
from blog.tasks import recount_tag_ranking
from tests.factories import make_post


def offered_tags(client):
    """Return the tag slugs the timeline's filter control offers."""
    form = BeautifulSoup(client.get("/").text, "html.parser").select_one("form.timeline-filter")
    return [option["value"] for option in form.select('select[name="tag"] option') if option["value"]]


@pytest.fixture
def three_tags(django_capture_on_commit_callbacks, settings):
    """Six posts under three tags, the ranking counted after each write (no interval)."""
    settings.TAG_RANKING_RECOUNT_SECONDS = 0
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            make_post(tags=["Python"])
        for _ in range(2):
            make_post(tags=["搜索"])
        rare = make_post("The only Rust post", tags=["Rust"])
    return rare


@pytest.mark.django_db
def test_the_control_lists_tags_most_used_first(client, three_tags):
    assert offered_tags(client) == ["python", "sou-suo", "rust"]


@pytest.mark.django_db
def test_a_tag_whose_last_post_is_unpublished_goes_at_once_though_the_ranking_waits(
    client, three_tags, django_capture_on_commit_callbacks, settings
):
    """A bulk unpublish inside a recount interval leaves the ranking to a later count, yet the
    unpublished post's tag is not offered: each content version asks which ranked tags readers
    can still see."""
    settings.TAG_RANKING_RECOUNT_SECONDS = 600
    with django_capture_on_commit_callbacks(execute=True):
        pythons = [make_post(tags=["Python"]) for _ in range(5)]  # counted at once, interval starts
    assert offered_tags(client)[-1] == "rust"
    ranking = tag_ranking.kept_ranking()
    batch = [three_tags.pk] + [post.pk for post in pythons]  # more posts than a person's change
    with django_capture_on_commit_callbacks(execute=True):
        Post.objects.filter(pk__in=batch).unpublish()
    assert tag_ranking.kept_ranking() == ranking, "the ranking was counted again inside its interval"
    assert offered_tags(client) == ["python", "sou-suo"]


@pytest.mark.django_db
def test_a_renamed_tag_shows_its_new_name_without_a_recount(
    client, three_tags, django_capture_on_commit_callbacks
):
    offered_tags(client)
    tag = three_tags.tags.get()
    with django_capture_on_commit_callbacks(execute=True):
        tag.name = "Rust 语言"
        tag.save()
    labels = [
        option.text.strip()
        for option in BeautifulSoup(client.get("/").text, "html.parser").select('select[name="tag"] option')
    ]
    assert "#Rust 语言" in labels


@pytest.mark.django_db
def test_after_normal_writes_the_safety_net_recount_finds_nothing_to_change(three_tags, settings):
    """Every write that can move the ranking counted it (the interval had passed each time)."""
    settings.TAG_RANKING_RECOUNT_SECONDS = 600
    assert recount_tag_ranking() is False


@pytest.mark.django_db
def test_a_burst_of_changes_is_counted_once_now_and_once_at_the_interval_s_end(three_tags, settings):
    settings.TAG_RANKING_RECOUNT_SECONDS = 600
    scheduled = []
    counted = [tag_ranking.recount_soon(scheduled.append, changed_posts=50) for _ in range(5)]
    assert counted == [True, False, False, False, False]
    assert scheduled == [600], "one later count, not one per change"
    assert tag_ranking.recount_soon(scheduled.append, changed_posts=1), "a person's change waits for nothing"


def wait_for(predicate, seconds=20):
    deadline = time.monotonic() + seconds
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.1)
    return predicate()


def test_a_tag_arriving_inside_the_interval_is_offered_once_the_worker_recounts(
    client, celery_worker, settings
):
    """With a real worker: a batch inside the interval is counted by the task at its end, and
    the pages follow without waiting for another change."""
    settings.TAG_RANKING_RECOUNT_SECONDS = 2
    author = make_post(tags=["Python"]).author  # committed at once: counted, an interval starts
    imported = [
        Post(title=f"Imported {number}", body="Text.", author=author, status=Post.Status.PUBLISHED)
        for number in range(6)
    ]
    Post.objects.create_rendered(imported, [["Rust"]] * 6)  # a batch inside the interval: left to the task
    assert wait_for(lambda: "rust" in offered_tags(client)), offered_tags(client)
    assert offered_tags(client) == ["rust", "python"]


@pytest.mark.django_db
def test_tags_of_posts_inserted_in_a_batch_are_counted(
    client, three_tags, django_capture_on_commit_callbacks
):
    """Ingestion inserts posts and their taggings in bulk (no m2m signal): the count follows."""
    author = three_tags.author
    fresh = [
        Post(title=f"Imported {number}", body="Text.", author=author, status=Post.Status.PUBLISHED)
        for number in range(4)
    ]
    with django_capture_on_commit_callbacks(execute=True):
        Post.objects.create_rendered(fresh, [["Go"]] * 4)
    assert offered_tags(client)[0] == "go"


@pytest.mark.django_db
def test_the_first_timeline_after_a_post_change_does_not_count_the_choices(
    client, three_tags, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    """The change stored the control's choices for its new version: the page, its tags and its
    series' parts are all the first reader's request asks (blog.views.paged_timeline)."""
    with django_capture_on_commit_callbacks(execute=True):
        make_post("Fresh", tags=["Python"])
    with django_assert_max_num_queries(3):
        assert "python" in offered_tags(client)
