"""Query syntax: AND, "phrases", -exclusions, prefixes, and input that is not a query."""

import pytest

from search.query import MAX_QUERY_LENGTH, english_forms, parse_query

pytestmark = pytest.mark.django_db  # the segmenter reads the domain words from the database


def test_words_are_anded():
    assert parse_query("AdamW 权重衰减").tsquery == "('adamw' | 'adamws') & '权重衰减'"


def test_english_words_match_singular_and_plural():
    assert parse_query("Transformers").tsquery == "('transformers' | 'transformer')"
    assert parse_query("index").tsquery == "('index' | 'indexes')"
    # Names and versions match as written.
    assert parse_query("r1").tsquery == "'r1'"
    assert parse_query("qwen1.5").tsquery == "'qwen1.5'"


def test_a_lone_han_character_matches_by_prefix():
    assert parse_query("树").tsquery == "'树':*"


def test_quoted_phrases_need_adjacency_measured_in_characters():
    assert parse_query('"gradient checkpointing"').tsquery == "('gradient' <1> 'checkpointing')"
    # 模型 starts two characters after 扩散.
    assert parse_query("“训练模型”").tsquery == "('训练' <2> '模型')"


def test_minus_excludes():
    query = parse_query("transformer -bert")
    assert query.tsquery == "('transformer' | 'transformers') & !'bert'"
    assert query.has_exclusions


def test_a_hyphen_inside_a_word_is_not_an_exclusion():
    assert parse_query("gpt-4o").tsquery == "'gpt-4o'"


@pytest.mark.parametrize("text", ["", "   ", "，。？！", '""', "- -- ---", "the of and", "的 了"])
def test_nothing_to_search_for(text):
    assert parse_query(text).is_empty


def test_only_exclusions_is_not_a_search():
    query = parse_query("-python")
    assert query.is_empty
    assert query.has_exclusions


def test_long_queries_are_cut():
    query = parse_query("索引" * 500)
    assert len(query.text) == MAX_QUERY_LENGTH


def test_quotes_in_lexemes_cannot_break_out_of_the_literal():
    query = parse_query("it's o'reilly \\ 'x' | & ! :*")
    assert query.tsquery.count("'") % 2 == 0


def test_group_labels_keep_the_readers_script():
    assert [group.label for group in parse_query("梯度檢查點 AdamW").groups] == ["梯度檢查點", "AdamW"]


@pytest.mark.parametrize(
    ("word", "forms"),
    [
        ("index", ["index", "indexes"]),
        ("indexes", ["indexes", "indexe", "index"]),
        ("caches", ["caches", "cache", "cach"]),
        ("query", ["query", "queries"]),
        ("queries", ["queries", "query"]),
        ("gpus", ["gpus", "gpu"]),
        ("class", ["class", "classes"]),
        ("go", ["go"]),
    ],
)
def test_english_forms(word, forms):
    assert english_forms(word) == forms
