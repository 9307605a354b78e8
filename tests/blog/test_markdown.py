"""What a reader sees from render_markdown: headings, CJK text, code, links, lists, tables."""

from __future__ import annotations

import re

import pytest

from blog.markdown import Heading, extract_headings, render_markdown, slugify_heading


def heading_ids(html: str) -> list[str]:
    return re.findall(r'<h[1-6] id="([^"]*)"', html)


# --- headings and table of contents ------------------------------------------------------


def test_headings_get_slug_ids_that_keep_chinese():
    html = render_markdown("## 注意力机制\n\n## Why KV Cache?\n\n### 第 3 节：MLA 与 GQA")
    assert heading_ids(html) == ["注意力机制", "why-kv-cache", "第-3-节-mla-与-gqa"]


def test_repeated_headings_are_numbered_from_two():
    html = render_markdown("## 小结\n\n## 小结\n\n## 小结\n\n## Summary\n\n## summary")
    assert heading_ids(html) == ["小结", "小结-2", "小结-3", "summary", "summary-2"]


def test_heading_ids_are_stable_across_renders():
    text = "# A\n\n## B b\n\n## B b\n"
    assert heading_ids(render_markdown(text)) == heading_ids(render_markdown(text))


def test_heading_of_only_punctuation_still_gets_an_id():
    assert heading_ids(render_markdown("## ？！…\n\n## ???")) == ["section", "section-2"]


def test_heading_has_a_permalink_to_itself():
    html = render_markdown("## 背景")
    assert '<a class="heading-anchor" href="#背景"' in html


def test_slug_of_mixed_text():
    assert slugify_heading("  DeepSeek-V3 的 `MoE` 路由  ") == "deepseek-v3-的-moe-路由"
    assert slugify_heading("2. MQA 与 GQA：减少头数") == "2-mqa-与-gqa-减少头数"
    assert slugify_heading("1.1 自回归") == "1-1-自回归"


def test_extract_headings_returns_h2_to_h4_in_order_without_permalink_text():
    html = render_markdown(
        "# Title\n\n## 一、背景\n\n### Attention $O(n^2)$\n\n#### 细节\n\n##### too deep\n\n## 二、方法\n"
    )
    headings = extract_headings(html)
    assert [(heading.level, heading.id) for heading in headings] == [
        (2, "一-背景"),
        (3, "attention-o-n-2"),
        (4, "细节"),
        (2, "二-方法"),
    ]
    assert headings[0] == Heading(level=2, id="一-背景", text="一、背景", html="一、背景")
    assert "#" not in "".join(heading.text + heading.html for heading in headings)
    # The table of contents shows the formula as MathML; its plain text is the TeX.
    assert headings[1].text == "Attention O(n^2)"
    assert headings[1].html.startswith("Attention <math") and "<msup>" in headings[1].html


def test_extract_headings_survives_markup_inside_a_skipped_permalink():
    html = (
        '<h2 id="a">A<a class="heading-anchor" href="#a"><b>#</b><i>x</i></a></h2>'
        '<h3 id="b">B <math><semantics><mi>x</mi><annotation encoding="application/x-tex">x</annotation>'
        '</semantics></math></h3><h2 id="c">C</h2>'
    )
    assert [(heading.level, heading.id, heading.text) for heading in extract_headings(html)] == [
        (2, "a", "A"),
        (3, "b", "B x"),
        (2, "c", "C"),
    ]


def test_extract_headings_of_a_post_without_headings_is_empty():
    assert extract_headings(render_markdown("只是一段话。")) == []
    assert extract_headings("") == []


# --- Chinese text ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        ("**注意：**这里", "<strong>注意：</strong>这里"),
        ("**DeepSeek-V3**的架构", "<strong>DeepSeek-V3</strong>的架构"),
        ("这是**「重要」**的事", "<strong>「重要」</strong>的事"),
        ("*斜体*文字", "<em>斜体</em>文字"),
    ],
)
def test_emphasis_next_to_chinese_renders(markdown, expected):
    assert expected in render_markdown(markdown)


def test_line_break_between_chinese_characters_adds_no_space():
    assert "<p>第一行第二行</p>" in render_markdown("第一行\n第二行")


def test_line_break_between_english_words_still_separates_them():
    html = render_markdown("first line\nsecond line")
    assert "first line\nsecond line" in html


# --- code ---------------------------------------------------------------------------------


def test_fenced_code_is_highlighted_with_classes_inside_a_copyable_wrapper():
    html = render_markdown("```python\ndef f(x):\n    return x < 1\n```")
    assert html.startswith('<div class="codeblock" data-lang="python"><pre><code class="language-python">')
    assert '<span class="k">def</span>' in html
    assert "&lt;" in html  # "<" in the code is escaped, not markup
    assert "style=" not in html


