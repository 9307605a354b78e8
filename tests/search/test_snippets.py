"""Snippets and highlighted titles: whole words marked, everything else escaped."""

import pytest

from search.query import Term, parse_query
from search.snippets import highlight, make_snippet

pytestmark = pytest.mark.django_db  # the segmenter reads the domain words from the database


def marks(html):
    import re

    return re.findall(r"<mark>(.*?)</mark>", str(html))


def test_chinese_matches_are_whole_words():
    text = "线索引导用户找到入口。倒排索引为每个词保存一个倒排表。"
    snippet = make_snippet(text, parse_query("索引").terms)
    # 线索引导 is 线索 + 引导: the "索引" across them is not a word there.
    assert marks(snippet) == ["倒排索引"]


def test_part_of_a_word_marks_the_whole_word():
    assert marks(make_snippet("打开梯度检查点之后", parse_query("检查点").terms)) == ["梯度检查点"]


def test_traditional_text_is_marked_for_a_simplified_query():
    assert marks(highlight("機器學習中的過擬合", parse_query("过拟合").terms)) == ["過擬合"]


def test_latin_prefix_matches_mark_the_whole_word():
    assert marks(highlight("Transformers from scratch", parse_query("transformer").terms)) == ["Transformers"]
    # Not inside another word.
    assert marks(highlight("Reformers and transformers", [Term("former", True)])) == []


def test_snippet_is_cut_around_the_best_match():
    text = "开头的无关内容。" * 40 + "这里讲 AdamW 和权重衰减的关系。" + "结尾的无关内容。" * 40
    snippet = str(make_snippet(text, parse_query("AdamW 权重衰减").terms))
    assert snippet.startswith("…") and snippet.endswith("…")
    assert marks(snippet) == ["AdamW", "权重衰减"]
    assert len(snippet) < 200


def test_no_match_gives_the_opening():
    assert str(make_snippet("Short text.", parse_query("absent").terms)) == "Short text."


def test_html_in_the_text_is_escaped():
    text = '<script>alert("x")</script> <img src=x onerror=alert(1)> 倒排索引'
    snippet = str(make_snippet(text, parse_query("倒排索引 script").terms))
    assert "<script>" not in snippet and "<img" not in snippet
    assert "&lt;<mark>script</mark>&gt;" in snippet
    assert marks(snippet)[-1] == "倒排索引"


def test_heading_permalinks_are_not_prose():
    from blog.markdown import render_markdown
    from search.documents import split_prose_and_code

    prose, _ = split_prose_and_code(render_markdown("## 排序：BM25\n\n给定查询。"))
    assert "#" not in prose
    assert "排序：BM25" in prose and "给定查询。" in prose
