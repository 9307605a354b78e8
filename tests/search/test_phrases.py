"""Quoted phrases: adjacency answered by the index of lexeme pairs, exactly as positions would."""

import pytest
from django.db import connection

from blog.models import Post
from search.query import parse_query
from search.results import search_posts
from tests.factories import make_post

pytestmark = pytest.mark.django_db

PHRASES = [
    '"gradient checkpointing"',
    '"key insight"',
    "“训练模型”",
    '"倒排索引"',
    "「长上下文」",
    '"silver bullet"',
    '"memory usage"',
    '"gradient checkpointing in practice"',
    '"python 装饰器"',
    '"梯度 检查点 显存"',
    '"GIL python"',
    "AdamW “权重衰减”",
    '"权重衰减" -"学习率"',
]


def test_a_two_word_phrase_is_one_pair_lookup():
    query = parse_query('"silver bullet"')
    assert query.tsquery == "('silver' <1> 'bullet')"
    assert query.match.pairs == "'silver bullet'"
    assert "<" not in query.match.vector
    # 模型 starts two characters after 训练: they touch.
    assert parse_query("“训练模型”").match.pairs == "'训练 模型'"
    # A stop word between the words leaves a gap: positions are checked.
    assert parse_query('"key of insight"').match == ("('key' <2> 'insight')", "")


def test_pairs_find_exactly_what_positions_find(corpus):
    make_post("Bullets", body="A silver bullet. Another bullet is silver and shiny; the key insight is key.")
    make_post("长文", body="很长上下文的窗口，上下文很长。训练好的模型与训练模型。")
    from search.indexing import reindex_all

    reindex_all()
    published = set(Post.objects.published().values_list("pk", flat=True))
    for text in PHRASES:
        query = parse_query(text)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT post_id FROM search_searchdocument WHERE vector @@ %s::tsquery", [query.tsquery]
            )
            by_positions = {post_id for (post_id,) in cursor.fetchall()} & published
        found = search_posts(query, per_page=100)
        assert found.total == len(by_positions), text
        assert {hit.post.pk for hit in found.hits} == by_positions, text
    assert search_posts(parse_query('"silver bullet"')).total == 1
    assert search_posts(parse_query('"bullet silver"')).total == 0


def test_a_phrase_over_a_tag_is_found(corpus):
    found = search_posts(parse_query('"pytorch"'))
    assert found.total >= 1
