"""Excerpt rules, each with Chinese and English samples."""

import pytest

from blog.excerpts import excerpt_as_text, excerpt_from_html, make_excerpt
from blog.markdown import render_markdown
from blog.models import Post


def excerpt(markdown, language="zh", budget=280):
    return excerpt_from_html(render_markdown(markdown), language, budget)


def text(markdown, language="zh", budget=280):
    return excerpt_as_text(excerpt(markdown, language, budget))


def post(body="", summary="", language="zh"):
    return Post(body=body, summary=summary, language=language, body_html=render_markdown(body))


def test_short_post_is_whole_and_has_no_ellipsis():
    body = "倒排索引把词项映射到文档列表。" * 6  # 90 characters
    assert text(body) == body
    assert not excerpt(body).endswith("…")


def test_long_chinese_post_is_cut_at_a_sentence_end_with_an_ellipsis():
    body = "".join(f"第{i}句说明一个要点，并且稍微展开一点。" for i in range(40))
    result = text(body)
    assert result.endswith("。…")
    assert 0.6 * 280 <= len(result) <= 282


def test_english_words_count_half_their_length_and_are_never_split():
    body = " ".join(["transformer"] * 200)
    result = text(body, "en")
    assert result.endswith("transformer…")
    assert all(word == "transformer" for word in result.rstrip("…").split())
    # 280 units / 6 units per word ≈ 46 words (the spaces count half a unit each).
    assert 35 <= len(result.split()) <= 47


def test_post_opening_with_a_display_formula_gets_a_placeholder():
    assert text("$$E = mc^2$$\n\n质能方程。") == "[公式] 质能方程。"
    assert text("$$E = mc^2$$\n\nMass-energy equivalence.", "en") == "[formula] Mass-energy equivalence."


def test_equation_numbers_stay_out_and_references_read_as_numbers():
    markdown = (
        "由 \\eqref{e} 可知结论。\n\n\\begin{equation}\nE = mc^2 \\label{e}\n\\end{equation}\n\n质能方程。"
    )
    assert text(markdown) == "由 (1) 可知结论。 [公式] 质能方程。"


def test_code_and_images_become_placeholders_in_the_post_language():
    markdown = "看代码：\n\n```python\nprint(1)\n```\n\n![图](https://example.com/a.png)\n\n完。"
    assert text(markdown) == "看代码： [代码] [图片] 完。"
    assert text(markdown.replace("看代码：", "Code:").replace("完。", "Done."), "en") == (
        "Code: [code] [image] Done."
    )


def test_inline_math_stays_mathml():
    html = excerpt("损失是 $\\mathcal{L}_{\\text{bal}}$，很小。")
    assert "<math" in html and "\\mathcal{L}_{\\text{bal}}" in html
    assert (
        text("损失是 $\\mathcal{L}_{\\text{bal}}$，很小。") == "损失是 $\\mathcal{L}_{\\text{bal}}$，很小。"
    )


@pytest.mark.parametrize(
    "atom",
    ["$\\mathcal{W}[p,q]$", "https://example.com/papers/deepseek-v3?version=2", "Qwen1.5-7B-Chat"],
)
def test_budget_ending_inside_an_atom_never_splits_it(atom):
    # No sentence end anywhere, so the cut must land between atoms: the atom is whole or absent.
    cut_before_atom = 0
    for padding in range(262, 280, 3):
        body = "字" * padding + " " + atom + " " + "字" * 200
        shown = text(body)
        assert shown.endswith("…")
        tail = shown.removesuffix("…")[padding:].strip()
        assert tail == "" or tail.startswith(atom), (padding, tail)
        cut_before_atom += tail == ""
    assert cut_before_atom  # the budget did end inside the atom at least once


def test_names_keep_their_hyphens_and_dots():
    result = text("我们用 Qwen1.5-7B-Chat 和 lmms-engine 在 GPT-4o 上对比，版本 v0.3.1。")
    assert "Qwen1.5-7B-Chat" in result
    assert "lmms-engine" in result
    assert "GPT-4o" in result and "v0.3.1" in result


def test_ordered_lists_keep_their_numbers():
    assert (
        text("步骤：\n\n1. 统计负载\n2. 比较均值\n3. 更新偏置")
        == "步骤： 1. 统计负载 2. 比较均值 3. 更新偏置"
    )
    assert text("Steps:\n\n3. third\n4. fourth", "en") == "Steps: 3. third 4. fourth"


def test_entities_are_decoded_and_markup_escaped():
    html = excerpt("A &amp; B &lt;script&gt;alert(1)&lt;/script&gt; 完。")
    assert "<script" not in html
    assert "&lt;script&gt;" in html
    assert excerpt_as_text(html) == "A & B <script>alert(1)</script> 完。"


def test_markdown_syntax_never_leaks():
    result = text("**加粗** 和 *斜体*，还有 [链接](https://example.com) 与 `code`。")
    assert result == "加粗 和 斜体，还有 链接 与 code。"


def test_author_summary_wins_and_is_escaped():
    result = make_excerpt(post(body="正文。", summary="  作者的\n摘要 <b>加粗</b>  "))
    assert result == "作者的 摘要 &lt;b&gt;加粗&lt;/b&gt;"


def test_more_marker_takes_the_text_before_it_without_ellipsis():
    body = "开头一段，" + "很长" * 200 + "。\n\n<!--more-->\n\n后面不该出现。"
    result = excerpt_as_text(make_excerpt(post(body=body)))
    assert result.startswith("开头一段") and "后面不该出现" not in result
    assert not result.endswith("…")


def test_empty_post_has_an_empty_excerpt():
    assert make_excerpt(post(body="")) == ""
