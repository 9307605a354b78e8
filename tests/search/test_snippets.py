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
    from blog.markdown import render_document
    from search.documents import index_text

    prose, _ = index_text(render_document("## 排序：BM25\n\n给定查询。"))
    assert "#" not in prose
    assert "排序：BM25" in prose and "给定查询。" in prose


def snippet_of(markdown, query, **options):
    from blog.markdown import render_document
    from search.documents import snippet_text

    text, formulas = snippet_text(render_document(markdown))
    return str(make_snippet(text, parse_query(query).terms, formulas=formulas, **options))


def test_a_formula_next_to_the_match_is_shown_as_math():
    markdown = "强化学习的目标公式是 $J(\\theta)=\\mathbb{E}[R]$。给定查询 $q$ 和文档 $d$，打分。"
    snippet = snippet_of(markdown, "强化学习")
    assert "<mark>强化学习</mark>" in snippet
    assert snippet.count("<math") == 3 and '公式是 <span class="math-glue"><math' in snippet
    assert "给定查询 <math" in snippet and '和文档 <span class="math-glue"><math' in snippet


def test_marks_never_land_inside_mathml():
    # "mi" and "x" are both words of the text and element names or content of the MathML.
    snippet = snippet_of("变量 $x_{mi}$ 与 mi 以及 x 都出现。", "mi x")
    import re

    for formula in re.findall(r"<math.*?</math>", snippet):
        assert "<mark>" not in formula
    assert marks(snippet) == ["mi", "x"]


def test_a_window_never_cuts_a_name_in_half():
    lead = "这是一段很长的介绍文字，用来把匹配推到片段窗口的中间位置。" * 3
    markdown = lead + "Llama-3-8B-Instruct 是最近讨论很多的模型。后面还有更多内容。" * 2
    for length in range(20, 80, 7):
        snippet = snippet_of(markdown, "Instruct", length=length)
        assert "Llama-3-8B-<mark>Instruct</mark>" in snippet or "<mark>Llama-3-8B-Instruct</mark>" in snippet
        assert "…-8B" not in snippet and "…3-8B" not in snippet and "…B-" not in snippet


def test_list_numbers_and_heading_separators_survive():
    markdown = "## 实验步骤\n\n准备：\n\n1. 下载模型\n2. 用 vLLM 部署\n3. 运行评测"
    snippet = snippet_of(markdown, "部署")
    assert "实验步骤 · 准备： 1. 下载模型 2. 用 vLLM <mark>部署</mark> 3. 运行评测" in snippet


def test_a_short_display_formula_is_inline_and_a_long_one_is_an_ellipsis():
    long_formula = " + ".join(f"a_{{{i}}}" for i in range(40))
    markdown = f"先看损失：\n\n$$L = x^2$$\n\n再看：\n\n$$\n{long_formula}\n$$\n\n最后结论。"
    snippet = snippet_of(markdown, "结论")
    assert '<math display="inline">' in snippet and 'display="block"' not in snippet
    assert "再看： … 最后<mark>结论</mark>。" in snippet
