"""Documents follow posts: a real Celery worker re-indexes after each committed change."""

import time

import pytest

from blog.models import Post, Tag
from search.models import DictionaryWord, SearchDocument
from search.query import parse_query
from search.results import search_posts
from tests.factories import make_user

pytestmark = pytest.mark.usefixtures("celery_worker")


def wait_for(condition, timeout=15):
    """Poll `condition` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    pytest.fail("The worker did not update the search index in time.")


def vector_of(post):
    return SearchDocument.objects.filter(post=post).values_list("vector", flat=True).first() or ""


def found(text):
    return [hit.post.pk for hit in search_posts(parse_query(text)).hits]


def test_saving_editing_tagging_and_unpublishing_update_the_index():
    post = Post.objects.create(
        title="Wombat 调度器", body="工作窃取调度器的实现。", author=make_user(), status=Post.Status.PUBLISHED
    )
    wait_for(lambda: found("wombat") == [post.pk])

    post.title = "Numbat 调度器"
    post.save()
    wait_for(lambda: found("numbat") == [post.pk])
    assert found("wombat") == []

    post.tags.add("并发编程")
    wait_for(lambda: "'并发编程'" in vector_of(post) or "'并发'" in vector_of(post))

    tag = Tag.objects.get(name="并发编程")
    tag.name = "异步编程"
    tag.save()  # renaming a tag re-indexes the posts carrying it
    wait_for(lambda: "'异步'" in vector_of(post))

    post.status = Post.Status.DRAFT
    post.save()
    wait_for(lambda: not SearchDocument.objects.filter(post=post).exists())
    assert found("numbat") == []


def test_deleting_a_post_deletes_its_document():
    post = Post.objects.create(title="Quokka 注记", author=make_user(), status=Post.Status.PUBLISHED)
    wait_for(lambda: SearchDocument.objects.filter(post=post).exists())
    post.delete()
    assert not SearchDocument.objects.filter(post_id=post.pk).exists()


def test_a_new_domain_word_reindexes_posts_with_it_whole():
    post = Post.objects.create(
        title="量子纠缠蒸馏笔记",
        body="量子纠缠蒸馏是一种协议。",
        author=make_user(),
        status=Post.Status.PUBLISHED,
    )
    wait_for(lambda: SearchDocument.objects.filter(post=post).exists())
    assert "'量子纠缠蒸馏'" not in vector_of(post)
    DictionaryWord.objects.create(word="量子纠缠蒸馏")
    wait_for(lambda: "'量子纠缠蒸馏'" in vector_of(post))
    assert parse_query("量子纠缠蒸馏").tsquery == "'量子纠缠蒸馏'"
    DictionaryWord.objects.all().delete()
    wait_for(lambda: "'量子纠缠蒸馏'" not in vector_of(post))
