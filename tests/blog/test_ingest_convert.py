"""Entry HTML becomes editable Markdown without losing a formula, a number or a link."""

import re
from html import escape

import pytest
from bs4 import BeautifulSoup

from blog.ingest.convert import html_to_markdown
from blog.markdown import render_markdown


def test_mathjax_delimiters_in_text_become_markdown_math():
    markdown = html_to_markdown(r"<p>设 \(a_1 * b_2\)，则 \[\sum_{i=1}^n x_i\] 成立，$$E=mc^2$$。</p>")
    assert "$a_1 * b_2$" in markdown
    assert "$$\n\\sum_{i=1}^n x_i\n$$" in markdown
    assert "$$\nE=mc^2\n$$" in markdown


def test_single_dollars_follow_pandoc_rules():
    markdown = html_to_markdown("<p>价格 $5 和 $10，而 $x_t$ 是状态。</p>")
    assert "$x_t$" in markdown
    html = render_markdown(markdown)
    assert html.count("<math") == 1  # "$5 and $10" stayed prose


def test_mathjax_script_tags_become_math():
    markdown = html_to_markdown(
        '<p>损失 <script type="math/tex">\\mathcal{L}_{\\text{bal}}</script>：</p>'
        '<script type="math/tex; mode=display">\\int_0^1 f(x)\\,dx</script>'
    )
    assert "$\\mathcal{L}_{\\text{bal}}$" in markdown
    assert "$$\n\\int_0^1 f(x)\\,dx\n$$" in markdown


def test_zhihu_formula_images_become_math():
    markdown = html_to_markdown(
        '<p>其中 <img src="https://www.zhihu.com/equation?tex=W%5E%7BUK%7D" alt="W^{UK}" '
        'class="ee_img tr-noresize" eeimg="1"> 可以吸收。</p>'
        '<p><img class="ztext-math" data-tex="\\frac{QK^\\top}{\\sqrt{d_k}}" src="https://x/eq.png"></p>'
        '<p><img eeimg="1" alt="\\sum_i p_i \\log p_i\\\\" src="https://www.zhihu.com/equation?tex=x"></p>'
    )
    assert "$W^{UK}$" in markdown
    assert "$$\n\\frac{QK^\\top}{\\sqrt{d_k}}\n$$" in markdown
    assert "$$\n\\sum_i p_i \\log p_i\n$$" in markdown
    assert "[公式]" not in markdown and "![" not in markdown


def test_katex_and_mathml_keep_their_tex_and_drop_the_visual_copy():
    markdown = html_to_markdown(
        '<p><span class="katex"><span class="katex-mathml"><math><semantics><mi>y</mi>'
        '<annotation encoding="application/x-tex">y_t</annotation></semantics></math></span>'
        '<span class="katex-html" aria-hidden="true">yt</span></span> 与 '
        '<math display="block"><semantics><mi>z</mi><annotation encoding="application/x-tex">'
        "z^2</annotation></semantics></math></p>"
    )
    assert "$y_t$" in markdown
    assert "$$\nz^2\n$$" in markdown
    assert "yt" not in markdown.replace("y_t", "")


def test_structure_survives_numbers_links_images_tables_code():
    markdown = html_to_markdown(
        '<h2>步骤</h2><ol start="3"><li>统计</li><li>比较</li></ol>'
        '<p><a href="/paper.pdf">论文</a> <img src="fig1.png" alt="图 1"></p>'
        "<table><tr><th>方法</th><th>缓存</th></tr><tr><td>MLA</td><td>$|x|$</td></tr></table>"
        '<pre><code class="language-python">def f(x):\n    return x * 2\n</code></pre>',
        base_url="https://lab.example.com/posts/7.html",
    )
    assert "## 步骤" in markdown
    assert "3. 统计\n4. 比较" in markdown
    assert "[论文](https://lab.example.com/paper.pdf)" in markdown
    assert "![图 1](https://lab.example.com/posts/fig1.png)" in markdown
    assert "| MLA | $|x|$ |" in markdown
    assert "```python\ndef f(x):\n    return x * 2\n```" in markdown
    html = render_markdown(markdown)
    assert "<table>" in html and "<math" in html and 'class="codeblock"' in html