def test_unknown_language_is_plain_escaped_code():
    html = render_markdown("```nosuchlanguage\n<b>bold?</b>\n```")
    assert '<code class="language-nosuchlanguage">&lt;b&gt;bold?&lt;/b&gt;\n</code>' in html
    assert "<span" not in html


def test_code_without_language_is_plain():
    html = render_markdown("```\nplain & simple\n```")
    assert "<pre><code>plain &amp; simple\n</code></pre>" in html


def test_line_numbers_are_optional_from_the_info_string():
    with_numbers = render_markdown("```python linenos\na = 1\nb = 2\n```")
    assert re.findall(r'<span class="linenos">(\d+)</span>', with_numbers) == ["1", "2"]
    assert "linenos" not in render_markdown("```python\na = 1\n```")


def test_language_is_matched_case_insensitively():
    assert '<span class="kn">import</span>' in render_markdown("```Python\nimport os\n```")


def test_feed_variant_styles_code_inline_and_drops_permalinks():
    html = render_markdown("## 标题\n\n```python\nimport os\n```", inline_styles=True)
    assert 'style="' in html
    assert re.search(r'<span style="[^"]*color[^"]*">import</span>', html)
    assert "heading-anchor" not in html
    assert '<h2 id="标题">' in html


# --- links, images and lists ------------------------------------------------------------------


def test_images_load_lazily():
    html = render_markdown("![架构图](/media/arch.png)")
    assert '<img src="/media/arch.png" alt="架构图" loading="lazy">' in html


def test_external_links_get_noopener_and_internal_ones_do_not():
    html = render_markdown("[out](https://example.com/a) [in](/posts/x/) [top](#intro)")
    assert '<a rel="noopener" href="https://example.com/a">out</a>' in html
    assert '<a href="/posts/x/">in</a>' in html
    assert '<a href="#intro">top</a>' in html


def test_raw_html_links_to_other_sites_get_noopener_too():
    html = render_markdown('<a href="http://example.org/">x</a>')
    assert 'rel="noopener"' in html


@pytest.mark.parametrize(
    ("markdown", "href", "text"),
    [
        ("详见https://example.com/a。", "https://example.com/a", "https://example.com/a"),
        ("然后www.example.com，", "http://www.example.com", "www.example.com"),
        ("see https://example.com/x_(y).", "https://example.com/x_(y)", "https://example.com/x_(y)"),
        ("(https://example.com/a)", "https://example.com/a", "https://example.com/a"),
        (
            "访问 https://example.com/path?q=1 获取",
            "https://example.com/path?q=1",
            "https://example.com/path?q=1",
        ),
    ],
)
def test_bare_urls_become_links_and_stop_at_chinese_text(markdown, href, text):
    assert f'<a rel="noopener" href="{href}">{text}</a>' in render_markdown(markdown)


def test_urls_inside_links_and_code_are_not_linked_again():
    html = render_markdown("[https://a.example](https://b.example) `https://c.example`")
    assert html.count("<a ") == 1
    assert "<code>https://c.example</code>" in html


def test_task_list_renders_disabled_checkboxes():
    html = render_markdown("- [x] 写完\n- [ ] 校对")
    assert html.count('type="checkbox"') == 2
    assert html.count('disabled="disabled"') == 2
    assert html.count('checked="checked"') == 1


def test_footnotes_link_both_ways():
    html = render_markdown("正文[^n]。\n\n[^n]: 注释内容。")
    assert '<sup class="footnote-ref"><a href="#fn1" id="fnref1">[1]</a></sup>' in html
    assert (
        '<li id="fn1" class="footnote-item"><p>注释内容。 <a href="#fnref1" class="footnote-backref">' in html
    )


def test_tables_and_strikethrough():
    html = render_markdown("| 方案 | 显存 |\n|---|--:|\n| MLA | ~~大~~小 |")
    assert '<th style="text-align:right">显存</th>' in html
    assert '<td style="text-align:right"><s>大</s>小</td>' in html


def test_empty_and_blank_input_render_to_nothing():
    assert render_markdown("") == ""
    assert render_markdown("   \n\n  ") == ""


def test_huge_input_renders():
    paragraph = "长文本 **加粗** 和 $x_i^2$ 以及 `code`。\n\n"
    html = render_markdown(paragraph * 2000)
    assert html.count("<strong>加粗</strong>") == 2000
    assert html.count("<math") == 2000
