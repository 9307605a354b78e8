"""A post page ends with up to five related published posts: never drafts, never itself."""

import pytest

from blog.models import Post
from search.indexing import reindex_all
from search.related import RELATED_POSTS, related_posts
from tests.factories import make_post, make_series

pytestmark = pytest.mark.django_db


@pytest.fixture
def related_world(warm_segmenter):
    series = make_series("检索系列")
    source = make_post(
        "倒排索引的压缩",
        body="倒排表 用 变长字节 和 PForDelta 压缩，跳表 加速 求交。",
        tags=["检索", "压缩"],
        series=series,
    )
    same_series = make_post("检索系列 第二篇", body="BM25 打分。", series=series)
    both_tags = make_post("压缩与检索", body="无关的内容。", tags=["检索", "压缩"])
    shared_words = make_post("PForDelta 与变长字节", body="PForDelta 压缩 倒排表，跳表 求交。")
    unrelated = make_post("做菜", body="番茄 炒蛋。", tags=["生活"])
    draft = make_post(
        "草稿：PForDelta", body="PForDelta 倒排表 跳表", tags=["检索", "压缩"], status=Post.Status.DRAFT
    )
    for number in range(8):
        make_post(f"检索杂记 {number}", body=f"第 {number} 篇。", tags=["检索"])
    reindex_all()
    return {
        "source": source,
        "same_series": same_series,
        "both_tags": both_tags,
        "shared_words": shared_words,
        "unrelated": unrelated,
        "draft": draft,
    }


def test_related_posts_are_published_others_best_first(related_world, django_assert_num_queries):
    with django_assert_num_queries(1):
        found = related_posts(related_world["source"].pk)
    ids = [post.pk for post in found]
    assert len(ids) == RELATED_POSTS
    assert related_world["source"].pk not in ids
    assert related_world["draft"].pk not in ids
    assert related_world["unrelated"].pk not in ids
    # Two shared tags, then the series, then the one whose words match most.
    assert ids[:2] == [related_world["both_tags"].pk, related_world["same_series"].pk]
    assert related_world["shared_words"].pk in ids


def test_words_alone_relate_posts_without_tags(related_world):
    found = [post.pk for post in related_posts(related_world["shared_words"].pk)]
    assert found[0] == related_world["source"].pk
    assert related_world["draft"].pk not in found


def test_an_unpublished_post_drops_out_at_once(related_world):
    Post.objects.filter(pk=related_world["both_tags"].pk).unpublish()  # a bulk update
    assert related_world["both_tags"].pk not in [
        post.pk for post in related_posts(related_world["source"].pk)
    ]


def test_the_query_count_does_not_grow_with_the_blog(related_world, django_assert_num_queries):
    for number in range(30):
        make_post(f"更多检索 {number}", body="PForDelta 倒排表", tags=["检索", "压缩"])
    reindex_all()
    with django_assert_num_queries(1):
        assert len(related_posts(related_world["source"].pk)) == RELATED_POSTS


def test_the_post_page_shows_them_and_a_draft_page_shows_none(client, admin_client, related_world):
    html = client.get(related_world["source"].get_absolute_url()).content.decode()
    assert 'class="related-posts"' in html
    assert related_world["both_tags"].get_absolute_url() in html
    assert related_world["draft"].get_absolute_url() not in html
    draft_page = admin_client.get(related_world["draft"].get_absolute_url()).content.decode()
    assert 'class="related-posts"' not in draft_page