def test_code_inside_pre_is_not_mistaken_for_math():
    markdown = html_to_markdown('<pre class="lang-bash">echo "$HOME and $PATH"</pre>')
    assert '```bash\necho "$HOME and $PATH"\n```' in markdown


def test_nothing_executable_survives():
    markdown = html_to_markdown(
        '<p onclick="alert(1)">正文<script>alert(1)</script><a href="javascript:alert(2)">链接</a>'
        '<iframe src="https://evil.example"></iframe><img src=x onerror="alert(3)"></p>'
        "<style>body{display:none}</style>"
    )
    html = render_markdown(markdown)
    for needle in ["alert", "javascript:", "<iframe", "onerror", "onclick", "<style", "display:none"]:
        assert needle not in html and needle not in markdown
    assert "正文" in html and "链接" in html


# --- what was text stays text -------------------------------------------------------------------


def visible_text(html):
    """The text a reader sees in rendered HTML, whitespace collapsed."""
    return " ".join(BeautifulSoup(html, "html.parser").get_text().split())


def test_an_escaped_style_tag_is_shown_and_the_rest_of_the_post_survives():
    html = render_markdown(html_to_markdown("<p>Use the &lt;style&gt; element.</p><p>Rest.</p>"))
    assert visible_text(html) == "Use the <style> element. Rest."
    assert "<p>Rest.</p>" in html


def test_an_escaped_bold_tag_does_not_make_the_rest_bold():
    html = render_markdown(html_to_markdown("<p>Write &lt;b&gt;bold&lt;/b&gt; like this.</p><p>More.</p>"))
    assert "<b>" not in html and "<strong>" not in html
    assert visible_text(html) == "Write <b>bold</b> like this. More."


def test_an_escaped_tag_name_keeps_its_place_in_the_sentence():
    html = render_markdown(html_to_markdown("<h2>History of the &lt;blink&gt; tag</h2><p>It blinked.</p>"))
    assert visible_text(html).startswith("History of the <blink> tag")


@pytest.mark.parametrize(
    "text",
    [
        "2 * 3 * 4 and a_b_c and **not bold**",
        "see [1] and [the paper](paper.html) and [^1]",
        "# not a heading",
        "1. not a list",
        "- not a bullet",
        "+ nor this",
        "> not a quote",
        "=== not a heading underline",
        "`not code` and ~~not struck~~",
        "a | b | c",
        "&copy; is how HTML writes ©, &amp; is &",
        "<!-- not a comment --> and <b>not bold</b> and <em/>",
        "price $5 and $10",
        "Wow!",
        "C:\\path\\to and \\[x] as typed",
    ],
)
def test_markdown_syntax_in_text_shows_as_written(text):
    source = f"<p>{escape(text)}</p><p>After.</p>"
    html = render_markdown(html_to_markdown(source))
    assert visible_text(html) == f"{text} After."
    assert "<a " not in html and "<math" not in html and "<code>" not in html


def test_text_that_spells_a_placeholder_stays_text():
    markdown = html_to_markdown("<p>INKSTONEMATH0X and INKSTONEMATHABCDN0X</p><p>\\(x\\)</p>")
    assert "INKSTONEMATH0X and INKSTONEMATHABCDN0X" in markdown and "$x$" in markdown


def test_control_characters_are_stripped_and_tabs_and_newlines_kept():
    markdown = html_to_markdown("<p>a\x01b\x85c\x9fd\x7fe</p><pre>x\ty\r\nz</pre>")
    assert "abcde" in markdown and "x\ty\nz" in markdown
    assert not any(0 < ord(character) < 32 and character not in "\t\n" for character in markdown)
    assert not any(0x7F <= ord(character) <= 0x9F for character in markdown)


# --- formulas in more disguises -----------------------------------------------------------------


def test_zhihu_formula_spans_become_inline_math():
    markdown = html_to_markdown(
        '<p>求和 <span class="ztext-math" data-eeimg="1" data-tex="\\sum_i x_i">\\sum_i x_i</span> 即可。</p>'
    )
    assert "$\\sum_i x_i$" in markdown and "\\_" not in markdown
    html = render_markdown(markdown)
    assert '<math display="inline">' in html and "\\sum" not in visible_text(html).replace("\\sum_i x_i", "")


