"""Excerpt rules, each with Chinese and English samples: the HTML of the timeline and the plain text."""

import re

import pytest

from blog.excerpts import excerpt_of, excerpt_of_document, make_excerpt
from blog.markdown import render_document
from blog.models import Post

# Every placeholder the system we replace printed, and any other bracketed stand-in.
PLACEHOLDER = re.compile(r"\[(?:公式|代码|图片|表格|formula|code|image|table|math)\]", re.IGNORECASE)


def excerpt(markdown, language="zh", budget=280):
    return excerpt_of_document(render_document(markdown), budget).html


def text(markdown, language="zh", budget=280):
    return excerpt_of_document(render_document(markdown), budget).text


def post(body="", summary="", language="zh"):
    document = render_document(body)
    html, outline = document.html, document.outline_json()
    return Post(body=body, summary=summary, language=language, body_html=html, outline=outline)


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


def test_post_opening_with_a_display_formula_shows_it_inline_sized_and_plain_text_reads_on():
    samples = [("$$E = mc^2$$\n\n质能方程。", "质能方程。"), ("$$E = mc^2$$\n\nMass-energy.", "Mass-energy.")]
    for markdown, after in samples:
        html = excerpt(markdown)
        assert html.startswith('<math display="inline">') and "E = mc^2" in html
        assert html.endswith(after) and not PLACEHOLDER.search(html)
        assert text(markdown) == after


def test_a_display_formula_that_does_not_fit_ends_the_excerpt_before_it():
    long_formula = " + ".join(f"\\alpha_{{{i}}} x_{{{i}}}" for i in range(60))
    markdown = f"先压缩再还原：\n\n$$\n{long_formula}\n$$\n\n其中 $x$ 是输入。"
    assert excerpt(markdown) == "先压缩再还原…"
    assert text(markdown) == "先压缩再还原…"
    # Rows of an aligned formula never go inline, whatever their length.
    aligned = "AdamW decouples:\n\n$$\n\\begin{aligned} a &= b \\\\ c &= d \\end{aligned}\n$$\n\nIn PyTorch…"
    assert excerpt(aligned) == "AdamW decouples…"


def test_equation_numbers_stay_out_and_references_read_as_numbers():
    markdown = (
        "由 \\eqref{e} 可知结论。\n\n\\begin{equation}\nE = mc^2 \\label{e}\n\\end{equation}\n\n质能方程。"
    )
    assert text(markdown) == "由 (1) 可知结论。 质能方程。"
    html = excerpt(markdown)
    assert "<math" in html and "equation-number" not in html and "(1)" in html


def test_code_blocks_give_their_first_line_and_images_their_prose_alt_only():
    markdown = "看代码：\n\n```python\nprint(1)\nprint(2)\n```\n\n![图](https://example.com/a.png)\n\n完。"
    assert excerpt(markdown) == "看代码： <code>print(1)</code> 完。"
    assert text(markdown) == "看代码： 完。"
    english = "Code:\n\n```\npip install vllm\n```\n\n![The MLA cache layout](a.png)\n\nDone."
    assert excerpt(english, "en") == "Code: <code>pip install vllm</code> The MLA cache layout Done."
    assert text(english, "en") == "Code: The MLA cache layout Done."


def test_a_code_block_whose_first_line_does_not_fit_ends_the_excerpt():
    markdown = "安装：\n\n```bash\n" + "x" * 600 + "\n```\n\n然后运行。"
    assert excerpt(markdown) == "安装…"


def test_headings_are_set_off_from_the_text_after_them():
    assert text("## 缓存对比\n\n注意：显存减半。") == "缓存对比 · 注意：显存减半。"
    assert excerpt("## Cache\n\nNote: half the memory.", "en") == "Cache · Note: half the memory."


def test_tables_give_their_rows():
    markdown = "对比：\n\n| 方法 | 显存 |\n|---|---|\n| MHA | $2nd$ |\n| MLA | 低 |\n\n结论。"
    assert text(markdown) == "对比： 方法 | 显存 / MHA | $2nd$ / MLA | 低 结论。"
    assert "<math" in excerpt(markdown)


def test_no_placeholder_in_a_post_with_every_kind_of_block():
    markdown = (
        "$$\\mathcal{L} = -\\sum_i \\log p(x_i)$$\n\n# 标题\n\n段落 $a^2$。\n\n```\ncode\n```\n\n"
        "![](x.png)\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- 条目\n\n> 引用"
    )
    for budget in (10, 40, 280):
        for shown in (excerpt(markdown, budget=budget), text(markdown, budget=budget)):
            assert not PLACEHOLDER.search(shown), shown


def test_a_formula_keeps_the_punctuation_after_it_on_its_line():
    html = excerpt("公式 $x^2$。下一句。")
    assert re.search(r'<span class="math-glue"><math[^>]*>.*</math>。</span>下一句。', html)


def test_long_inline_tex_is_left_out_of_plain_text_and_the_sentence_still_reads():
    formula = "\\sum_{i=1}^{n} \\frac{\\exp(q_i^\\top k_j)}{\\sum_l \\exp(q_i^\\top k_l)} v_j"
    assert len(formula) > 40
    assert text(f"注意力的公式是 ${formula}$。很简单。") == "注意力的公式是。很简单。"
    assert text("短的 $x_i$ 保留。") == "短的 $x_i$ 保留。"


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
    plain = text("A &amp; B &lt;script&gt;alert(1)&lt;/script&gt; 完。")
    assert plain == "A & B <script>alert(1)</script> 完。"


def test_markdown_syntax_never_leaks():
    result = text("**加粗** 和 *斜体*，还有 [链接](https://example.com) 与 `code`。")
    assert result == "加粗 和 斜体，还有 链接 与 code。"


def test_author_summary_wins_and_is_escaped():
    result = make_excerpt(post(body="正文。", summary="  作者的\n摘要 <b>加粗</b>  "))
    assert result == "作者的 摘要 &lt;b&gt;加粗&lt;/b&gt;"


def test_more_marker_takes_the_text_before_it_without_ellipsis():
    body = "开头一段，" + "很长" * 200 + "。\n\n<!--more-->\n\n后面不该出现。"
    result = excerpt_of(post(body=body)).text
    assert result.startswith("开头一段") and "后面不该出现" not in result
    assert not result.endswith("…")


def test_empty_post_has_an_empty_excerpt():
    assert make_excerpt(post(body="")) == ""
    assert excerpt_of(post(body="")).text == ""


def test_a_post_stored_before_outlines_is_excerpted_from_its_html():
    stored = post(body="## 背景\n\n公式 $x$ 很短。")
    stored.outline = {}
    assert excerpt_of(stored).text == "背景 · 公式 $x$ 很短。"


def test_a_post_of_only_code_is_described_by_its_first_line():
    assert text("```python\nimport torch\nprint(torch.__version__)\n```") == "import torch"
    # Prose, when there is some, is the description; the code stays out of it.
    assert text("看代码：\n\n```\nprint(1)\n```") == "看代码："
