"""Only posts readers may see are ever found, whatever state the index is in."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from blog.models import Post
from search.indexing import index_post, reindex_all, write_documents
from search.models import SearchDocument
from search.query import parse_query
from search.results import search_posts
from search.tasks import sync_search_index
from tests.factories import make_post

pytestmark = pytest.mark.django_db


def found(text):
    return [hit.post.pk for hit in search_posts(parse_query(text)).hits]


def test_drafts_and_future_posts_are_never_found(corpus):
    assert found("Zephyrquokka") == []
    assert found("量子退火") == []
    assert found("Marmotlantern") == []
    assert found("草稿") == []
    # The scheduled post has a document, ready for its time; the draft has none.
    assert SearchDocument.objects.filter(post=corpus["scheduled"]).exists()
    assert not SearchDocument.objects.filter(post=corpus["draft"]).exists()


def test_a_scheduled_post_is_found_once_its_time_has_come_without_reindexing(corpus):
    Post.objects.filter(pk=corpus["scheduled"].pk).update(published_at=timezone.now() - timedelta(seconds=1))
    assert found("Marmotlantern") == [corpus["scheduled"].pk]


def test_unpublishing_by_bulk_update_hides_a_post_before_its_document_goes(corpus):
    post = corpus["inverted-index"]
    assert post.pk in found("倒排索引")
    Post.objects.filter(pk=post.pk).unpublish()
    assert SearchDocument.objects.filter(post=post).exists()
    assert post.pk not in found("倒排索引")


def test_bulk_published_drafts_are_picked_up_by_the_sync_task(corpus):
    Post.objects.filter(pk=corpus["draft"].pk).publish()
    assert found("Zephyrquokka") == []  # no document yet: no signal was sent
    assert sync_search_index() == {"indexed": 1, "removed": 0}
    assert found("Zephyrquokka") == [corpus["draft"].pk]


def test_indexing_a_draft_removes_its_document():
    post = make_post("Ephemeral wombat notes", body="wombat")
    assert index_post(post.pk)
    assert found("wombat") == [post.pk]
    Post.objects.filter(pk=post.pk).update(status=Post.Status.DRAFT)
    assert not index_post(post.pk)
    assert not SearchDocument.objects.filter(post=post).exists()


def test_indexing_is_idempotent():
    post = make_post("Idempotent capybara", body="capybara", tags=["animals"])
    index_post(post.pk)
    first = SearchDocument.objects.get(post=post).vector
    index_post(post.pk)
    reindex_all()
    assert SearchDocument.objects.get(post=post).vector == first
    assert SearchDocument.objects.count() == 1


def test_indexing_a_deleted_post_is_not_an_error():
    assert index_post(987654321) is False


def _posts_in_every_state(word):
    """Posts containing `word` in every status, published in the past, the future or never."""
    now = timezone.now()
    posts = []
    for status in Post.Status.values:
        for published_at in (now - timedelta(days=1), now + timedelta(days=1), None):
            if status != Post.Status.DRAFT and published_at is None:
                continue  # a live post always has a publication time (constraint)
            post = make_post(f"{word} {status}", body=word, status=status)
            Post.objects.filter(pk=post.pk).update(published_at=published_at)
            posts.append(post)
    return posts


def test_a_document_is_found_exactly_when_its_post_is_published_whatever_changed_it():
    posts = _posts_in_every_state("numbat")
    # Documents for all of them, drafts included, as an indexer racing with edits could write.
    write_documents(list(Post.objects.filter(pk__in=[post.pk for post in posts]).order_by("pk")))
    published = set(Post.objects.published().values_list("pk", flat=True))
    assert len(published) == 2
    assert set(found("numbat")) == published
    # Every post through every status by bulk updates, which send no signal to any indexer.
    for status in (Post.Status.DRAFT, Post.Status.PUBLISHED, Post.Status.SCHEDULED):
        Post.objects.filter(pk__in=[post.pk for post in posts]).exclude(published_at=None).update(
            status=status
        )
        assert set(found("numbat")) == set(Post.objects.published().values_list("pk", flat=True))
    Post.objects.filter(pk__in=[post.pk for post in posts]).update(published_at=timezone.now())
    assert set(found("numbat")) == set(Post.objects.published().values_list("pk", flat=True))


def test_a_document_written_from_a_stale_copy_of_its_post_follows_the_post():
    post = make_post("Stale aardvark", body="aardvark")
    stale = Post.objects.get(pk=post.pk)
    Post.objects.filter(pk=post.pk).unpublish()
    write_documents([stale])  # the indexer read the post just before it was unpublished
    assert SearchDocument.objects.filter(post=post).exists()
    assert found("aardvark") == []
    Post.objects.filter(pk=post.pk).publish()
    assert found("aardvark") == [post.pk]


@pytest.mark.django_db(transaction=True)
def test_a_document_written_while_its_post_is_being_unpublished_waits_and_follows_it():
    post = make_post("Racing pangolin", body="pangolin")
    stale = Post.objects.get(pk=post.pk)
    unpublishing, written, errors = threading.Event(), threading.Event(), []

    def write_from_the_stale_copy():
        try:
            unpublishing.wait(10)
            write_documents([stale])
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            written.set()
            connection.close()

    writer = threading.Thread(target=write_from_the_stale_copy)
    writer.start()
    with transaction.atomic():
        Post.objects.filter(pk=post.pk).update(status=Post.Status.DRAFT)
        unpublishing.set()
        # The writer waits on the post's row until this transaction ends.
        assert not written.wait(0.5)
    writer.join(10)
    assert written.is_set() and not errors
    assert SearchDocument.objects.get(post=post).published_at is None
    assert found("pangolin") == []
