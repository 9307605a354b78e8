"""Readable, unique, stable slugs for Chinese and English titles and tags."""

import pytest

from blog.models import Post, Tag
from blog.slugs import pinyin_slug
from tests.factories import make_post


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("倒排索引与搜索", "dao-pai-suo-yin-yu-sou-suo"),
        ("DeepSeek-V3 架构解析", "deepseek-v3-jia-gou-jie-xi"),
        ("AdamW: why weight decay is not L2", "adamw-why-weight-decay-is-not-l2"),
        ("Qwen1.5-7B-Chat 微调笔记", "qwen1-5-7b-chat-wei-diao-bi-ji"),
        ("🎉🎉", ""),
    ],
)
def test_pinyin_slug_spells_chinese_and_keeps_latin(title, slug):
    assert pinyin_slug(title) == slug


def test_long_title_is_cut_at_a_word_boundary():
    slug = pinyin_slug("梯度检查点" * 20)
    assert len(slug) <= 80
    assert slug.split("-")[-1] in {"ti", "du", "jian", "cha", "dian"}


@pytest.mark.django_db
def test_same_title_gets_unique_slugs():
    first = make_post("倒排索引与搜索")
    second = make_post("倒排索引与搜索")
    assert first.slug == "dao-pai-suo-yin-yu-sou-suo"
    assert second.slug == "dao-pai-suo-yin-yu-sou-suo-2"


@pytest.mark.django_db
def test_slug_is_stable_when_title_changes():
    post = make_post("倒排索引与搜索")
    post.title = "倒排索引：完全指南"
    post.save()
    post.refresh_from_db()
    assert post.slug == "dao-pai-suo-yin-yu-sou-suo"


@pytest.mark.django_db
def test_author_can_set_slug_by_hand():
    post = make_post("倒排索引与搜索", slug="inverted-index")
    assert post.slug == "inverted-index"


@pytest.mark.django_db
def test_untitled_emoji_post_still_gets_a_slug(client):
    post = make_post("🎉")
    assert post.slug == "untitled"
    assert client.get(post.get_absolute_url()).status_code == 200


@pytest.mark.django_db
def test_chinese_tag_gets_a_working_url(client):
    post = make_post("索引", tags=["搜索"])
    tag = Tag.objects.get(name="搜索")
    assert tag.slug == "sou-suo"
    response = client.get("/tags/sou-suo/")
    assert response.status_code == 200
    assert post.title in response.text


@pytest.mark.django_db
def test_tags_differing_only_in_tone_get_distinct_slugs():
    make_post(tags=["搜索"])
    make_post(tags=["艘索"])  # also "sou suo" in toneless pinyin
    assert sorted(Tag.objects.values_list("slug", flat=True)) == ["sou-suo", "sou-suo-1"]
    assert Post.objects.filter(tags__slug="sou-suo-1").count() == 1