def test_mathjax_formula_images_become_math():
    markdown = html_to_markdown(
        '<p>缓存 <img class="mathjax" alt="c_t^{KV}" src="https://x.example.com/1.svg"> 即可</p>'
    )
    assert "$c_t^{KV}$" in markdown and "![" not in markdown


def test_an_image_whose_alt_is_a_formula_is_inline_mid_sentence_and_display_alone():
    inline = html_to_markdown('<p>Set <img alt="$T=1$" src="https://x.example.com/t.png"> first.</p>')
    alone = html_to_markdown('<p><img alt="$T=1$" src="https://x.example.com/t.png"></p>')
    marked = html_to_markdown(
        '<p>So <img class="latex" alt="$$E=mc^2$$" src="https://x.example.com/e.png"></p>'
    )
    assert "Set $T=1$ first." in inline and "$$" not in inline
    assert '<math display="inline">' in render_markdown(inline)
    assert "$$\nT=1\n$$" in alone
    assert "$$\nE=mc^2\n$$" in marked


def test_an_inline_formula_next_to_a_digit_is_still_math():
    html = render_markdown(
        html_to_markdown('<p>第1<img class="ztext-math" data-tex="x_t" src="https://z.example.com/e">2个</p>')
    )
    assert html.count("<math") == 1 and "第1" in html and "2个" in html


# --- tables, links and images -------------------------------------------------------------------


def test_images_in_table_cells_stay_images():
    markdown = html_to_markdown(
        "<table><tr><th>模型</th><th>结构</th></tr><tr><td>MLA</td>"
        '<td><img src="https://lab.example.com/mla.png" alt="MLA 结构图"></td></tr></table>'
    )
    assert "| MLA | ![MLA 结构图](https://lab.example.com/mla.png) |" in markdown
    html = render_markdown(markdown)
    assert '<img src="https://lab.example.com/mla.png" alt="MLA 结构图"' in html
    assert "<td>MLA 结构图</td>" not in html


def test_a_pipe_in_a_cell_does_not_split_it():
    html = render_markdown(
        html_to_markdown(
            "<table><tr><th>a</th><th>b</th></tr><tr><td>x | y</td><td><code>p|q</code></td></tr></table>"
        )
    )
    assert "<td>x | y</td>" in html and "<code>p|q</code>" in html


@pytest.mark.parametrize(
    "href",
    [
        "javascript:alert(document.domain)",
        " JaVaScRiPt:alert(1)",
        "java\nscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "mailto:someone@example.com",
        "ftp://files.example.com/x",
        "http://[::1",
        "https://no_such host/",
    ],
)
def test_links_other_than_http_become_their_text(href):
    html = render_markdown(html_to_markdown(f'<p>Read <a href="{escape(href)}">this</a> now.</p>'))
    assert visible_text(html) == "Read this now."
    assert "<a " not in html


def test_images_other_than_http_are_dropped():
    markdown = html_to_markdown(
        '<p>A <img src="data:image/png;base64,iVBORw0KGgo=" alt="dot"> and '
        '<img src="javascript:alert(1)" alt="js"> and <img src="https://x.example.com/ok.png" alt="ok"></p>'
    )
    assert "data:" not in markdown and "javascript:" not in markdown
    assert "![ok](https://x.example.com/ok.png)" in markdown


def test_link_urls_are_absolute_and_percent_encoded():
    markdown = html_to_markdown(
        '<p><a href="/a b/(1)">one</a> <a href="https://例子.example/路径?q=a b">two</a> '
        '<a href="#note-1">[1]</a> <img src="img 1.png" alt="fig"></p>',
        base_url="https://lab.example.com/posts/7.html",
    )
    html = render_markdown(markdown)
    hrefs = re.findall(r'(?:href|src)="([^"]*)"', html)
    assert hrefs == [
        "https://lab.example.com/a%20b/(1)",
        "https://xn--fsqu00a.example/%E8%B7%AF%E5%BE%84?q=a%20b",
        "https://lab.example.com/posts/7.html#note-1",
        "https://lab.example.com/posts/img%201.png",
    ]
    assert visible_text(html) == "one two [1]"
